import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { createMetricsRegistry, describeTaskQueueVia, registerTaskQueueGauges } from '../../observability';
import { killHard, spawnWorkerProcess, waitForWorkerStarted } from '../support/workerProcess';
import { valueOf } from '../support/prometheusText';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';

/**
 * The task-queue gauges the API exports, on the real Temporal server, while the only worker (a real
 * worker process) is frozen with SIGSTOP: what a long GC pause, a VM migration or a stalled disk
 * looks like. Nothing else shows such a worker: its process is alive and its connection open.
 */

quietTemporalRuntime();

let stack: Stack;
let merchant: MerchantFixture;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
  merchant = await createMerchantFixture(stack, { walletKes: 10_000 });
});

afterAll(async () => {
  if (worker) {
    worker.kill('SIGCONT');
    await killHard(worker);
  }
  await stack?.stop();
});

describe('Task-queue metrics', () => {
  it('When the only worker is frozen (SIGSTOP), then the backlog and its poller age grow in the metrics, and fall back once it resumes', async () => {
    const registry = createMetricsRegistry('api');
    registerTaskQueueGauges(registry, {
      taskQueue: stack.taskQueue,
      describe: describeTaskQueueVia(stack.temporal.connection, {
        namespace: stack.config.TEMPORAL_NAMESPACE,
        taskQueue: stack.taskQueue,
        timeoutMs: 2_000,
      }),
      cacheTtlMs: 0,
    });
    const labels = { task_queue: stack.taskQueue, kind: 'workflow' };
    const scrape = () => registry.metrics();

    const spawned = spawnWorkerProcess(stack.config);
    worker = spawned.child;
    await waitForWorkerStarted(spawned);
    const healthy = await eventually(async () => {
      const text = await scrape();
      return valueOf(text, 'imarapay_task_queue_pollers', labels) >= 1 ? text : undefined;
    });
    expect(valueOf(healthy, 'imarapay_task_queue_up', { task_queue: stack.taskQueue })).toBe(1);
    expect(valueOf(healthy, 'imarapay_task_queue_backlog', labels)).toBe(0);

    worker.kill('SIGSTOP');
    const frozenAt = Date.now();
    // Payments started now wait for a worker; their requests are awaited once it resumes.
    const pushes = Array.from({ length: 8 }, (_, i) =>
      stack.http
        .post(
          '/stk-push',
          { account_id: merchant.channelId, phone_number: '0712345678', amount: 500, description: `Frozen ${i}` },
          { headers: { Authorization: merchant.authorization, 'Idempotency-Key': randomUUID() } },
        )
        .catch(() => undefined),
    );
    const frozen = await eventually(
      async () => {
        const text = await scrape();
        const waited = (Date.now() - frozenAt) / 1000;
        return valueOf(text, 'imarapay_task_queue_backlog', labels) >= 1 &&
          valueOf(text, 'imarapay_task_queue_backlog_age_seconds', labels) >= 5 &&
          valueOf(text, 'imarapay_task_queue_poller_age_seconds', { ...labels, poller: 'freshest' }) >= waited - 3
          ? text
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    expect(valueOf(frozen, 'imarapay_task_queue_poller_age_seconds', { ...labels, poller: 'stalest' })).toBeGreaterThan(
      5,
    );

    worker.kill('SIGCONT');
    await eventually(
      async () => {
        const text = await scrape();
        return valueOf(text, 'imarapay_task_queue_backlog', labels) === 0 &&
          valueOf(text, 'imarapay_task_queue_poller_age_seconds', { ...labels, poller: 'freshest' }) < 5
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await Promise.all(pushes);
  });
});
