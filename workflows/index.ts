export { paymentWorkflow } from './payment';
export { lateCallbackWorkflow } from './lateCallback';
