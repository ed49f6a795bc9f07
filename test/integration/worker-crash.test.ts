import { TransactionSchema } from '../../db/entities';
import { walletSnapshot } from '../../db/ledger';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { killHard, spawnWorkerProcess, waitForWorkerStarted } from '../support/workerProcess';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  // Long callback timer so the payment is still waiting for its callback while the worker is dead.
  stack = await startStack({ withoutWorker: true, env: { PAYMENT_CALLBACK_TIMEOUT_MS: '60000' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('A worker that dies while a payment waits', () => {
  it('When the worker is SIGKILLed and the callback arrives while it is down, then a restarted worker completes the payment once', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const first = spawnWorkerProcess(stack.config);
    let second: ReturnType<typeof spawnWorkerProcess> | null = null;
    try {
      await waitForWorkerStarted(first);
      const res = await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 9908 }, // waits until the test answers it
        { headers: { Authorization: merchant.authorization } },
      );
      expect(res.status).toBe(200);
      await killHard(first.child);

      // The customer pays while no worker runs: the callback is stored and signalled all the same.
      stack.simulator.control.complete(res.data.checkout_request_id, { resultCode: 0 });
      await eventually(async () => {
        const rows = await stack.orm.em
          .fork()
          .getConnection()
          .execute<{ disposition: string }[]>('select disposition from daraja_callbacks where transaction_id = ?', [
            res.data.transaction_id,
          ]);
        return rows[0]?.disposition === 'signalled' ? true : undefined;
      });
      const waiting = await stack.orm.em.fork().findOneOrFail(TransactionSchema, res.data.transaction_id);
      expect(waiting.status).toBe('pending');

      second = spawnWorkerProcess(stack.config);
      await waitForWorkerStarted(second);
      const done = await eventually(
        async () => {
          const tx = await stack.orm.em.fork().findOneOrFail(TransactionSchema, res.data.transaction_id);
          return tx.status === 'completed' ? tx : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(done.mpesaReceipt).toMatch(/^[A-Z0-9]{10}$/);
      expect(
        stack.simulator.control.pushes().filter((p) => p.checkoutRequestId === res.data.checkout_request_id),
      ).toHaveLength(1);
      // KES 9,908 is in the KES 50 fee tier: captured once.
      expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({ balance: 50, ledgerSum: 50 });
    } finally {
      await killHard(first.child);
      if (second) await killHard(second.child);
    }
  });
});
