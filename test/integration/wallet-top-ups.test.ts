import { walletSnapshot } from '../../db/ledger';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin, signInMerchantUser } from '../support/signedInUsers';

quietTemporalRuntime();

let stack: Stack;
let adminAuth: string;
beforeAll(async () => {
  stack = await startStack();
  adminAuth = await signInAdmin(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const as = (authorization: string) => ({ headers: { Authorization: authorization } });
const topUp = (authorization: string, amount: number, phone = '0712345678') =>
  stack.http.post('/wallet/top-ups', { amount, phone_number: phone }, as(authorization));
const balance = async (m: MerchantFixture) =>
  (await stack.http.get('/wallet', as(m.authorization))).data.balance as number;
const sql = <T>(query: string, params: unknown[] = []) =>
  stack.orm.em.fork().getConnection().execute<T[]>(query, params);

async function finalStatus(authorization: string, reference: string, wanted: 'completed' | 'failed') {
  return eventually(async () => {
    const res = await stack.http.get(`/transaction/status/${reference}`, as(authorization));
    return res.data.status === wanted ? res.data : undefined;
  });
}

async function ledgerOf(transactionId: number) {
  return sql<{ kind: string; amount: number; reference: string | null }>(
    'select kind, amount, reference from wallet_ledger where transaction_id = ? order by id',
    [transactionId],
  );
}

/** Every entry of GET /api/wallet/ledger, following X-Next-Cursor. */
async function wholeLedger(authorization: string, limit: number) {
  const entries: { id: number; amount: number; balance_after: number }[] = [];
  let cursor: string | undefined;
  do {
    const res = await stack.http.get('/wallet/ledger', { ...as(authorization), params: { limit, cursor } });
    expect(res.status).toBe(200);
    expect(res.data.length).toBeLessThanOrEqual(limit);
    entries.push(...res.data);
    cursor = res.headers['x-next-cursor'];
  } while (cursor);
  return entries;
}

describe('Service wallet top-ups', () => {
  it('When a top-up completes, then the push paid the platform paybill with TOPUP<merchant id>, the wallet is credited once, and it shows as a transaction', async () => {
    const m = await createMerchantFixture(stack);
    const res = await topUp(m.authorization, 300);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      success: true,
      message: 'STK push sent successfully',
      transaction_id: expect.any(Number),
      checkout_request_id: expect.stringMatching(/^ws_CO_/),
      fee_to_be_charged: 0,
    });
    expect(stack.simulator.control.push(res.data.checkout_request_id)?.body).toMatchObject({
      PartyB: stack.config.PLATFORM_PAYBILL,
      AccountReference: `TOPUP${m.merchantId}`,
      TransactionType: 'CustomerPayBillOnline',
      Amount: 300,
    });

    const status = await finalStatus(m.authorization, res.data.checkout_request_id, 'completed');
    expect(status.balance).toBe(1300);
    expect(await ledgerOf(res.data.transaction_id)).toEqual([
      { kind: 'fee_reserve', amount: 0, reference: null },
      { kind: 'fee_capture', amount: 0, reference: null },
      { kind: 'top_up', amount: 300, reference: `M-Pesa ${status.mpesa_receipt}` },
    ]);

    const [listed] = (
      await stack.http.get('/transactions', { ...as(m.authorization), params: { type: 'wallet_top_up' } })
    ).data;
    expect(listed).toMatchObject({
      id: res.data.transaction_id,
      type: 'wallet_top_up',
      amount: 300,
      fee_charged: 0,
      status: 'completed',
      channel: `Paybill - ${stack.config.PLATFORM_PAYBILL}`,
      customer_id: null,
    });
    expect(await sql('select id from customers where merchant_id = ?', [m.merchantId])).toEqual([]);
  });

  it('When the success callback arrives twice, then the wallet is credited once', async () => {
    const m = await createMerchantFixture(stack);
    const res = await topUp(m.authorization, 9903);
    await finalStatus(m.authorization, res.data.checkout_request_id, 'completed');
    await eventually(async () => {
      const rows = await sql<{ n: string }>(
        `select count(*) as n from daraja_callbacks where transaction_id = ? and disposition in ('signalled', 'late')`,
        [res.data.transaction_id],
      );
      return Number(rows[0]!.n) === 2 ? true : undefined;
    });
    await stack.simulator.control.settled();
    await stack.temporal.workflow.getHandle(`payment-${res.data.transaction_id}`).result();
    expect((await ledgerOf(res.data.transaction_id)).filter((e) => e.kind === 'top_up')).toHaveLength(1);
    expect(await balance(m)).toBe(1000 + 9903);
  });

  it('When the customer cancels the top-up (1032), then nothing is credited', async () => {
    const m = await createMerchantFixture(stack);
    const res = await topUp(m.authorization, 1032);
    expect(res.status).toBe(200);
    await finalStatus(m.authorization, res.data.checkout_request_id, 'failed');
    expect((await ledgerOf(res.data.transaction_id)).map((e) => e.kind)).toEqual(['fee_reserve', 'fee_release']);
    expect(await balance(m)).toBe(1000);
  });

  it('When a top-up is failed first and its success arrives late (9904), then the wallet is credited once, late', async () => {
    const m = await createMerchantFixture(stack);
    const res = await topUp(m.authorization, 9904);
    await finalStatus(m.authorization, res.data.checkout_request_id, 'failed');
    expect(await balance(m)).toBe(1000);
    await finalStatus(m.authorization, res.data.checkout_request_id, 'completed');
    await eventually(async () => ((await balance(m)) === 1000 + 9904 ? true : undefined));
    expect((await ledgerOf(res.data.transaction_id)).filter((e) => e.kind === 'top_up')).toHaveLength(1);
  });

  it('When a dashboard user of an unverified merchant tops up, then it works: top-ups need no KYC', async () => {
    const m = await createMerchantFixture(stack, { kycStatus: 'pending', walletKes: 0 });
    const session = await signInMerchantUser(stack, m.merchantId);
    const res = await topUp(session, 50, '+254 712 345 678');
    expect(res.status).toBe(200);
    await finalStatus(session, res.data.checkout_request_id, 'completed');
    expect((await stack.http.get('/wallet', as(session))).data).toEqual({ balance: 50, currency: 'KES' });
  });

  it.each([
    [{ amount: 0, phone_number: '0712345678' }, 'amount'],
    [{ amount: 10.5, phone_number: '0712345678' }, 'amount'],
    [{ amount: 250_001, phone_number: '0712345678' }, 'amount'],
    [{ amount: 100, phone_number: '0812345678' }, 'phone_number'],
    [{ amount: 100 }, 'phone_number'],
  ])('When the top-up body is %p, then 400 names %s and nothing is created', async (body, field) => {
    const m = await createMerchantFixture(stack);
    const res = await stack.http.post('/wallet/top-ups', body, as(m.authorization));
    expect(res.status).toBe(400);
    expect(res.data.field).toBe(field);
    expect(await sql('select id from transactions where merchant_id = ?', [m.merchantId])).toEqual([]);
  });

  it('When there are no credentials, then the wallet endpoints answer 401', async () => {
    expect((await stack.http.get('/wallet')).status).toBe(401);
    expect((await stack.http.post('/wallet/top-ups', { amount: 100, phone_number: '0712345678' })).status).toBe(401);
  });
});

describe('Wallet ledger', () => {
  it('When the ledger is paged two entries at a time, then every entry comes once, newest first, and the balance equals their sum', async () => {
    const m = await createMerchantFixture(stack);
    const pushes = await Promise.all(
      [100, 500, 1032].map((amount) =>
        stack.http.post(
          '/stk-push',
          { account_id: m.channelId, phone_number: '0712345678', amount },
          as(m.authorization),
        ),
      ),
    );
    await Promise.all(
      pushes.map((p, i) => finalStatus(m.authorization, p.data.checkout_request_id, i === 2 ? 'failed' : 'completed')),
    );
    await stack.http.post(
      `/admin/merchants/${m.merchantId}/wallet/adjustments`,
      { amount: 25, reason: 'goodwill credit' },
      as(adminAuth),
    );

    const all = await wholeLedger(m.authorization, 1000);
    const paged = await wholeLedger(m.authorization, 2);
    expect(paged).toEqual(all);
    expect(new Set(paged.map((e) => e.id)).size).toBe(paged.length);
    expect(paged.map((e) => e.id)).toEqual([...paged.map((e) => e.id)].sort((a, b) => b - a));
    // 1 opening top-up, 3 reserves, 2 captures, 1 release, 1 adjustment.
    expect(paged).toHaveLength(8);
    const sum = paged.reduce((total, e) => total + e.amount, 0);
    expect(await balance(m)).toBe(sum);
    expect(paged[0]!.balance_after).toBe(sum);
    expect(sum).toBe(1000 - 1 - 6 + 25);
    expect(await walletSnapshot(stack.orm.em.fork(), m.merchantId)).toEqual({ balance: sum, ledgerSum: sum });
  });

  it('When the cursor or limit is not valid, then 400 names it', async () => {
    const m = await createMerchantFixture(stack);
    const badCursor = await stack.http.get('/wallet/ledger', {
      ...as(m.authorization),
      params: { cursor: 'not-a-cursor' },
    });
    expect(badCursor.data).toMatchObject({ code: 'validation_failed', field: 'cursor' });
    const badLimit = await stack.http.get('/wallet/ledger', { ...as(m.authorization), params: { limit: 1001 } });
    expect(badLimit.data).toMatchObject({ code: 'validation_failed', field: 'limit' });
  });
});

describe('Admin wallet adjustments', () => {
  const adjust = (merchantId: number, body: unknown, authorization = adminAuth) =>
    stack.http.post(`/admin/merchants/${merchantId}/wallet/adjustments`, body, as(authorization));

  it('When an admin credits then debits a wallet, then each is one adjustment entry carrying the reason and the admin', async () => {
    const m = await createMerchantFixture(stack);
    const credit = await adjust(m.merchantId, { amount: 200, reason: 'Refund of double charge' });
    expect(credit.status).toBe(201);
    expect(credit.data).toMatchObject({
      kind: 'adjustment',
      amount: 200,
      balance_after: 1200,
      balance: 1200,
      transaction_id: null,
    });
    expect(credit.data.reference).toMatch(/^Admin \d+: Refund of double charge$/);
    const debit = await adjust(m.merchantId, { amount: -1150, reason: 'Chargeback' });
    expect(debit.data).toMatchObject({ amount: -1150, balance: 50 });

    const [newest] = (await stack.http.get('/wallet/ledger', as(m.authorization))).data;
    expect(newest).toMatchObject({ id: debit.data.id, kind: 'adjustment', amount: -1150, balance_after: 50 });
    expect((await stack.http.get(`/admin/merchants/${m.merchantId}/wallet`, as(adminAuth))).data).toEqual({
      merchant_id: m.merchantId,
      balance: 50,
      currency: 'KES',
    });
  });

  it('When a debit is larger than the balance, then 400 and nothing changes', async () => {
    const m = await createMerchantFixture(stack);
    const before = await sql('select id from wallet_ledger where merchant_id = ?', [m.merchantId]);
    const res = await adjust(m.merchantId, { amount: -1001, reason: 'Too much' });
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ field: 'amount', balance: 1000 });
    expect(await balance(m)).toBe(1000);
    expect(await sql('select id from wallet_ledger where merchant_id = ?', [m.merchantId])).toEqual(before);
  });

  it.each([
    [{ amount: 0, reason: 'nothing' }, 'amount'],
    [{ amount: 1.5, reason: 'fraction' }, 'amount'],
    [{ amount: 100 }, 'reason'],
    [{ amount: 100, reason: '  ' }, 'reason'],
  ])('When the adjustment is %p, then 400 names %s', async (body, field) => {
    const m = await createMerchantFixture(stack);
    const res = await adjust(m.merchantId, body);
    expect(res.status).toBe(400);
    expect(res.data.field).toBe(field);
    expect(await balance(m)).toBe(1000);
  });

  it('When the merchant is unknown or the caller is not an admin, then 404, 403 or 401', async () => {
    const m = await createMerchantFixture(stack);
    expect((await adjust(987654, { amount: 5, reason: 'who?' })).status).toBe(404);
    expect(
      (await adjust(m.merchantId, { amount: 5, reason: 'self-service' }, await signInMerchantUser(stack, m.merchantId)))
        .status,
    ).toBe(403);
    expect((await adjust(m.merchantId, { amount: 5, reason: 'api key' }, m.authorization)).status).toBe(401);
    expect(await balance(m)).toBe(1000);
  });

  it('When one merchant tops up and is adjusted, then another merchant’s wallet and ledger show none of it', async () => {
    const m = await createMerchantFixture(stack);
    const other = await createMerchantFixture(stack);
    await adjust(m.merchantId, { amount: 10, reason: 'only for m' });
    const res = await topUp(m.authorization, 40);
    await finalStatus(m.authorization, res.data.checkout_request_id, 'completed');
    expect(await balance(other)).toBe(1000);
    const otherLedger = (await stack.http.get('/wallet/ledger', as(other.authorization))).data;
    expect(otherLedger).toEqual([
      expect.objectContaining({ kind: 'top_up', amount: 1000, reference: 'test opening balance' }),
    ]);
    expect(
      (await stack.http.get(`/transaction/status/${res.data.checkout_request_id}`, as(other.authorization))).status,
    ).toBe(404);
  });
});
