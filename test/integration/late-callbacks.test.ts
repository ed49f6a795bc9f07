import { DarajaCallbackSchema, TransactionSchema, WebhookDeliverySchema } from '../../db/entities';
import { walletSnapshot } from '../../db/ledger';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { startWebhookReceiver } from '../support/webhookReceiver';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  // Short windows so that a payment fails, stops listening and closes within seconds.
  stack = await startStack({
    env: {
      PAYMENT_CALLBACK_TIMEOUT_MS: '1000',
      PAYMENT_QUERY_WINDOW_MS: '1500',
      PAYMENT_LATE_CALLBACK_WINDOW_MS: '1500',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

async function ledgerKinds(transactionId: number): Promise<string[]> {
  const rows = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ kind: string }[]>('select kind from wallet_ledger where transaction_id = ? order by id', [
      transactionId,
    ]);
  return rows.map((r) => r.kind);
}

describe('A success that arrives after everything', () => {
  it('When the success callback reaches a payment whose workflow has closed, then the payment still completes and its fee is charged once', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { walletKes: 100, callbackUrl: receiver.url });
      const res = await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 9908 },
        { headers: { Authorization: merchant.authorization } },
      );
      expect(res.status).toBe(200);
      await stack.temporal.workflow.getHandle(`payment-${res.data.transaction_id}`).result();
      expect((await stack.orm.em.fork().findOneOrFail(TransactionSchema, res.data.transaction_id)).status).toBe(
        'failed',
      );

      stack.simulator.control.complete(res.data.checkout_request_id, { resultCode: 0 });
      const completed = await eventually(async () => {
        const tx = await stack.orm.em.fork().findOneOrFail(TransactionSchema, res.data.transaction_id);
        return tx.status === 'completed' ? tx : undefined;
      });
      expect(completed.mpesaReceipt).toMatch(/^[A-Z0-9]{10}$/);
      const [callback] = await stack.orm.em.fork().find(DarajaCallbackSchema, { transaction: completed.id });
      expect(callback!.disposition).toBe('late');
      await eventually(async () => ((await ledgerKinds(completed.id)).length === 3 ? true : undefined));
      expect(await ledgerKinds(completed.id)).toEqual(['fee_reserve', 'fee_release', 'late_fee_capture']);
      expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({ balance: 50, ledgerSum: 50 });
      const events = await eventually(async () =>
        receiver.received.length === 2 ? receiver.received.map((r) => r.headers['x-imarapay-event']) : undefined,
      );
      expect(events).toEqual(['payment.failed', 'payment.completed']);
    } finally {
      await receiver.close();
    }
  });

  it('When the failure webhook is still being retried as a late success arrives, then the merchant is told completed and the stale failure is never sent', async () => {
    const receiver = await startWebhookReceiver((event) => (event === 'payment.failed' ? 500 : 200));
    try {
      const merchant = await createMerchantFixture(stack, { walletKes: 100, callbackUrl: receiver.url });
      const res = await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 9908 },
        { headers: { Authorization: merchant.authorization } },
      );
      await eventually(async () =>
        ((
          await stack.orm.em
            .fork()
            .findOne(WebhookDeliverySchema, { transaction: res.data.transaction_id, event: 'payment.failed' })
        )?.attempts ?? 0) >= 1
          ? true
          : undefined,
      );
      stack.simulator.control.complete(res.data.checkout_request_id, { resultCode: 0 });

      await stack.temporal.workflow.getHandle(`payment-${res.data.transaction_id}`).result();
      const deliveries = await stack.orm.em
        .fork()
        .find(WebhookDeliverySchema, { transaction: res.data.transaction_id }, { orderBy: { id: 'asc' } });
      expect(deliveries.map((d) => [d.event, d.status])).toEqual([
        ['payment.failed', 'superseded'],
        ['payment.completed', 'delivered'],
      ]);
      expect(
        receiver.received.filter((r) => r.answeredWith === 200).map((r) => r.body.Body.stkCallback.ResultCode),
      ).toEqual([0]);
    } finally {
      await receiver.close();
    }
  });
});
