/**
 * The payment worker as the bench runs it: wired exactly like worker/main.ts (same config, same
 * pool size, createPaymentWorker, a prebuilt bundle), plus the SDK's Prometheus exporter, which
 * worker/main.ts has no switch for. Started as a child process by bench/stack.ts.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createOrm } from '../db/orm';
import { createPaymentWorker } from '../worker/createWorker';
import { announceReady, installBenchRuntime, requiredEnv } from './workerRuntime';

async function main(): Promise<void> {
  const config = loadConfig();
  installBenchRuntime(requiredEnv('BENCH_METRICS_ADDRESS'));
  const logger = createLogger(config.LOG_LEVEL).child({ component: 'worker' });
  const orm = await createOrm({ databaseUrl: config.DATABASE_URL, poolSize: 20 });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createPaymentWorker({
    config,
    orm,
    connection,
    logger,
    workflowBundle: { codePath: requiredEnv('TEMPORAL_WORKFLOW_BUNDLE') },
  });
  announceReady(worker);
  // Worker.run() handles SIGTERM itself and resolves once in-flight tasks are done.
  await worker.run();
  await connection.close();
  await orm.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
