import { TransactionSchema, WebhookAttemptSchema, WebhookDeliverySchema } from '../../db/entities';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { startWebhookReceiver } from '../support/webhookReceiver';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('Merchant webhooks', () => {
  it('When the receiver fails twice then accepts, then the result is delivered once and every attempt is recorded', async () => {
    const receiver = await startWebhookReceiver([500, 503]);
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const res = await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 500, external_reference: 'INV-9' },
        { headers: { Authorization: merchant.authorization } },
      );
      expect(res.status).toBe(200);
      const delivery = await eventually(async () => {
        const d = await stack.orm.em.fork().findOne(WebhookDeliverySchema, { transaction: res.data.transaction_id });
        return d?.status === 'delivered' ? d : undefined;
      });
      expect(delivery.attempts).toBe(3);
      expect(receiver.received.map((r) => r.answeredWith)).toEqual([500, 503, 200]);

      const attempts = await stack.orm.em
        .fork()
        .find(WebhookAttemptSchema, { delivery: delivery.id }, { orderBy: { attemptNo: 'asc' } });
      expect(attempts.map((a) => [a.attemptNo, a.statusCode])).toEqual([
        [1, 500],
        [2, 503],
        [3, 200],
      ]);
      expect(attempts[0]!.responseExcerpt).toContain('receiver is down');

      // The docs' Express handler reads exactly these fields.
      const cb = receiver.received[2]!.body.Body.stkCallback;
      const tx = await stack.orm.em.fork().findOneOrFail(TransactionSchema, res.data.transaction_id);
      expect(cb.ResultCode).toBe(0);
      expect(cb.CheckoutRequestID).toBe(res.data.checkout_request_id);
      const get = (name: string) => cb.CallbackMetadata.Item.find((i: { Name: string }) => i.Name === name)?.Value;
      expect(get('MpesaReceiptNumber')).toBe(tx.mpesaReceipt);
      expect(get('Amount')).toBe(500);
      expect(get('PhoneNumber')).toBe(254712345678);
      expect(receiver.received[2]!.body.ImaraPay).toMatchObject({
        transaction_id: tx.id,
        external_reference: 'INV-9',
        status: 'completed',
      });
      expect(receiver.received[2]!.headers['x-imarapay-event']).toBe('payment.completed');
    } finally {
      await receiver.close();
    }
  });

  it('When a payment fails, then the webhook carries the failure code the docs’ handler treats as a failure', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 1032 },
        { headers: { Authorization: merchant.authorization } },
      );
      const hook = await eventually(async () => receiver.received[0]);
      expect(hook.body.Body.stkCallback).toMatchObject({ ResultCode: 1032, ResultDesc: 'Request cancelled by user' });
      expect(hook.body.Body.stkCallback.CallbackMetadata).toBeUndefined();
    } finally {
      await receiver.close();
    }
  });
});
