import axios from 'axios';
import { DarajaCallbackSchema, TransactionSchema, WebhookDeliverySchema } from '../../db/entities';
import { walletSnapshot } from '../../db/ledger';
import { darajaCallbackUrl } from '../../config/callbackUrl';
import type { MpesaRecordEvidence } from '../../domain/mpesaRecord';
import { lateCallbackWorkflowId, mpesaRecordSignal } from '../../workflows/definitions';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin } from '../support/signedInUsers';
import { startWebhookReceiver } from '../support/webhookReceiver';

quietTemporalRuntime();

let stack: Stack;
let admin: { headers: { Authorization: string } };
beforeAll(async () => {
  stack = await startStack();
  admin = { headers: { Authorization: await signInAdmin(stack) } };
});
afterAll(async () => {
  await stack?.stop();
});

type Item = { Name: string; Value?: unknown };
const successItems = (overrides: Record<string, unknown> = {}): Item[] =>
  Object.entries({
    Amount: 9908,
    MpesaReceiptNumber: 'TST0RCPT01',
    TransactionDate: 20261130101010,
    PhoneNumber: 254708374149,
    ...overrides,
  }).map(([Name, Value]) => ({ Name, Value }));

/** Posts a callback for the payment to its own CallBackURL, as Daraja would. */
async function callBack(payment: { id: number; checkoutRequestId: string }, stkCallback: Record<string, unknown>) {
  const body = {
    Body: {
      stkCallback: { MerchantRequestID: 'm-evidence', CheckoutRequestID: payment.checkoutRequestId, ...stkCallback },
    },
  };
  const res = await axios.post(darajaCallbackUrl(stack.config, payment.id), body, { validateStatus: () => true });
  expect(res.data).toEqual({ ResultCode: 0, ResultDesc: 'Accept' });
}
const success = (items: Item[]) => ({
  ResultCode: 0,
  ResultDesc: 'The service request is processed successfully.',
  CallbackMetadata: { Item: items },
});

/** A KES 9,908 push whose prompt stays open until a callback settles it. */
async function openPayment(merchant: MerchantFixture) {
  const res = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount: 9908 },
    { headers: { Authorization: merchant.authorization } },
  );
  expect(res.status).toBe(200);
  return {
    id: res.data.transaction_id as number,
    checkoutRequestId: res.data.checkout_request_id as string,
    fee: res.data.fee_to_be_charged as number,
  };
}
const txOf = (id: number) => stack.orm.em.fork().findOneOrFail(TransactionSchema, id);
const settledTx = (id: number, status: string) =>
  eventually(async () => ((await txOf(id)).status === status ? txOf(id) : undefined));
async function ledgerKinds(id: number): Promise<string[]> {
  const rows = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ kind: string }[]>('select kind from wallet_ledger where transaction_id = ? order by id', [id]);
  return rows.map((r) => r.kind);
}

describe('No data can wedge a payment', () => {
  it.each([
    [
      'a MpesaReceiptNumber longer than any receipt',
      successItems({ MpesaReceiptNumber: 'RCPT'.repeat(10) }),
      'MpesaReceiptNumber is not valid',
    ],
    [
      'a MpesaReceiptNumber with odd characters',
      successItems({ MpesaReceiptNumber: "r3'; drop--" }),
      'MpesaReceiptNumber is not valid',
    ],
    ['a fractional Amount', successItems({ Amount: 9907.5 }), 'Amount is not valid'],
    ['an Amount that is an object', successItems({ Amount: { value: 9908 } }), 'Amount is not valid'],
    [
      'an Amount other than the push (KES 1 for KES 9,908)',
      successItems({ Amount: 1 }),
      'reports KES 1 for a push of KES 9908',
    ],
  ])(
    'When a success callback carries %s, then the payment is in needs_review with its fee reserved, its workflow open, only a review_started webhook, and the ledger balanced',
    async (_label, items, reason) => {
      const receiver = await startWebhookReceiver();
      let paymentId: number | undefined;
      try {
        const merchant = await createMerchantFixture(stack, { walletKes: 1000, callbackUrl: receiver.url });
        const payment = await openPayment(merchant);
        paymentId = payment.id;
        await callBack(payment, success(items));
        const tx = await settledTx(payment.id, 'needs_review');
        expect(tx).toMatchObject({
          status: 'needs_review',
          stage: 'needs_review',
          reviewReason: expect.stringContaining(reason),
        });
        expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve']);
        expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({
          balance: 1000 - payment.fee,
          ledgerSum: 1000 - payment.fee,
        });
        const [callback] = await stack.orm.em.fork().find(DarajaCallbackSchema, { transaction: payment.id });
        expect(callback!.disposition).toBe('signalled');

        const status = await stack.http.get(`/transaction/status/${payment.checkoutRequestId}`, {
          headers: { Authorization: merchant.authorization },
        });
        expect(status.data.status).toBe('needs_review');
        expect(status.data.result_desc).toMatch(/^M-Pesa reported a payment; ImaraPay is verifying it/);
        const described = await eventually(async () => {
          const d = await stack.temporal.workflow.getHandle(`payment-${payment.id}`).describe();
          return d.searchAttributes.ImaraPaymentStatus?.[0] === 'needs_review' ? d : undefined;
        });
        // A payment in review waits for more evidence or an operator instead of ending.
        expect(described.status.name).toBe('RUNNING');
        const timeline = await stack.http.get(`/transactions/${payment.id}/timeline`, {
          headers: { Authorization: merchant.authorization },
        });
        const settled = (timeline.data.events as Array<{ kind: string; title: string; detail: string }>).find(
          (e) => e.kind === 'settled',
        );
        expect(settled).toMatchObject({
          title: 'M-Pesa reported a payment; ImaraPay is verifying it',
          detail: expect.stringContaining(reason),
        });
        const review = await stack.http.get('/admin/payments/review', admin);
        expect(review.data).toContainEqual(
          expect.objectContaining({
            transaction_id: payment.id,
            status: 'needs_review',
            callbacks: [expect.objectContaining({ id: callback!.id })],
          }),
        );
        // The merchant hears that the payment is being verified, in a body no Daraja handler reads as paid.
        await eventually(async () => (receiver.received.length > 0 ? true : undefined));
        const deliveries = await stack.orm.em.fork().find(WebhookDeliverySchema, { transaction: payment.id });
        expect(deliveries.map((d) => d.event)).toEqual(['payment.review_started']);
        const body = receiver.received[0]!.body as Record<string, unknown>;
        expect(body.Body).toBeUndefined();
        expect(body.ImaraPay).toMatchObject({ status: 'needs_review', review_reason: expect.stringContaining(reason) });
        expect(receiver.received[0]!.headers['x-imarapay-event']).toBe('payment.review_started');
      } finally {
        await receiver.close();
        await stack.temporal.workflow
          .getHandle(`payment-${paymentId}`)
          .terminate('test over')
          .catch(() => undefined);
      }
    },
  );
});

describe('The webhook says what M-Pesa said', () => {
  it('When the callback says ResultCode "SFC_IC0003", then the webhook passes that code through', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { walletKes: 1000, callbackUrl: receiver.url });
      const payment = await openPayment(merchant);
      await callBack(payment, { ResultCode: 'SFC_IC0003', ResultDesc: 'Operator does not exist' });
      const hook = await eventually(async () => receiver.received[0]);
      expect(hook.body.Body.stkCallback).toMatchObject({
        ResultCode: 'SFC_IC0003',
        ResultDesc: 'Operator does not exist',
        CheckoutRequestID: payment.checkoutRequestId,
      });
      expect(hook.body.ImaraPay).toMatchObject({ status: 'failed', result_code: 'SFC_IC0003' });
    } finally {
      await receiver.close();
    }
  });

  it('When a success callback gives its Amount, PhoneNumber and TransactionDate, then the record and the webhook carry those values', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { walletKes: 1000, callbackUrl: receiver.url });
      const payment = await openPayment(merchant);
      await callBack(
        payment,
        success(successItems({ Amount: '9908.00', PhoneNumber: 254708374149, TransactionDate: 20261130101010 })),
      );
      const hook = await eventually(async () => receiver.received[0]);
      expect(hook.body.Body.stkCallback.CallbackMetadata.Item).toEqual([
        { Name: 'Amount', Value: 9908 },
        { Name: 'MpesaReceiptNumber', Value: 'TST0RCPT01' },
        { Name: 'TransactionDate', Value: 20261130101010 },
        { Name: 'PhoneNumber', Value: 254708374149 },
      ]);
      expect(hook.body.Body.stkCallback.ResultCode).toBe(0);
      expect(await txOf(payment.id)).toMatchObject({
        mpesaAmount: 9908,
        mpesaPhoneNumber: '254708374149',
        mpesaTransactionDate: '20261130101010',
        phoneNumber: '254712345678',
      });
      const [listed] = (await stack.http.get('/transactions', { headers: { Authorization: merchant.authorization } }))
        .data;
      expect(listed).toMatchObject({
        id: payment.id,
        mpesa_amount: 9908,
        mpesa_phone_number: '254708374149',
        mpesa_transaction_date: '20261130101010',
        review_reason: null,
      });
    } finally {
      await receiver.close();
    }
  });
});

describe('Conflicting evidence is surfaced, never silently resolved', () => {
  it('When a second success with another receipt reaches a completed payment after its workflow closed, then the first receipt is kept, the conflict is recorded and the payment goes to review', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const payment = await openPayment(merchant);
    await callBack(payment, success(successItems({ MpesaReceiptNumber: 'FIRST0RCPT' })));
    await stack.temporal.workflow.getHandle(`payment-${payment.id}`).result();
    await callBack(payment, success(successItems({ MpesaReceiptNumber: 'OTHER0RCPT' })));

    const [, second] = await stack.orm.em
      .fork()
      .find(DarajaCallbackSchema, { transaction: payment.id }, { orderBy: { id: 'asc' } });
    const late = stack.temporal.workflow.getHandle(lateCallbackWorkflowId(payment.id, second!.id));
    expect(await late.result()).toEqual({ completed: false });
    const tx = await txOf(payment.id);
    expect(tx).toMatchObject({ status: 'needs_review', mpesaReceipt: 'FIRST0RCPT' });
    expect(tx.reviewReason).toContain('OTHER0RCPT');
    expect(tx.evidenceConflicts).toEqual([
      expect.objectContaining({
        kind: 'receipt',
        callbackId: second!.id,
        recorded: 'FIRST0RCPT',
        received: 'OTHER0RCPT',
      }),
    ]);
    expect((await late.describe()).searchAttributes.ImaraEvidence).toEqual(['conflict']);
    expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve', 'fee_capture']);
    const review = await stack.http.get('/admin/payments/review', admin);
    expect(review.data).toContainEqual(
      expect.objectContaining({
        transaction_id: payment.id,
        status: 'needs_review',
        mpesa_receipt: 'FIRST0RCPT',
      }),
    );
  });

  it('When a second success with another receipt and amount arrives while the payment is still running, then the first is kept, both conflicts are recorded and the payment is in review with its workflow open', async () => {
    // A receiver that keeps refusing keeps the payment's workflow open while its webhook is retried.
    const receiver = await startWebhookReceiver(() => 500);
    const merchant = await createMerchantFixture(stack, { walletKes: 1000, callbackUrl: receiver.url });
    const payment = await openPayment(merchant);
    try {
      await callBack(payment, success(successItems({ MpesaReceiptNumber: 'FIRST1RCPT' })));
      await settledTx(payment.id, 'completed');
      await callBack(payment, success(successItems({ MpesaReceiptNumber: 'OTHER1RCPT', Amount: 1 })));
      const tx = await eventually(async () => {
        const row = await txOf(payment.id);
        return row.evidenceConflicts.length > 0 ? row : undefined;
      });
      expect(tx).toMatchObject({ status: 'needs_review', mpesaReceipt: 'FIRST1RCPT', mpesaAmount: 9908 });
      expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve', 'fee_capture']);
      expect(tx.evidenceConflicts.map((c) => [c.kind, c.recorded, c.received])).toEqual([
        ['receipt', 'FIRST1RCPT', 'OTHER1RCPT'],
        ['amount', 9908, 1],
      ]);
      const described = await stack.temporal.workflow.getHandle(`payment-${payment.id}`).describe();
      expect(described.searchAttributes.ImaraEvidence).toEqual(['conflict']);
      expect(described.status.name).toBe('RUNNING');
    } finally {
      await receiver.close();
      // Its webhook would be retried for the whole window; the test has seen what it needs.
      await stack.temporal.workflow.getHandle(`payment-${payment.id}`).terminate('test over');
    }
  });
});

describe('One review rule, whatever order the evidence arrives in (issue 18)', () => {
  /** A push of `amount` whose CheckoutRequestID the API answered. */
  async function push(merchant: MerchantFixture, amount: number) {
    const res = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(res.status).toBe(200);
    return { id: res.data.transaction_id as number, checkoutRequestId: res.data.checkout_request_id as string };
  }

  it('When the STK query completed a 9902 payment and a success callback then says Amount 1, then the payment goes to review, as it does when that callback comes first', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const byQueryFirst = await push(merchant, 9902);
    await settledTx(byQueryFirst.id, 'completed');
    await callBack(byQueryFirst, success(successItems({ Amount: 1, MpesaReceiptNumber: 'QRY1STRCPT' })));
    const reviewed = await settledTx(byQueryFirst.id, 'needs_review');
    expect(reviewed.reviewReason).toContain('KES 1 for a push of KES 9902');

    const callbackFirst = await openPayment(merchant);
    await callBack(callbackFirst, success(successItems({ Amount: 1, MpesaReceiptNumber: 'CBK1STRCPT' })));
    expect((await settledTx(callbackFirst.id, 'needs_review')).reviewReason).toContain('KES 1 for a push of KES 9908');
  });

  it("When M-Pesa's record confirms the pushed amount for a payment in review, then the review ends completed with the fee captured once", async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const payment = await openPayment(merchant);
    await callBack(payment, success(successItems({ Amount: 1, MpesaReceiptNumber: 'RVW0RECPT1' })));
    await settledTx(payment.id, 'needs_review');
    await stack.temporal.workflow.getHandle(`payment-${payment.id}`).signal(mpesaRecordSignal, {
      recordId: `ts-review-${payment.id}`,
      source: 'transaction_status',
      outcome: 'completed',
      receipt: 'RVW0RECPT1',
      amount: 9908,
      payer: null,
      completedAt: '2026-12-07T20:30:00+03:00',
      description: 'The service request is processed successfully.',
    });
    const tx = await settledTx(payment.id, 'completed');
    expect(tx).toMatchObject({ mpesaReceipt: 'RVW0RECPT1', decidedBy: 'mpesa_record' });
    expect(await stack.temporal.workflow.getHandle(`payment-${payment.id}`).result()).toMatchObject({
      status: 'completed',
    });
    expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve', 'fee_capture']);
  });

  it("When M-Pesa's record finds a success for a payment that failed, then the running workflow completes it and charges the fee once", async () => {
    const receiver = await startWebhookReceiver(() => 200);
    const merchant = await createMerchantFixture(stack, { walletKes: 1000, callbackUrl: receiver.url });
    try {
      const payment = await openPayment(merchant);
      await callBack(payment, { ResultCode: 1037, ResultDesc: 'DS timeout user cannot be reached' });
      await settledTx(payment.id, 'failed');
      const record: MpesaRecordEvidence = {
        recordId: `ts-${payment.id}`,
        source: 'transaction_status',
        outcome: 'completed',
        receipt: 'REC0RDRCPT',
        amount: 9908,
        payer: null,
        completedAt: '2026-12-07T20:30:00+03:00',
        description: 'The service request is processed successfully.',
      };
      const handle = stack.temporal.workflow.getHandle(`payment-${payment.id}`);
      await handle.signal(mpesaRecordSignal, record);
      await handle.signal(mpesaRecordSignal, record); // handed over twice: one settlement
      const tx = await settledTx(payment.id, 'completed');
      expect(tx).toMatchObject({ mpesaReceipt: 'REC0RDRCPT', decidedBy: 'mpesa_record' });
      await handle.result();
      expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve', 'fee_release', 'late_fee_capture']);
      const events = await stack.orm.em
        .fork()
        .find(WebhookDeliverySchema, { transaction: payment.id }, { orderBy: { id: 'asc' } });
      expect(events.map((e) => e.event)).toEqual(['payment.failed', 'payment.completed']);
    } finally {
      await receiver.close();
    }
  });
});
