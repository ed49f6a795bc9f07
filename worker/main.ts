import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { openPaymentWorker } from './createWorker';
import { ensureReconciliationScheduleAt } from './reconciliationSchedule';
import { sdkLogFunction } from './sdkLogs';

/** `npm run worker`: runs the payment worker until SIGINT/SIGTERM. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL).child({ component: 'worker' });
  // The SDK's own INFO lines (webpack stats, state changes) drown the payment logs; keep its warnings,
  // written through pino so that an activity's database error is logged without its SQL.
  const verbose = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  Runtime.install({ logger: new DefaultLogger(verbose ? 'DEBUG' : 'WARN', sdkLogFunction(logger)) });
  const { worker, close } = await openPaymentWorker({
    config,
    logger,
    workflowBundle: config.TEMPORAL_WORKFLOW_BUNDLE ? { codePath: config.TEMPORAL_WORKFLOW_BUNDLE } : undefined,
  });
  // A worker that cannot set the schedule up still runs payments; the next worker start tries again.
  await ensureReconciliationScheduleAt(config).catch((err: unknown) =>
    logger.error({ err }, 'could not create or update the reconciliation schedule'),
  );
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'payment worker started');
  // Worker.run() installs its own SIGINT/SIGTERM handling and drains in-flight tasks before resolving.
  await worker.run();
  await close();
  logger.info('payment worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
