/**
 * The baseline worker: the bare workflows of bench/baselines/workflows.ts and one activity that
 * does nothing, with the same Runtime (Prometheus exporter) and default options as bench/worker.ts.
 * Started as a child process by bench/stack.ts.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { announceReady, installBenchRuntime, requiredEnv } from '../workerRuntime';
import type { BareActivities } from './workflows';

const activities: BareActivities = {
  async nothing() {
    // The baseline of reserveFee, sendStkPush, settlePayment, deliverWebhook: no work at all.
  },
};

async function main(): Promise<void> {
  installBenchRuntime(requiredEnv('BENCH_METRICS_ADDRESS'));
  const connection = await NativeConnection.connect({ address: requiredEnv('TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: requiredEnv('TEMPORAL_TASK_QUEUE'),
    workflowBundle: { codePath: requiredEnv('TEMPORAL_WORKFLOW_BUNDLE') },
    activities,
  });
  announceReady(worker);
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
