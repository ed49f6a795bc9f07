export { createMetricsRegistry, type ServiceName } from './registry';
export { registerPaymentGauges, type QueryRows } from './paymentGauges';
export { httpMetrics, PAYMENT_START_ROUTES } from './httpMetrics';
export { openOpsListener, startOpsServer, type OpsServer } from './opsServer';
export { temporalRuntimeMetrics } from './temporalRuntimeMetrics';
export type { Lifecycle } from './readiness';
export { registerTaskQueueGauges, describeTaskQueueVia, taskQueueSnapshot } from './taskQueueGauges';
