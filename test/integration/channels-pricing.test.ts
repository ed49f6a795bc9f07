import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin, signInMerchantUser } from '../support/signedInUsers';
import { loadSeedSnippets } from '../support/seedSnippets';

quietTemporalRuntime();

let stack: Stack;
let merchant: MerchantFixture;
let adminAuth: string;
beforeAll(async () => {
  stack = await startStack();
  merchant = await createMerchantFixture(stack);
  adminAuth = await signInAdmin(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const as = (authorization: string) => ({ headers: { Authorization: authorization } });
const addChannel = (m: MerchantFixture, body: Record<string, unknown>) =>
  stack.http.post('/accounts', body, as(m.authorization));
const push = (m: MerchantFixture, body: Record<string, unknown>) =>
  stack.http.post('/stk-push', { phone_number: '0712345678', amount: 500, ...body }, as(m.authorization));

async function channelCount(merchantId: number): Promise<number> {
  const [row] = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ n: string }[]>('select count(*) as n from channels where merchant_id = ?', [merchantId]);
  return Number(row!.n);
}

describe('Payment channels', () => {
  it('When a till, a paybill and a bank account are added, then each answers the documented channel object with the documented name', async () => {
    const m = await createMerchantFixture(stack);
    const till = await addChannel(m, { account_type: 'till', account_number: '3118761' });
    expect(till.status).toBe(201);
    expect(till.data).toEqual({
      id: expect.any(Number),
      name: 'Till 3118761',
      account_type: 'till',
      account_number: '3118761',
      account_reference: '3118761',
      bank_name: null,
      is_active: true,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    const paybill = await addChannel(m, {
      account_type: 'paybill',
      account_number: '247247',
      account_reference: 'INV #7/A',
    });
    expect(paybill.data).toMatchObject({ name: 'Paybill 247247', account_reference: 'INV #7/A', bank_name: null });
    const bank = await addChannel(m, {
      account_type: 'bank',
      account_number: '0123456789',
      bank_name: '  equity   BANK ',
    });
    expect(bank.data).toMatchObject({
      name: 'Equity Bank 0123456789',
      account_type: 'bank',
      bank_name: 'Equity Bank',
      account_reference: '0123456789',
    });

    const list = await stack.http.get('/accounts', as(m.authorization));
    expect(list.data.map((c: { id: number }) => c.id)).toEqual([
      m.channelId,
      till.data.id,
      paybill.data.id,
      bank.data.id,
    ]);
  });

  it('When the docs’ channel snippet runs, then it finds the active till and skips a deactivated one', async () => {
    const m = await createMerchantFixture(stack);
    expect((await stack.http.post(`/accounts/${m.channelId}/deactivate`, {}, as(m.authorization))).status).toBe(200);
    const added = await addChannel(m, { account_type: 'till', account_number: '3118761' });
    const snippets = loadSeedSnippets({ baseUrl: stack.apiUrl, username: m.username, password: m.password });
    // The snippet prints the id of the first active till: the new till, not the deactivated first channel.
    const till = await snippets.listChannels();
    expect(till).toEqual({ id: added.data.id });
  });

  it('When a push goes to a bank channel, then M-Pesa is asked to pay the bank’s paybill with the account number as reference', async () => {
    const bank = await addChannel(merchant, {
      account_type: 'bank',
      account_number: '1180263849',
      bank_name: 'KCB Bank',
    });
    const res = await push(merchant, { account_id: bank.data.id });
    expect(res.status).toBe(200);
    const record = stack.simulator.control.push(res.data.checkout_request_id);
    expect(record?.body).toMatchObject({
      PartyB: '522522',
      AccountReference: '1180263849',
      TransactionType: 'CustomerPayBillOnline',
    });
  });

  it('When a bank account number is longer than 12 characters, then an explicit account_reference is required and pushed', async () => {
    const long = { account_type: 'bank', account_number: '01234567890123', bank_name: 'Co-operative Bank' };
    const refused = await addChannel(merchant, long);
    expect(refused.status).toBe(400);
    expect(refused.data).toMatchObject({ code: 'validation_failed', field: 'account_reference' });

    const added = await addChannel(merchant, { ...long, account_reference: '567890123' });
    expect(added.status).toBe(201);
    const res = await push(merchant, { account_id: added.data.id });
    expect(stack.simulator.control.push(res.data.checkout_request_id)?.body).toMatchObject({
      PartyB: '400200',
      AccountReference: '567890123',
    });
  });

  it.each([
    [{ account_type: 'mpesa', account_number: '3118761' }, 'account_type'],
    [{ account_type: 'till' }, 'account_number'],
    [{ account_type: 'till', account_number: '1234' }, 'account_number'],
    [{ account_type: 'till', account_number: '12345678' }, 'account_number'],
    [{ account_type: 'paybill', account_number: '24724A' }, 'account_number'],
    [{ account_type: 'till', account_number: '3118761', bank_name: 'Equity Bank' }, 'bank_name'],
    [{ account_type: 'bank', account_number: '0123456789' }, 'bank_name'],
    [{ account_type: 'bank', account_number: '0123456789', bank_name: 'Bank of Nowhere' }, 'bank_name'],
    [{ account_type: 'bank', account_number: '01234', bank_name: 'Equity Bank' }, 'account_number'],
    [{ account_type: 'bank', account_number: '0123-456789', bank_name: 'Equity Bank' }, 'account_number'],
    [{ account_type: 'paybill', account_number: '247247', account_reference: 'THIRTEEN-CHAR' }, 'account_reference'],
    [{ account_type: 'paybill', account_number: '247247', account_reference: 'A&B' }, 'account_reference'],
    [{ account_type: 'paybill', account_number: '247247', account_reference: '' }, 'account_reference'],
  ])('When the body is %p, then 400 names %s and no channel is created', async (body, field) => {
    const before = await channelCount(merchant.merchantId);
    const res = await addChannel(merchant, body);
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ code: 'validation_failed', field });
    expect(await channelCount(merchant.merchantId)).toBe(before);
  });

  it('When the same channel is added twice, then the second answers 409 with the first one’s id', async () => {
    const first = await addChannel(merchant, {
      account_type: 'paybill',
      account_number: '888880',
      account_reference: 'SHOP1',
    });
    const second = await addChannel(merchant, {
      account_type: 'paybill',
      account_number: '888880',
      account_reference: 'SHOP1',
    });
    expect(second.status).toBe(409);
    expect(second.data.account_id).toBe(first.data.id);
  });

  it('When the merchant is not verified, then adding a channel is 403 kyc_required and nothing is created', async () => {
    const unverified = await createMerchantFixture(stack, { kycStatus: 'pending' });
    const res = await addChannel(unverified, { account_type: 'till', account_number: '3118761' });
    expect(res.status).toBe(403);
    expect(res.data.code).toBe('kyc_required');
    expect(await channelCount(unverified.merchantId)).toBe(1);
  });

  it('When a channel is deactivated, then it is listed inactive, pushes to it are refused with 400, and deactivating again is harmless', async () => {
    const m = await createMerchantFixture(stack);
    const res = await stack.http.post(`/accounts/${m.channelId}/deactivate`, {}, as(m.authorization));
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ id: m.channelId, is_active: false });
    const pushesBefore = stack.simulator.control.stats().pushesAccepted;
    const pushed = await push(m, { account_id: m.channelId });
    expect(pushed.status).toBe(400);
    expect(pushed.data).toMatchObject({ field: 'account_id', error: expect.stringMatching(/deactivated/) });
    expect(stack.simulator.control.stats().pushesAccepted).toBe(pushesBefore);
    const [row] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>('select count(*) as n from transactions where merchant_id = ?', [m.merchantId]);
    expect(Number(row!.n)).toBe(0);
    expect((await stack.http.post(`/accounts/${m.channelId}/deactivate`, {}, as(m.authorization))).data.is_active).toBe(
      false,
    );
  });

  it('When another merchant’s channel is deactivated or listed, then 404 and none of its details', async () => {
    const other = await createMerchantFixture(stack);
    const res = await stack.http.post(`/accounts/${other.channelId}/deactivate`, {}, as(merchant.authorization));
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.data)).not.toContain('5123456');
    const mine = await stack.http.get('/accounts', as(merchant.authorization));
    expect(mine.data.map((c: { id: number }) => c.id)).not.toContain(other.channelId);
    const [row] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ is_active: boolean }[]>('select is_active from channels where id = ?', [other.channelId]);
    expect(row!.is_active).toBe(true);
  });

  it('When the banks are asked for without credentials, then the list names each bank with its paybill', async () => {
    const res = await stack.http.get('/banks');
    expect(res.status).toBe(200);
    expect(res.data).toEqual(
      expect.arrayContaining([
        { name: 'Equity Bank', paybill: '247247' },
        { name: 'KCB Bank', paybill: '522522' },
      ]),
    );
    expect(res.data.every((b: { paybill: string }) => /^\d{5,7}$/.test(b.paybill))).toBe(true);
  });
});

describe('Pricing', () => {
  const DEFAULT_SCHEDULE = [
    { min: 1, max: 100, fee: 1 },
    { min: 101, max: 500, fee: 6 },
    { min: 501, max: 1000, fee: 15 },
    { min: 1001, max: 2500, fee: 25 },
    { min: 2501, max: 5000, fee: 35 },
    { min: 5001, max: 10000, fee: 50 },
    { min: 10001, max: 50000, fee: 80 },
    { min: 50001, max: 150000, fee: 120 },
    { min: 150001, max: 250000, fee: 150 },
  ];
  const putPricing = (tiers: unknown, authorization = adminAuth) =>
    stack.http.put('/admin/pricing', { tiers }, as(authorization));

  it('When nothing was changed, then the docs’ getFee example gives 6, 15 and 50, and the admin sees the same schedule', async () => {
    const snippets = loadSeedSnippets({
      baseUrl: stack.apiUrl,
      username: merchant.username,
      password: merchant.password,
    });
    expect(await snippets.getFeeExample()).toEqual([6, 15, 50]);
    expect((await stack.http.get('/admin/pricing', as(adminAuth))).data).toEqual(DEFAULT_SCHEDULE);
  });

  it.each([
    [
      'overlapping',
      [
        { min: 1, max: 500, fee: 5 },
        { min: 400, max: 250000, fee: 20 },
      ],
      /overlaps the previous tier/,
    ],
    [
      'gapped',
      [
        { min: 1, max: 500, fee: 5 },
        { min: 600, max: 250000, fee: 20 },
      ],
      /leaves a gap/,
    ],
    ['not starting at 1', [{ min: 10, max: 250000, fee: 5 }], /should start at 1/],
    ['stopping short of 250,000', [{ min: 1, max: 100000, fee: 5 }], /must reach KES 250,000/],
    ['negative', [{ min: 1, max: 250000, fee: -1 }], /fee cannot be negative/],
    ['empty', [], /at least one tier/],
  ])(
    'When the new schedule is %s, then 400 names the problem and the schedule is unchanged',
    async (_name, tiers, message) => {
      const res = await putPricing(tiers);
      expect(res.status).toBe(400);
      expect(res.data.error).toMatch(message);
      expect(res.data.field).toMatch(/^tiers/);
      expect((await stack.http.get('/pricing')).data).toEqual(DEFAULT_SCHEDULE);
    },
  );

  it('When someone other than an admin edits pricing, then 401 or 403 and the schedule is unchanged', async () => {
    const valid = [{ min: 1, max: 250000, fee: 1 }];
    expect((await stack.http.put('/admin/pricing', { tiers: valid })).status).toBe(401);
    expect((await putPricing(valid, await signInMerchantUser(stack, merchant.merchantId))).status).toBe(403);
    expect((await stack.http.get('/pricing')).data).toEqual(DEFAULT_SCHEDULE);
  });

  it('When two admins save different schedules at the same moment, then both succeed and one whole schedule is in force', async () => {
    const first = [{ min: 1, max: 250000, fee: 3 }];
    const second = [
      { min: 1, max: 10, fee: 0 },
      { min: 11, max: 250000, fee: 4 },
    ];
    try {
      const results = await Promise.all([putPricing(first), putPricing(second), putPricing(first), putPricing(second)]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect([first, second]).toContainEqual((await stack.http.get('/pricing')).data);
    } finally {
      expect((await putPricing(DEFAULT_SCHEDULE)).status).toBe(200);
    }
  });

  it('When a valid schedule is saved, then the public pricing and the next STK push’s fee follow it', async () => {
    const schedule = [
      { min: 1, max: 1000, fee: 9 },
      { min: 1001, max: 250000, fee: 40 },
    ];
    try {
      const res = await putPricing(schedule);
      expect(res.status).toBe(200);
      expect(res.data).toEqual(schedule);
      expect((await stack.http.get('/pricing')).data).toEqual(schedule);
      // The quote the dashboard shows is the push's own price, edges of the tiers included.
      for (const [amount, fee] of [
        [1000, 9],
        [1001, 40],
      ] as const)
        expect((await stack.http.get('/pricing/fee', { params: { amount } })).data).toEqual({ amount, fee });
      const outside = await stack.http.get('/pricing/fee', { params: { amount: 250_001 } });
      expect(outside.status).toBe(400);
      expect(outside.data).toMatchObject({ code: 'validation_failed', field: 'amount' });

      const m = await createMerchantFixture(stack);
      const pushed = await push(m, { account_id: m.channelId, amount: 500 });
      expect(pushed.data.fee_to_be_charged).toBe(9);
      await eventually(async () =>
        (await stack.http.get(`/transaction/status/${pushed.data.checkout_request_id}`, as(m.authorization))).data
          .status === 'completed'
          ? true
          : undefined,
      );
      expect((await stack.http.get('/wallet', as(m.authorization))).data).toEqual({ balance: 991, currency: 'KES' });
    } finally {
      expect((await putPricing(DEFAULT_SCHEDULE)).status).toBe(200);
    }
  });
});
