import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { startWebhookReceiver } from '../support/webhookReceiver';
import { signInMerchantUser } from '../support/signedInUsers';
import { documentedNodeVerifier } from '../support/webhookDocSnippets';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const as = (merchant: MerchantFixture) => ({ headers: { Authorization: merchant.authorization } });

async function pay(merchant: MerchantFixture, amount = 500): Promise<number> {
  const res = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount },
    as(merchant),
  );
  expect(res.status).toBe(200);
  return res.data.transaction_id;
}

/** Waits until the merchant's delivery of `transactionId` matches `done`, and returns its detail. */
async function deliveryOf(
  merchant: MerchantFixture,
  transactionId: number,
  done: (d: any) => boolean = (d) => d.status === 'delivered',
) {
  return eventually(async () => {
    const list = await stack.http.get('/webhooks/deliveries', as(merchant));
    const summary = (list.data as any[]).find((d) => d.transaction_id === transactionId);
    if (!summary) return undefined;
    const detail = await stack.http.get(`/webhooks/deliveries/${summary.id}`, as(merchant));
    return done(detail.data) ? detail.data : undefined;
  });
}

describe('Webhook deliveries', () => {
  it('When a receiver fails twice then accepts, then the delivery and each attempt are listed for the merchant', async () => {
    const receiver = await startWebhookReceiver([500, 503]);
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const transactionId = await pay(merchant);
      const detail = await deliveryOf(merchant, transactionId);

      expect(detail).toMatchObject({
        transaction_id: transactionId,
        event: 'payment.completed',
        url: receiver.url,
        status: 'delivered',
        attempts: 3,
      });
      expect(detail.attempt_log.map((a: any) => [a.attempt_no, a.status_code])).toEqual([
        [1, 500],
        [2, 503],
        [3, 200],
      ]);
      expect(detail.attempt_log[0]).toMatchObject({
        error: null,
        response_excerpt: expect.stringContaining('receiver is down'),
      });
      expect(detail.attempt_log[0].latency_ms).toEqual(expect.any(Number));
      expect(new Date(detail.delivered_at).getTime()).toBeGreaterThanOrEqual(
        new Date(detail.attempt_log[2].started_at).getTime(),
      );
      expect(detail.payload).toEqual(receiver.received[2]!.body);

      const list = await stack.http.get('/webhooks/deliveries', as(merchant));
      expect(list.status).toBe(200);
      expect(Object.keys(list.data[0]).sort()).toEqual(
        [
          'attempts',
          'created_at',
          'delivered_at',
          'event',
          'id',
          'last_attempt_at',
          'status',
          'transaction_id',
          'url',
        ].sort(),
      );
    } finally {
      await receiver.close();
    }
  });

  it('When deliveries are listed with a status and a limit, then only those come back, newest first', async () => {
    const receiver = await startWebhookReceiver((event) => (event === 'payment.failed' ? 500 : 200));
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const first = await pay(merchant, 500);
      await deliveryOf(merchant, first);
      const second = await pay(merchant, 600);
      await deliveryOf(merchant, second);
      const failing = await pay(merchant, 1032); // cancelled: its payment.failed delivery keeps failing
      await deliveryOf(merchant, failing, (d) => d.attempts >= 1);

      const all = (await stack.http.get('/webhooks/deliveries', as(merchant))).data as any[];
      expect(all.map((d) => d.transaction_id)).toEqual([failing, second, first]);
      const pending = (await stack.http.get('/webhooks/deliveries?status=pending', as(merchant))).data as any[];
      expect(pending.map((d) => d.transaction_id)).toEqual([failing]);
      const newestDelivered = (await stack.http.get('/webhooks/deliveries?status=delivered&limit=1', as(merchant)))
        .data as any[];
      expect(newestDelivered.map((d) => d.transaction_id)).toEqual([second]);
    } finally {
      await receiver.close();
    }
  });

  it('When the query is bad, then 400 names the field', async () => {
    const merchant = await createMerchantFixture(stack);
    const badStatus = await stack.http.get('/webhooks/deliveries?status=lost', as(merchant));
    expect(badStatus.status).toBe(400);
    expect(badStatus.data).toMatchObject({ code: 'validation_failed', field: 'status' });
    for (const limit of ['0', '201', 'ten', '1.5']) {
      const res = await stack.http.get(`/webhooks/deliveries?limit=${limit}`, as(merchant));
      expect(res.status).toBe(400);
      expect(res.data).toEqual({
        error: 'limit must be a whole number from 1 to 200',
        code: 'validation_failed',
        field: 'limit',
      });
    }
  });

  it('When a merchant asks for another merchant’s delivery, then it is 404 like a missing one and nothing is redelivered', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const owner = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const other = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const delivery = await deliveryOf(owner, await pay(owner));
      const received = receiver.received.length;

      for (const res of [
        await stack.http.get(`/webhooks/deliveries/${delivery.id}`, as(other)),
        await stack.http.post(`/webhooks/deliveries/${delivery.id}/redeliver`, {}, as(other)),
      ]) {
        expect(res.status).toBe(404);
        expect(res.data).toEqual({ error: `Webhook delivery ${delivery.id} was not found`, code: 'not_found' });
      }
      expect((await stack.http.get('/webhooks/deliveries', as(other))).data).toEqual([]);
      expect((await stack.http.get('/webhooks/deliveries/999999999', as(owner))).status).toBe(404);
      expect((await stack.http.get('/webhooks/deliveries/abc', as(owner))).status).toBe(404);
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.received.length).toBe(received);
    } finally {
      await receiver.close();
    }
  });
});

describe('Redelivery', () => {
  it('When a delivered webhook is redelivered, then the same payload is POSTed again, freshly signed, and its attempts continue the numbering', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const delivered = await deliveryOf(merchant, await pay(merchant));
      expect(delivered.attempts).toBe(1);

      const res = await stack.http.post(`/webhooks/deliveries/${delivered.id}/redeliver`, {}, as(merchant));
      expect(res.status).toBe(202);
      expect(res.data).toEqual({ delivery_id: delivered.id, workflow_id: `webhook-redelivery-${delivered.id}` });

      const again = await deliveryOf(
        merchant,
        delivered.transaction_id,
        (d) => d.attempts === 2 && d.status === 'delivered',
      );
      expect(again.attempt_log.map((a: any) => [a.attempt_no, a.status_code])).toEqual([
        [1, 200],
        [2, 200],
      ]);
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]!.rawBody).toBe(receiver.received[0]!.rawBody);
      expect(receiver.received[1]!.headers['x-imarapay-delivery']).toBe(String(delivered.id));
      const secret = (
        await stack.http.get('/settings/webhook-secret', {
          headers: { Authorization: await signInMerchantUser(stack, merchant.merchantId) },
        })
      ).data.secret;
      expect(
        documentedNodeVerifier()(
          receiver.received[1]!.rawBody,
          receiver.received[1]!.headers['imarapay-signature'] as string,
          secret,
        ),
      ).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('When the callback URL changed, then a redelivery goes to the current URL and is retried there until accepted', async () => {
    const oldReceiver = await startWebhookReceiver(() => 500);
    const newReceiver = await startWebhookReceiver([502]);
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: oldReceiver.url });
      const transactionId = await pay(merchant);
      const failing = await deliveryOf(merchant, transactionId, (d) => d.attempts >= 2);

      const put = await stack.http.put('/settings', { callback_url: newReceiver.url }, as(merchant));
      expect(put.status).toBe(200);
      const res = await stack.http.post(`/webhooks/deliveries/${failing.id}/redeliver`, {}, as(merchant));
      expect(res.status).toBe(202);

      await eventually(async () => (newReceiver.received.some((r) => r.answeredWith === 200) ? true : undefined));
      const detail = await deliveryOf(merchant, transactionId);
      expect(detail.url).toBe(newReceiver.url);
      // The payment's own retries follow the delivery's URL once the redelivery moved it, so they may land here too.
      expect(newReceiver.received.map((r) => r.answeredWith).slice(0, 2)).toEqual([502, 200]);
      expect(new Set(newReceiver.received.map((r) => r.rawBody)).size).toBe(1);
      // Attempts of both workflows share one numbering, without gaps or repeats.
      const numbers = detail.attempt_log.map((a: any) => a.attempt_no);
      expect(numbers).toEqual(numbers.map((_: number, i: number) => i + 1));
      expect(detail.attempt_log.filter((a: any) => a.status_code === 502)).toHaveLength(1);
    } finally {
      await oldReceiver.close();
      await newReceiver.close();
    }
  });

  it('When the merchant has no callback URL any more, then redelivery is refused with 409', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const delivered = await deliveryOf(merchant, await pay(merchant));
      await stack.http.put('/settings', { callback_url: null }, as(merchant));
      const res = await stack.http.post(`/webhooks/deliveries/${delivered.id}/redeliver`, {}, as(merchant));
      expect(res.status).toBe(409);
      expect(res.data).toEqual({
        error: 'You have no callback URL: set one with PUT /api/settings, then redeliver',
        code: 'conflict',
      });
    } finally {
      await receiver.close();
    }
  });

  it('When the same redelivery is asked twice before it runs, then one workflow is started and one extra POST is made', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const delivered = await deliveryOf(merchant, await pay(merchant));
      await stack.stopWorker();
      try {
        const [a, b] = await Promise.all([
          stack.http.post(`/webhooks/deliveries/${delivered.id}/redeliver`, {}, as(merchant)),
          stack.http.post(`/webhooks/deliveries/${delivered.id}/redeliver`, {}, as(merchant)),
        ]);
        expect([a.status, b.status]).toEqual([202, 202]);
        expect(a.data.workflow_id).toBe(b.data.workflow_id);
        const listed = (await stack.http.get(`/webhooks/deliveries/${delivered.id}`, as(merchant))).data;
        expect(listed.status).toBe('pending');
      } finally {
        await stack.startWorker();
      }
      await deliveryOf(merchant, delivered.transaction_id, (d) => d.status === 'delivered' && d.attempts === 2);
      await new Promise((r) => setTimeout(r, 1000));
      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  it('When a redelivery is still retrying and it is asked for again, then the request attaches to it', async () => {
    let answered = 0;
    // Accepts the payment's own webhook, then refuses everything: the redelivery keeps retrying.
    const receiver = await startWebhookReceiver(() => (answered++ === 0 ? 200 : 500));
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const delivered = await deliveryOf(merchant, await pay(merchant));
      const first = await stack.http.post(`/webhooks/deliveries/${delivered.id}/redeliver`, {}, as(merchant));
      expect(first.status).toBe(202);
      await deliveryOf(merchant, delivered.transaction_id, (d) => d.attempts >= 2);
      const again = await stack.http.post(`/webhooks/deliveries/${delivered.id}/redeliver`, {}, as(merchant));
      expect(again.status).toBe(202);
      expect(again.data.workflow_id).toBe(first.data.workflow_id);
      const running = [];
      for await (const w of stack.temporal.workflow.list({
        query: `WorkflowType = 'webhookRedeliveryWorkflow' AND ExecutionStatus = 'Running'`,
      })) {
        if (w.workflowId.startsWith(`webhook-redelivery-${delivered.id}`)) running.push(w.workflowId);
      }
      expect(running.length).toBeLessThanOrEqual(1);
      await stack.temporal.workflow.getHandle(first.data.workflow_id).terminate('test over');
    } finally {
      await receiver.close();
    }
  });
});
