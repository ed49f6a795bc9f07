export { paymentWorkflow } from './payment';
export { lateCallbackWorkflow } from './lateCallback';
export { webhookRedeliveryWorkflow } from './webhookRedelivery';
