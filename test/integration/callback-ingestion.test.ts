import axios from 'axios';
import fc from 'fast-check';
import { DarajaCallbackSchema, TransactionSchema, type DarajaCallback } from '../../db/entities';
import { darajaCallbackUrl } from '../../config/callbackUrl';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { startWebhookReceiver } from '../support/webhookReceiver';

quietTemporalRuntime();

let stack: Stack;
let merchant: MerchantFixture;
/** The CallBackURL of a payment id that does not exist. */
let unknownPaymentUrl: string;
beforeAll(async () => {
  stack = await startStack();
  merchant = await createMerchantFixture(stack, { walletKes: 1000 });
  unknownPaymentUrl = darajaCallbackUrl(stack.config, 99_999_999);
});
afterAll(async () => {
  await stack?.stop();
});

const ACCEPT = { ResultCode: 0, ResultDesc: 'Accept' };
const post = (url: string, data: string | Buffer) =>
  axios.post(url, data, {
    headers: { 'Content-Type': 'application/json' },
    validateStatus: () => true,
    transformRequest: (d) => d,
    maxBodyLength: Infinity,
  });

async function callbacksAfter(id: number): Promise<DarajaCallback[]> {
  return stack.orm.em.fork().find(DarajaCallbackSchema, { id: { $gt: id } }, { orderBy: { id: 'asc' } });
}
async function lastCallbackId(): Promise<number> {
  const [row] = await stack.orm.em.fork().find(DarajaCallbackSchema, {}, { orderBy: { id: 'desc' }, limit: 1 });
  return row?.id ?? 0;
}
/** The bytes a stored callback holds: its exact bytes when kept, else its text. */
const storedBytes = (c: DarajaCallback) => c.rawBytes ?? Buffer.from(c.rawBody, 'utf8');

const callback = (checkoutRequestId: string, stkCallback: Record<string, unknown> = {}) =>
  JSON.stringify({
    Body: {
      stkCallback: {
        MerchantRequestID: 'm-1',
        CheckoutRequestID: checkoutRequestId,
        ResultCode: 1032,
        ResultDesc: 'Request cancelled by user',
        ...stkCallback,
      },
    },
  });

async function pushPending(amount = 9908) {
  const res = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount },
    { headers: { Authorization: merchant.authorization } },
  );
  expect(res.status).toBeLessThan(300);
  return res.data as { transaction_id: number; checkout_request_id: string };
}

describe('The callback endpoint always stores and always accepts', () => {
  it('When the body is over 64 KB, then Daraja gets Accept and the body is stored truncated and flagged', async () => {
    const before = await lastCallbackId();
    const body = callback('ws_CO_big', { ResultDesc: 'x'.repeat(100_000) });
    const res = await post(unknownPaymentUrl, body);
    expect(res.status).toBe(200);
    expect(res.data).toEqual(ACCEPT);
    const [stored] = await callbacksAfter(before);
    expect(stored).toMatchObject({ truncated: true, receivedBytes: Buffer.byteLength(body), disposition: 'malformed' });
    expect(stored!.rawBody).toBe(body.slice(0, 64 * 1024));
  });

  it('When the body holds a raw NUL byte, then Daraja gets Accept and the exact bytes are stored', async () => {
    const before = await lastCallbackId();
    const body = Buffer.from(
      callback('ws_CO_nul', { ResultDesc: 'bad\u0000byte' }).replace('\\u0000', '\u0000'),
      'utf8',
    );
    expect(body.includes(0)).toBe(true);
    const res = await post(unknownPaymentUrl, body);
    expect(res.status).toBe(200);
    expect(res.data).toEqual(ACCEPT);
    const [stored] = await callbacksAfter(before);
    expect(storedBytes(stored!).equals(body)).toBe(true);
  });

  it.each([
    ['a CheckoutRequestID longer than 64 characters', { CheckoutRequestID: `ws_CO_${'1'.repeat(70)}` }],
    ['a ResultCode longer than 20 characters', { ResultCode: 'E'.repeat(25) }],
    ['a JSON-escaped NUL in the CheckoutRequestID', { CheckoutRequestID: 'ws_CO_\u00001' }],
  ])(
    'When the callback has %s, then Daraja gets Accept and it is stored as malformed with the reason',
    async (_label, fields) => {
      const before = await lastCallbackId();
      const res = await post(unknownPaymentUrl, callback('ws_CO_x', fields));
      expect(res.status).toBe(200);
      expect(res.data).toEqual(ACCEPT);
      const [stored] = await callbacksAfter(before);
      expect(stored).toMatchObject({
        disposition: 'malformed',
        checkoutRequestId: null,
        problems: expect.stringContaining('is not a Daraja'),
      });
    },
  );

  it('When a valid success callback starts with a UTF-8 BOM, then it is read, linked and completes its payment', async () => {
    const payment = await pushPending();
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        callback(payment.checkout_request_id, {
          ResultCode: 0,
          ResultDesc: 'The service request is processed successfully.',
          CallbackMetadata: {
            Item: [
              { Name: 'Amount', Value: 9908 },
              { Name: 'MpesaReceiptNumber', Value: 'BOM0RECPT1' },
              { Name: 'TransactionDate', Value: 20261130120000 },
              { Name: 'PhoneNumber', Value: 254712345678 },
            ],
          },
        }),
      ),
    ]);
    const res = await post(darajaCallbackUrl(stack.config, payment.transaction_id), body);
    expect(res.data).toEqual(ACCEPT);
    const tx = await eventually(async () => {
      const row = await stack.orm.em.fork().findOneOrFail(TransactionSchema, payment.transaction_id);
      return row.status === 'completed' ? row : undefined;
    });
    expect(tx.mpesaReceipt).toBe('BOM0RECPT1');
    const [stored] = await stack.orm.em.fork().find(DarajaCallbackSchema, { transaction: payment.transaction_id });
    expect(stored).toMatchObject({ disposition: 'signalled', rawBytes: null });
    expect(storedBytes(stored!).equals(body)).toBe(true);
  });

  it('When thousands of generated bodies (valid, mutated, hostile) arrive, then each is answered Accept and stored, and no payment or ledger changes', async () => {
    const payment = await pushPending(100);
    await stack.temporal.workflow.getHandle(`payment-${payment.transaction_id}`).result();
    const snapshot = async () => {
      const em = stack.orm.em.fork();
      const tx = await em.findOneOrFail(TransactionSchema, payment.transaction_id);
      const ledger = await em
        .getConnection()
        .execute('select id, kind, amount from wallet_ledger where merchant_id = ? order by id', [merchant.merchantId]);
      const transactions = await em.getConnection().execute('select count(*)::int as n from transactions');
      return { tx: { ...tx, updatedAt: null }, ledger, transactions };
    };
    const before = await snapshot();
    const firstId = await lastCallbackId();
    const urls = [unknownPaymentUrl, darajaCallbackUrl(stack.config, payment.transaction_id)];

    const anyJson = fc.jsonValue({ maxDepth: 3 });
    const field = fc.oneof(
      anyJson,
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ maxLength: 2000 }),
      fc.integer(),
      fc.double(),
      fc.constant(null),
    );
    const validBody = fc.record({
      MerchantRequestID: fc.string({ maxLength: 30 }),
      // Never the payment's own id: only a valid callback for that payment may change it.
      CheckoutRequestID: fc.string({ maxLength: 40 }).map((s) => `ws_CO_fuzz_${s}`),
      ResultCode: fc.oneof(fc.constantFrom(0, '0', 1032, '1037', 'SFC_IC0003', 1, 2001), field),
      ResultDesc: fc.oneof(fc.string({ maxLength: 100 }), field),
      CallbackMetadata: fc.oneof(
        fc.constant(undefined),
        field,
        fc.record({
          Item: fc.oneof(
            field,
            fc.array(
              fc.oneof(
                field,
                fc.record({
                  Name: fc.constantFrom('Amount', 'MpesaReceiptNumber', 'TransactionDate', 'PhoneNumber', 'Balance'),
                  Value: field,
                }),
              ),
              { maxLength: 8 },
            ),
          ),
        }),
      ),
    });
    const text = fc.oneof(
      validBody.map((stkCallback) => JSON.stringify({ Body: { stkCallback } })),
      validBody.map((stkCallback) => `\ufeff${JSON.stringify({ Body: { stkCallback } })}`),
      anyJson.map((v) => JSON.stringify(v)),
      fc.string({ unit: 'binary', maxLength: 500 }),
    );
    const bytes = fc.oneof(
      { weight: 8, arbitrary: text.map((t) => Buffer.from(t, 'utf8')) },
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.from(a)) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 60_000, max: 70_000 }).map((n) => Buffer.alloc(n, '{"Body":'.repeat(10))),
      },
    );

    const sent: Buffer[] = [];
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom(...urls), async (body, url) => {
        const res = await post(url, body);
        sent.push(body);
        expect(res.status).toBe(200);
        expect(res.data).toEqual(ACCEPT);
      }),
      { numRuns: 2000 },
    );

    const stored = await callbacksAfter(firstId);
    expect(stored).toHaveLength(sent.length);
    stored.forEach((row, i) => {
      const limit = 64 * 1024;
      expect(row.truncated).toBe(sent[i]!.length > limit);
      expect(storedBytes(row).equals(sent[i]!.subarray(0, limit))).toBe(true);
      expect(row.disposition).not.toBe('received');
    });
    expect(await snapshot()).toEqual(before);
  });
});

describe('A payment answered 202 learns its CheckoutRequestID', () => {
  it('When the push timed out and the callback names the CheckoutRequestID, then status, list, search, webhook and search attribute carry it', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const hooked = await createMerchantFixture(stack, { walletKes: 1000, callbackUrl: receiver.url });
      const auth = { headers: { Authorization: hooked.authorization } };
      const res = await stack.http.post(
        '/stk-push',
        { account_id: hooked.channelId, phone_number: '0712345678', amount: 9907 },
        auth,
      );
      expect(res.status).toBe(202);
      const id = res.data.transaction_id as number;
      await stack.temporal.workflow.getHandle(`payment-${id}`).result();

      const tx = await stack.orm.em.fork().findOneOrFail(TransactionSchema, id);
      expect(tx.status).toBe('completed');
      expect(tx.checkoutRequestId).toMatch(/^ws_CO_/);
      expect(tx.merchantRequestId).toBeTruthy();
      const checkoutRequestId = tx.checkoutRequestId!;

      const status = await stack.http.get(`/transaction/status/${checkoutRequestId}`, auth);
      expect(status.status).toBe(200);
      expect(status.data).toMatchObject({
        status: 'completed',
        transaction_id: id,
        checkout_request_id: checkoutRequestId,
      });
      expect((await stack.http.get(`/transaction/status/${id}`, auth)).data.checkout_request_id).toBe(
        checkoutRequestId,
      );
      const search = await stack.http.get(`/transactions?q=${checkoutRequestId}`, auth);
      expect(search.data).toEqual([expect.objectContaining({ id, checkout_request_id: checkoutRequestId })]);

      const hook = await eventually(async () => receiver.received[0]);
      expect(hook.body.Body.stkCallback).toMatchObject({
        CheckoutRequestID: checkoutRequestId,
        MerchantRequestID: tx.merchantRequestId,
      });
      const described = await stack.temporal.workflow.getHandle(`payment-${id}`).describe();
      expect(described.searchAttributes.ImaraCheckoutRequestId).toEqual([checkoutRequestId]);
    } finally {
      await receiver.close();
    }
  });
});

describe('A callback that names no usable CheckoutRequestID decides nothing (issue 17)', () => {
  it('When hundreds of success callbacks whose CheckoutRequestID is absent, null, true, a number, an array or an object reach pending payments by their own CallBackURLs, then none of them decides a payment and no fee is captured', async () => {
    const own = await createMerchantFixture(stack, { walletKes: 5000 });
    const pending: Array<{ transaction_id: number; checkout_request_id: string }> = [];
    for (let i = 0; i < 8; i++) {
      const res = await stack.http.post(
        '/stk-push',
        { account_id: own.channelId, phone_number: '0712345678', amount: 9908 },
        { headers: { Authorization: own.authorization } },
      );
      expect(res.status).toBe(200);
      pending.push(res.data);
    }
    const firstId = await lastCallbackId();
    const ids = pending.map((p) => p.checkout_request_id);
    const malformedId = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.constantFrom(...ids).map((id) => [id]),
      fc.constantFrom(...ids).map((id) => ({ $eq: id })),
      fc.constantFrom(...ids).map((id) => ({ toString: id })),
      fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string'),
    );
    const body = fc.record({
      payment: fc.integer({ min: 0, max: pending.length - 1 }),
      checkoutRequestId: malformedId,
      merchantRequestId: fc.oneof(fc.constant('29115-34620561-1'), malformedId),
      resultCode: fc.constantFrom(0, '0'),
      amount: fc.constantFrom(9908, '9908.00', 1),
      phone: fc.constantFrom(254712345678, 254708374149, '25471****678'),
    });
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const stkCallback: Record<string, unknown> = {
          MerchantRequestID: b.merchantRequestId,
          ResultCode: b.resultCode,
          ResultDesc: 'The service request is processed successfully.',
          CallbackMetadata: {
            Item: [
              { Name: 'Amount', Value: b.amount },
              { Name: 'MpesaReceiptNumber', Value: `FUZZ${String(sent).padStart(6, '0')}` },
              { Name: 'TransactionDate', Value: 20261207203000 },
              { Name: 'PhoneNumber', Value: b.phone },
            ],
          },
        };
        if (b.checkoutRequestId !== undefined) stkCallback.CheckoutRequestID = b.checkoutRequestId;
        const target = pending[b.payment]!.transaction_id;
        const res = await post(darajaCallbackUrl(stack.config, target), JSON.stringify({ Body: { stkCallback } }));
        sent++;
        expect(res.data).toEqual(ACCEPT);
      }),
      { numRuns: 400 },
    );

    const stored = await callbacksAfter(firstId);
    expect(stored).toHaveLength(sent);
    for (const row of stored) expect(['malformed', 'mismatched']).toContain(row.disposition);
    const em = stack.orm.em.fork();
    const rows = await em.find(TransactionSchema, { id: { $in: pending.map((p) => p.transaction_id) } });
    // Their prompts may end by silence meanwhile (failed, no_answer); no callback may decide any of them.
    expect(
      rows.filter((r) => r.decidedBy === 'callback' || r.status === 'completed' || r.status === 'needs_review'),
    ).toEqual([]);
    const kinds = await em
      .getConnection()
      .execute<{ kind: string }[]>(
        'select distinct kind from wallet_ledger where merchant_id = ? and transaction_id is not null',
        [own.merchantId],
      );
    expect(kinds.map((k) => k.kind).filter((k) => k !== 'fee_reserve' && k !== 'fee_release')).toEqual([]);
    for (const p of pending) {
      const progress = await stack.temporal.workflow
        .getHandle(`payment-${p.transaction_id}`)
        .query<{ callbacksReceived: number }>('progress');
      expect(progress.callbacksReceived).toBe(0);
    }
  }, 300_000);
});
