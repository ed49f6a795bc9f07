import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { attemptsOf, deliveryStatusOf, payKes500 } from '../support/webhookAttempts';
import { startSlowReceiver } from '../support/webhookReceiver';
import { killHard, spawnWorkerProcess, waitForWorkerStarted } from '../support/workerProcess';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  // A retry window well beyond a dead worker's heartbeat timeout and the wait for its attempt's HTTP timeout.
  stack = await startStack({ withoutWorker: true, env: { WEBHOOK_RETRY_WINDOW_MS: '120000' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('A worker that dies while the merchant’s receiver is slow', () => {
  it(
    'When the worker is SIGKILLed mid-call, then the attempt was recorded `sending`, a new worker sends it again ' +
      'within seconds with the same delivery id, and the dead attempt is recorded as unknown',
    async () => {
      const receiver = await startSlowReceiver(1500);
      const first = spawnWorkerProcess(stack.config);
      let second: ReturnType<typeof spawnWorkerProcess> | null = null;
      try {
        await waitForWorkerStarted(first);
        const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
        const transactionId = await payKes500(stack, merchant);

        // The receiver has the webhook and will accept it; the worker dies before the answer comes back.
        await eventually(async () => (receiver.received.length === 1 ? true : undefined));
        await killHard(first.child);
        const killedAt = Date.now();
        expect(await attemptsOf(stack, transactionId)).toEqual([
          { attempt_no: 1, status: 'sending', status_code: null },
        ]);

        second = spawnWorkerProcess(stack.config);
        await waitForWorkerStarted(second);
        // A heartbeat timeout of seconds, not the 60 s a whole attempt may take: generous bound, 45 s.
        await eventually(
          async () => ((await deliveryStatusOf(stack, transactionId)) === 'delivered' ? true : undefined),
          {
            timeoutMs: 45_000,
          },
        );
        const resentAfterMs = Date.now() - killedAt;

        // At least once: the receiver accepted the first send too, but nothing recorded it. Both carry one delivery id.
        expect(receiver.received).toHaveLength(2);
        expect(new Set(receiver.received.map((r) => r.deliveryId)).size).toBe(1);
        expect(await attemptsOf(stack, transactionId)).toEqual([
          { attempt_no: 1, status: 'unknown', status_code: null },
          { attempt_no: 2, status: 'accepted', status_code: 200 },
        ]);
        process.stdout.write(`webhook redelivered ${resentAfterMs} ms after the worker was killed\n`);
      } finally {
        await killHard(first.child);
        if (second) await killHard(second.child);
        await receiver.close();
      }
    },
  );

  it(
    'When the merchant asks for a redelivery while the first attempt awaits the slow receiver, then the redelivery ' +
      'waits for that answer and, once its 2xx is recorded, sends nothing',
    async () => {
      const receiver = await startSlowReceiver(1500);
      const worker = spawnWorkerProcess(stack.config);
      try {
        await waitForWorkerStarted(worker);
        const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
        const transactionId = await payKes500(stack, merchant);
        await eventually(async () => (receiver.received.length === 1 ? true : undefined));

        const deliveryId = Number(receiver.received[0]!.deliveryId);
        const asked = await stack.http.post(
          `/webhooks/deliveries/${deliveryId}/redeliver`,
          {},
          { headers: { Authorization: merchant.authorization } },
        );
        expect(asked.status).toBeLessThan(300);
        const result = await stack.temporal.workflow.getHandle(asked.data.workflow_id).result();

        expect(result).toEqual({ delivered: true });
        expect(await deliveryStatusOf(stack, transactionId)).toBe('delivered');
        expect(receiver.received).toHaveLength(1);
        expect(await attemptsOf(stack, transactionId)).toEqual([
          { attempt_no: 1, status: 'accepted', status_code: 200 },
        ]);
      } finally {
        await killHard(worker.child);
        await receiver.close();
      }
    },
  );
});
