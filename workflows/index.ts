export { paymentWorkflow } from './payment';
export { lateCallbackWorkflow } from './lateCallback';
export { webhookRedeliveryWorkflow } from './webhookRedelivery';
export { reconciliationWorkflow, unstartedPaymentWorkflow } from './reconciliation';
export { mpesaRecordWorkflow } from './mpesaRecord';
export { reviewResolutionWorkflow } from './reviewResolution';
export { reversalLateOutcomeWorkflow, reversalWorkflow } from './reversal';
