import { paymentWorkflowId } from '../../workflows/definitions';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { attemptsOf, deliveryStatusOf, payKes500 } from '../support/webhookAttempts';
import { startSlowReceiver } from '../support/webhookReceiver';
import { killHard, spawnWorkerProcess, waitForWorkerStarted } from '../support/workerProcess';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  // A long HTTP timeout: the stalled attempt stays possibly live (worth waiting for) for 65 s, long
  // enough for Temporal to hand the retry to a live worker: the stalled worker's open polls take the
  // first retries (each then times out again). A retry window that outlasts all of it.
  stack = await startStack({
    withoutWorker: true,
    env: { WEBHOOK_HTTP_TIMEOUT_MS: '60000', WEBHOOK_RETRY_WINDOW_MS: '180000' },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('A worker that stalls while the merchant’s receiver is slow', () => {
  it(
    'When a worker stalls mid-call and its attempt is retried elsewhere, then the retry waits for the stalled ' +
      'call’s answer, and once that 2xx is recorded nothing is sent again',
    async () => {
      const receiver = await startSlowReceiver(1500);
      const workers = [0, 1, 2].map(() => spawnWorkerProcess(stack.config));
      try {
        await Promise.all(workers.map((w) => waitForWorkerStarted(w)));
        const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
        const transactionId = await payKes500(stack, merchant);

        await eventually(async () => (receiver.received.length === 1 ? true : undefined));
        // Stall the worker that sent it (SIGSTOP: alive, but silent); the other two stay live.
        const attempt = await stack.temporal.workflow.getHandle(paymentWorkflowId(transactionId)).describe();
        const identityOf = (w: (typeof workers)[number]) => `${w.child.pid}@`;
        const sender = workers.find((w) =>
          attempt.raw.pendingActivities?.some((a) => a.lastWorkerIdentity?.startsWith(identityOf(w))),
        );
        expect(sender).toBeDefined();
        sender!.child.kill('SIGSTOP');
        try {
          // The stalled worker stops heartbeating: Temporal hands the delivery to the other worker.
          await eventually(
            async () => {
              const d = await stack.temporal.workflow.getHandle(paymentWorkflowId(transactionId)).describe();
              const pending = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'deliverWebhook');
              // The stalled worker's own open polls may take a retry too (it then times out again):
              // wait for a live one.
              const live = pending?.lastWorkerIdentity && !pending.lastWorkerIdentity.startsWith(identityOf(sender!));
              return live && (pending!.attempt ?? 0) >= 2 ? true : undefined;
            },
            { timeoutMs: 50_000 },
          );
        } finally {
          sender!.child.kill('SIGCONT');
        }

        // The stalled call gets its 200 and records it; the retry sees that and sends nothing.
        await eventually(
          async () => ((await deliveryStatusOf(stack, transactionId)) === 'delivered' ? true : undefined),
          {
            timeoutMs: 30_000,
          },
        );
        await eventually(
          async () => {
            const d = await stack.temporal.workflow.getHandle(paymentWorkflowId(transactionId)).describe();
            return d.status.name === 'COMPLETED' ? true : undefined;
          },
          { timeoutMs: 30_000 },
        );
        expect(receiver.received).toHaveLength(1);
        expect(await attemptsOf(stack, transactionId)).toEqual([
          { attempt_no: 1, status: 'accepted', status_code: 200 },
        ]);
      } finally {
        for (const w of workers) await killHard(w.child);
        await receiver.close();
      }
    },
  );
});
