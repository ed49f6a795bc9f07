import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createSqlPool } from '../db/sqlPool';
import {
  createMetricsRegistry,
  openOpsListener,
  registerPaymentGauges,
  temporalRuntimeMetrics,
} from '../observability';
import { openPaymentWorker } from './createWorker';
import { ensureReconciliationScheduleAt } from './reconciliationSchedule';
import { sdkLogFunction } from './sdkLogs';

/**
 * `npm run worker`: runs the payment worker until SIGINT/SIGTERM, with its metrics (its own and the
 * Temporal SDK's runtime metrics) on the ops listener when METRICS_PORT is set. On the first signal
 * it stops polling and lets in-flight activities finish within SHUTDOWN_GRACE_SECONDS (then cancels
 * them); further signals are ignored; an activity that ignores its cancellation is abandoned 10 s
 * later. It then closes its listener and connections and exits 0.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL).child({ component: 'worker' });
  // The SDK's own INFO lines (webpack stats, state changes) drown the payment logs; keep its warnings,
  // written through pino so that an activity's database error is logged without its SQL.
  const verbose = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  const runtimeMetrics = config.METRICS_PORT === 0 ? null : await temporalRuntimeMetrics(logger);
  Runtime.install({
    // The process handles its signals itself (below): the SDK's own handler is removed after the
    // first signal, so a second SIGTERM would kill the process in the middle of its shutdown.
    shutdownSignals: [],
    logger: new DefaultLogger(verbose ? 'DEBUG' : 'WARN', sdkLogFunction(logger)),
    ...(runtimeMetrics ? { telemetryOptions: runtimeMetrics.telemetryOptions } : {}),
  });
  const { worker, close } = await openPaymentWorker({
    config,
    logger,
    workflowBundle: config.TEMPORAL_WORKFLOW_BUNDLE ? { codePath: config.TEMPORAL_WORKFLOW_BUNDLE } : undefined,
  });
  // A worker that cannot set the schedule up still runs payments; the next worker start tries again.
  await ensureReconciliationScheduleAt(config).catch((err: unknown) =>
    logger.error({ err }, 'could not create or update the reconciliation schedule'),
  );
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
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return logger.info({ signal }, 'already shutting down');
    stopping = true;
    logger.info(
      { signal, graceSeconds: config.SHUTDOWN_GRACE_SECONDS },
      'shutting down: finishing in-flight activities',
    );
    worker.shutdown();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await worker.run();
  } catch (err) {
    // GracefulShutdownPeriodExpiredError: an activity outlived the grace and its cancellation.
    if (!stopping) throw err;
    logger.warn({ err }, 'activities still running after the shutdown grace were abandoned');
  }
  await ops?.close();
  await gaugeSql.close();
  await close();
  logger.info('payment worker stopped');
  // An abandoned activity may still hold a socket open; the process is done all the same.
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
