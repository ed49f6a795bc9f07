import type { Config } from '../../config/config';
import { freePort, isPortOpen } from '../../scripts/net';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { killHard, spawnWorkerProcess, waitForWorkerStarted } from '../support/workerProcess';
import { startSlowReceiver } from '../support/webhookReceiver';

/**
 * The worker as a real process (worker/main.ts) told to stop while an activity is stuck: a merchant
 * webhook whose receiver accepts the request and never answers.
 */

quietTemporalRuntime();
jest.setTimeout(180_000);

let stack: Stack;
let worker: ReturnType<typeof spawnWorkerProcess> | undefined;
beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
});
afterAll(async () => {
  if (worker) await killHard(worker.child);
  await stack?.stop();
});

describe('Shutdown of the worker', () => {
  it('When SIGTERM comes twice while a webhook delivery hangs, then the worker still exits 0 and closes its listener', async () => {
    const receiver = await startSlowReceiver(600_000);
    const metricsPort = await freePort();
    worker = spawnWorkerProcess({
      ...stack.config,
      METRICS_PORT: metricsPort,
      WEBHOOK_HTTP_TIMEOUT_MS: 600_000,
      SHUTDOWN_GRACE_SECONDS: 1,
      TEMPORAL_WORKFLOW_BUNDLE: process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE,
    } as Config);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      worker!.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      await waitForWorkerStarted(worker);
      const merchant = await createMerchantFixture(stack, { walletKes: 100, callbackUrl: receiver.url });
      const push = await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
        { headers: { Authorization: merchant.authorization } },
      );
      expect(push.status).toBe(200);
      // The delivery activity is now waiting on a receiver that never answers.
      await eventually(async () => (receiver.received.length > 0 ? true : undefined));

      worker.child.kill('SIGTERM');
      await eventually(async () => (worker!.output().includes('shutting down') ? true : undefined), {
        timeoutMs: 5_000,
      }).catch(() => undefined);
      worker.child.kill('SIGTERM');

      expect(await exited).toEqual({ code: 0, signal: null });
      expect(await isPortOpen('127.0.0.1', metricsPort)).toBe(false);
      expect(worker.output()).toContain('payment worker stopped');
    } finally {
      await receiver.close();
    }
  });
});
