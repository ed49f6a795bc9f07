/**
 * The payment worker as the bench runs it: opened like worker/main.ts (openPaymentWorker, a
 * prebuilt bundle), plus the SDK's Prometheus exporter, which worker/main.ts has no switch for.
 * Started as a child process by bench/stack.ts.
 */
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { openPaymentWorker } from '../worker/createWorker';
import { announceReady, installBenchRuntime, requiredEnv } from './workerRuntime';

async function main(): Promise<void> {
  const config = loadConfig();
  installBenchRuntime(requiredEnv('BENCH_METRICS_ADDRESS'));
  const logger = createLogger(config.LOG_LEVEL).child({ component: 'worker' });
  const { worker, close } = await openPaymentWorker({
    config,
    logger,
    workflowBundle: { codePath: requiredEnv('TEMPORAL_WORKFLOW_BUNDLE') },
  });
  announceReady(worker);
  // Worker.run() handles SIGTERM itself and resolves once in-flight tasks are done.
  await worker.run();
  await close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
