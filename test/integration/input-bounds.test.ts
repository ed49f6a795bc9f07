import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin } from '../support/signedInUsers';

quietTemporalRuntime();

/**
 * Every bound of a request schema fits the column the value ends up in (or is compared with): input
 * that Postgres would refuse is refused first, with 400 `validation_failed` naming the field, instead
 * of reaching the database and answering 500. Nothing here needs a payment, so no worker runs.
 */
let stack: Stack;
let merchant: MerchantFixture;
let adminAuth: string;
beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
  merchant = await createMerchantFixture(stack);
  adminAuth = await signInAdmin(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const as = (authorization: string) => ({ headers: { Authorization: authorization } });
const cursorOf = (text: string) => Buffer.from(text).toString('base64url');
const refusedOn = (field: string) => ({ error: expect.any(String), code: 'validation_failed', field });

describe('Input the database cannot hold is refused before it gets there', () => {
  it.each([
    ['a month that does not exist', '2024-13-05T10:00:00.000000Z|5'],
    ['a day that does not exist', '2024-02-30T10:00:00.000000Z|5'],
    ['a time that does not exist', '2024-06-15T25:61:61.000000Z|5'],
    ['year 0000', '0000-01-01T00:00:00.000000Z|5'],
  ])('When a transaction list cursor carries %s, then 400 names cursor', async (_, cursor) => {
    const res = await stack.http.get('/transactions', {
      params: { cursor: cursorOf(cursor) },
      ...as(merchant.authorization),
    });
    expect([res.status, res.data]).toEqual([400, refusedOn('cursor')]);
    const admin = await stack.http.get('/admin/transactions', {
      params: { cursor: cursorOf(cursor) },
      ...as(adminAuth),
    });
    expect([admin.status, admin.data]).toEqual([400, refusedOn('cursor')]);
  });

  it.each([
    ['from', '0000-01-01'],
    ['from', '0001-01-01T00:00:00Z'],
    ['to', '0000-01-01'],
    ['to', '99999-01-01'],
  ])('When a transaction list is asked %s=%s, then 400 names it', async (field, value) => {
    for (const path of ['/transactions', '/transactions.csv']) {
      const res = await stack.http.get(path, { params: { [field]: value }, ...as(merchant.authorization) });
      expect([path, res.status, res.data]).toEqual([path, 400, refusedOn(field)]);
    }
  });

  it('When a transaction list is asked the widest range allowed, then it answers the list', async () => {
    const res = await stack.http.get('/transactions', {
      params: { from: '1900-01-01', to: '9999-12-31' },
      ...as(merchant.authorization),
    });
    expect(res.status).toBe(200);
  });

  it('When an Express customer email is longer than 320 characters (the column), then 400 names email and no customer is created', async () => {
    const email = `${'a'.repeat(321 - '@shop.example.com'.length)}@shop.example.com`;
    expect(email).toHaveLength(321);
    const res = await stack.http.post(
      '/v1/customers',
      { phoneNumber: '254712345001', email },
      as(merchant.authorization),
    );
    expect([res.status, res.data]).toEqual([
      400,
      { ...refusedOn('email'), error: 'email must be at most 320 characters' },
    ]);
    expect((await stack.http.get('/v1/customers', as(merchant.authorization))).data.data).toEqual([]);

    const fits = await stack.http.post(
      '/v1/customers',
      { phoneNumber: '254712345001', email: email.slice(1) },
      as(merchant.authorization),
    );
    expect(fits.status).toBe(201);
  });

  it('When an Express payment names an accountId beyond any id, then 400 names accountId', async () => {
    const res = await stack.http.post(
      '/v1/payments',
      { phoneNumber: '254712345678', amount: 10, description: 'Order', accountId: 2_147_483_648 },
      as(merchant.authorization),
    );
    expect([res.status, res.data]).toEqual([400, refusedOn('accountId')]);
  });

  it.each([
    ['max', [{ min: 1, max: 2_147_483_648, fee: 6 }]],
    ['fee', [{ min: 1, max: 250_000, fee: 2_147_483_648 }]],
  ])(
    'When an admin sends a pricing %s above 2³¹−1, then 400 names it and the schedule is unchanged',
    async (field, tiers) => {
      const before = (await stack.http.get('/admin/pricing', as(adminAuth))).data;
      const res = await stack.http.put('/admin/pricing', { tiers }, as(adminAuth));
      expect([res.status, res.data]).toEqual([400, refusedOn(`tiers.0.${field}`)]);
      expect((await stack.http.get('/admin/pricing', as(adminAuth))).data).toEqual(before);
    },
  );

  it('When the widest pricing an integer column holds is sent, then it is saved', async () => {
    const res = await stack.http.put(
      '/admin/pricing',
      { tiers: [{ min: 1, max: 2_147_483_647, fee: 2_147_483_647 }] },
      as(adminAuth),
    );
    expect(res.status).toBe(200);
  });

  it.each(['/admin/users', '/admin/kyc'])(
    'When %s is paged after an id beyond any id, then 400 names after_id',
    async (path) => {
      const res = await stack.http.get(path, { params: { after_id: '99999999999' }, ...as(adminAuth) });
      expect([res.status, res.data]).toEqual([400, refusedOn('after_id')]);
    },
  );
});
