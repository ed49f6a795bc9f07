import { paymentWorkflowId } from '../../workflows/definitions';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { deliveryStatusOf, payKes500 } from '../support/webhookAttempts';
import { startSlowReceiver } from '../support/webhookReceiver';
import { killHard, spawnWorkerProcess, waitForWorkerStarted } from '../support/workerProcess';

quietTemporalRuntime();

/** Short enough that the pause below outlasts an attempt's lease (3 s + the 5 s margin) several times. */
const HTTP_TIMEOUT_MS = 3_000;
const PAUSE_MS = 60_000;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    withoutWorker: true,
    env: { WEBHOOK_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS), WEBHOOK_RETRY_WINDOW_MS: '240000' },
  });
});
afterAll(async () => {
  await stack?.stop();
});

type LoggedAttempt = { attempt_no: number; status: string; status_code: number | null; error: string | null };

const attemptLog = (transactionId: number) =>
  stack.orm.em
    .fork()
    .getConnection()
    .execute<LoggedAttempt[]>(
      `select a.attempt_no, a.status, a.status_code, a.error from webhook_attempts a
         join webhook_deliveries d on d.id = a.delivery_id where d.transaction_id = ? order by a.attempt_no`,
      [transactionId],
    );

describe('A worker paused (SIGSTOP) mid-delivery, longer than its attempt’s lease', () => {
  it(
    'When the receiver accepts the POST while its worker is paused for 60 s, then the other workers wait for it ' +
      'instead of sending again, the receiver accepts the delivery once, and the log records that 2xx',
    async () => {
      // The receiver answers 200 after 1.5 s: while the worker that sent it is paused.
      const receiver = await startSlowReceiver(1500);
      const workers = [0, 1, 2].map(() => spawnWorkerProcess(stack.config));
      try {
        // Three workers starting at once on a busy machine can take minutes.
        await Promise.all(workers.map((w) => waitForWorkerStarted(w, 240_000)));
        const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
        const transactionId = await payKes500(stack, merchant);
        const handle = stack.temporal.workflow.getHandle(paymentWorkflowId(transactionId));

        await eventually(async () => (receiver.received.length === 1 ? true : undefined));
        const identityOf = (w: (typeof workers)[number]) => `${w.child.pid}@`;
        const described = await handle.describe();
        const sender = workers.find((w) =>
          described.raw.pendingActivities?.some((a) => a.lastWorkerIdentity?.startsWith(identityOf(w))),
        );
        expect(sender).toBeDefined();
        sender!.child.kill('SIGSTOP');
        const pausedAt = Date.now();
        try {
          // The paused worker stops heartbeating: Temporal hands the delivery on. Its own open polls take
          // the first retries (each times out again); then a live worker finds attempt 1 past its lease
          // on a worker that is still connected.
          await eventually(
            async () => {
              const d = await handle.describe();
              const pending = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'deliverWebhook');
              const live = pending?.lastWorkerIdentity && !pending.lastWorkerIdentity.startsWith(identityOf(sender!));
              return live && (pending!.attempt ?? 0) >= 2 ? true : undefined;
            },
            { timeoutMs: PAUSE_MS - 5_000 },
          );
          await new Promise((r) => setTimeout(r, Math.max(0, PAUSE_MS - (Date.now() - pausedAt))));
          // Long past the lease, the event was still not sent again.
          expect(receiver.received).toHaveLength(1);
        } finally {
          sender!.child.kill('SIGCONT');
        }

        // The resumed worker reads the 200 that waited in its socket and records it; the retry then sends nothing.
        await eventually(
          async () => ((await deliveryStatusOf(stack, transactionId)) === 'delivered' ? true : undefined),
          {
            timeoutMs: 30_000,
          },
        );
        await eventually(async () => ((await handle.describe()).status.name === 'COMPLETED' ? true : undefined), {
          timeoutMs: 30_000,
        });
        expect(receiver.received).toHaveLength(1);
        const log = await attemptLog(transactionId);
        expect(log.map(({ attempt_no, status, status_code }) => ({ attempt_no, status, status_code }))).toEqual([
          { attempt_no: 1, status: 'accepted', status_code: 200 },
        ]);
        expect(log[0]!.error).toMatch(/lease ran out/);
      } finally {
        for (const w of workers) {
          w.child.kill('SIGCONT');
          await killHard(w.child);
        }
        await receiver.close();
      }
    },
    420_000,
  );
});
