import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createSqlPool } from '../db/sqlPool';
import { createMetricsRegistry, openOpsListener, registerPaymentGauges, temporalRuntimeMetrics } from '../observability';
import { openPaymentWorker } from './createWorker';
import { sdkLogFunction } from './sdkLogs';

/**
 * `npm run worker`: runs the payment worker until SIGINT/SIGTERM, with its metrics (its own and the
 * Temporal SDK's runtime metrics) on the ops listener when METRICS_PORT is set.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL).child({ component: 'worker' });
  // The SDK's own INFO lines (webpack stats, state changes) drown the payment logs; keep its warnings,
  // written through pino so that an activity's database error is logged without its SQL.
  const verbose = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  const runtimeMetrics = config.METRICS_PORT === 0 ? null : await temporalRuntimeMetrics(logger);
  Runtime.install({
    logger: new DefaultLogger(verbose ? 'DEBUG' : 'WARN', sdkLogFunction(logger)),
    ...(runtimeMetrics ? { telemetryOptions: runtimeMetrics.telemetryOptions } : {}),
  });
  const { worker, close } = await openPaymentWorker({
    config,
    logger,
    workflowBundle: config.TEMPORAL_WORKFLOW_BUNDLE ? { codePath: config.TEMPORAL_WORKFLOW_BUNDLE } : undefined,
  });
  const metrics = createMetricsRegistry('worker');
  // The gauges' aggregate reads get their own two connections, apart from the activities' pool.
  const gaugeSql = createSqlPool({
    databaseUrl: config.DATABASE_URL,
    max: 2,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.METRICS_GAUGE_TIMEOUT_MS,
  });
  registerPaymentGauges(metrics, gaugeSql.run, { cacheTtlMs: config.METRICS_GAUGE_CACHE_SECONDS * 1000 });
  const ops = await openOpsListener(config, { registry: metrics, logger, extraMetrics: runtimeMetrics?.scrape });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'payment worker started');
  // Worker.run() installs its own SIGINT/SIGTERM handling: it stops polling, lets in-flight activities
  // finish within SHUTDOWN_GRACE_SECONDS (then cancels them), and resolves.
  await worker.run();
  await ops?.close();
  await gaugeSql.close();
  await close();
  logger.info('payment worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
