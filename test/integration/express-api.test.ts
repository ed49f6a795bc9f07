import { issueApiKey } from '../../db/merchants';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';

quietTemporalRuntime();

let stack: Stack;
let merchant: MerchantFixture;
beforeAll(async () => {
  stack = await startStack({ withProductionDaraja: true });
  merchant = await createMerchantFixture(stack, { walletKes: 100_000 });
});
afterAll(async () => {
  await stack?.stop();
});

const valid = { phoneNumber: '254712345678', amount: 100, description: 'Invoice 1234' };
const pay = (body: Record<string, unknown>, auth = merchant.authorization, headers: Record<string, string> = {}) =>
  stack.http.post('/v1/payments', body, { headers: { Authorization: auth, ...headers } });
const fieldOf = async (body: Record<string, unknown>) => {
  const res = await pay(body);
  return {
    status: res.status,
    field: res.data.field as string | undefined,
    error: res.data.error as string | undefined,
  };
};
const metadataPairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, i]));

describe('Express payment field rules', () => {
  it.each([
    ['amount 1', { amount: 1 }],
    ['amount 250,000', { amount: 250_000 }],
    ['a 13-character description', { description: 'x'.repeat(13) }],
    ['a 12-character accountReference', { accountReference: 'REF-12345678' }],
    ['a 40-character metadata key', { metadata: { ['k'.repeat(40)]: 'v' } }],
    ['a 500-character metadata value', { metadata: { note: 'x'.repeat(500) } }],
    ['50 metadata pairs', { metadata: metadataPairs(50) }],
    ['strings, integers, floats and booleans', { metadata: { s: 'a', i: 1, f: 1.5, b: false } }],
  ])('When the body has %s, then the payment is created', async (_label, change) => {
    const res = await pay({ ...valid, ...change });
    expect(res.status).toBe(201);
    expect(res.data.id).toMatch(/^trxn_/);
  });

  it.each([
    ['amount 0', { amount: 0 }, 'amount', /greater than 0/],
    ['amount 250,001', { amount: 250_001 }, 'amount', /at most 250000/],
    ['a decimal amount', { amount: 10.5 }, 'amount', /whole number/],
    ['an empty description', { description: '' }, 'description', /1 to 13/],
    ['a 14-character description', { description: 'x'.repeat(14) }, 'description', /1 to 13/],
    ['a 13-character accountReference', { accountReference: 'REF-123456789' }, 'accountReference', /1 to 12/],
    ['a phone number not in 254XXXXXXXXX form', { phoneNumber: '0712345678' }, 'phoneNumber', /254XXXXXXXXX/],
    ['no phone number and no customerId', { phoneNumber: undefined }, 'phoneNumber', /required unless customerId/],
    [
      'a 41-character metadata key',
      { metadata: { ['k'.repeat(41)]: 'v' } },
      `metadata.${'k'.repeat(41)}`,
      /1 to 40 characters/,
    ],
    ['a 501-character metadata value', { metadata: { note: 'x'.repeat(501) } }, 'metadata.note', /at most 500/],
    ['51 metadata pairs', { metadata: metadataPairs(51) }, 'metadata', /at most 50/],
    [
      'an object as a metadata value',
      { metadata: { nested: { a: 1 } } },
      'metadata.nested',
      /string, integer, float or boolean/,
    ],
    ['an array as a metadata value', { metadata: { list: [1] } }, 'metadata.list', /got array/],
    ['null as a metadata value', { metadata: { nothing: null } }, 'metadata.nothing', /got null/],
    [
      'a bad customer metadata key',
      { customerMetadata: { ['k'.repeat(41)]: 1 } },
      `customerMetadata.${'k'.repeat(41)}`,
      /1 to 40/,
    ],
    [
      'a 256-character customerDescription',
      { customerDescription: 'x'.repeat(256) },
      'customerDescription',
      /1 to 255/,
    ],
    ['a 4-character email', { email: 'a@bc' }, 'email', /at least 5/],
  ])(
    'When the body has %s, then 400 names the field and nothing is created',
    async (_label, change, field, message) => {
      const before = stack.simulator.control.stats().pushesAccepted;
      const result = await fieldOf({ ...valid, ...change });
      expect(result).toMatchObject({ status: 400, field });
      expect(result.error).toMatch(message);
      expect(stack.simulator.control.stats().pushesAccepted).toBe(before);
    },
  );
});

describe('Express payments and customers', () => {
  it('When a sandbox payment is made, then it completes with the seed’s response fields and can be retrieved and listed', async () => {
    // A phone no earlier test used: the customer is new, so its details are taken from this request.
    const res = await pay({
      ...valid,
      phoneNumber: '254700111222',
      amount: 1000,
      name: 'John Doe',
      email: 'johndoe@example.com',
      customerDescription: 'VIP Customer',
      customerMetadata: { tier: 'gold' },
      metadata: { order_id: 'ord_123456' },
    });
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({
      status: 'pending',
      amount: 1000,
      fee: 15,
      netAmount: 985,
      currency: 'KES',
      phoneNumber: '254700111222',
      environment: 'sandbox',
      description: 'Invoice 1234',
      accountReference: '5123456',
    });
    expect(res.data.customerId).toMatch(/^cus_/);
    expect(new Date(res.data.timestamp).toISOString()).toBe(res.data.timestamp);

    const done = await eventually(async () => {
      const r = await stack.http.get(`/v1/payments/${res.data.id}`, {
        headers: { Authorization: merchant.authorization },
      });
      return r.data.status === 'completed' ? r.data : undefined;
    });
    expect(done).toMatchObject({
      id: res.data.id,
      message: 'The service request is processed successfully.',
      metadata: { order_id: 'ord_123456' },
    });
    expect(done.mpesaReceipt).toMatch(/^[A-Z0-9]{10}$/);

    const customer = await stack.http.get(`/v1/customers/${res.data.customerId}`, {
      headers: { Authorization: merchant.authorization },
    });
    expect(customer.data).toMatchObject({
      name: 'John Doe',
      email: 'johndoe@example.com',
      description: 'VIP Customer',
      metadata: { tier: 'gold' },
    });
    const list = await stack.http.get('/v1/payments?limit=100', { headers: { Authorization: merchant.authorization } });
    expect(list.data.data.map((p: { id: string }) => p.id)).toContain(res.data.id);
  });

  it('When customerId is given, then the customer fields are ignored and the payment goes to that customer’s phone', async () => {
    const created = await stack.http.post(
      '/v1/customers',
      { phoneNumber: '254798765432', name: 'Asha' },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(created.status).toBe(201);
    const res = await pay({
      customerId: created.data.id,
      amount: 200,
      description: 'Reuse',
      name: 'Someone Else',
      phoneNumber: '254711111111',
      customerDescription: 'ignored',
    });
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({ customerId: created.data.id, phoneNumber: '254798765432' });
    const customer = await stack.http.get(`/v1/customers/${created.data.id}`, {
      headers: { Authorization: merchant.authorization },
    });
    expect(customer.data).toMatchObject({ name: 'Asha', description: null });

    const updated = await stack.http.patch(
      `/v1/customers/${created.data.id}`,
      { email: 'asha@example.com', metadata: { vip: true } },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(updated.data).toMatchObject({ name: 'Asha', email: 'asha@example.com', metadata: { vip: true } });
    expect((await pay({ customerId: 'cus_doesnotexist', amount: 10, description: 'x' })).status).toBe(404);
  });

  it('When two payments come from one new phone, then both belong to one customer', async () => {
    const [a, b] = await Promise.all([
      pay({ ...valid, phoneNumber: '254722000111' }),
      pay({ ...valid, phoneNumber: '254722000111' }),
    ]);
    expect(a.data.customerId).toBe(b.data.customerId);
  });

  it('When an Idempotency-Key is retried, then the same payment comes back; with a different body, 409', async () => {
    const headers = { 'Idempotency-Key': 'express-order-77' };
    const first = await pay(valid, merchant.authorization, headers);
    const again = await pay(valid, merchant.authorization, headers);
    expect(again.data.id).toBe(first.data.id);
    expect((await pay({ ...valid, amount: 101 }, merchant.authorization, headers)).status).toBe(409);
  });

  it('When a live key lists payments and customers, then it sees none of the sandbox ones, and the reverse', async () => {
    const live = await issueApiKey(
      stack.orm.em.fork(),
      stack.config.API_KEY_PEPPER,
      merchant.merchantId,
      'live',
      'production',
    );
    const liveAuth = `Basic ${Buffer.from(`${live.username}:${live.password}`).toString('base64')}`;
    const livePayment = await pay({ ...valid, phoneNumber: '254733000222' }, liveAuth);
    expect(livePayment.status).toBe(201);
    expect(livePayment.data.environment).toBe('production');

    const sandboxPayment = await pay({ ...valid, phoneNumber: '254733000222' });
    expect(sandboxPayment.data.customerId).not.toBe(livePayment.data.customerId);
    expect(
      (
        await stack.http.get(`/v1/payments/${livePayment.data.id}`, {
          headers: { Authorization: merchant.authorization },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await stack.http.get(`/v1/customers/${sandboxPayment.data.customerId}`, {
          headers: { Authorization: liveAuth },
        })
      ).status,
    ).toBe(404);
    const liveList = await stack.http.get('/v1/payments?limit=100', { headers: { Authorization: liveAuth } });
    expect(liveList.data.data.map((p: { id: string }) => p.id)).toEqual([livePayment.data.id]);
  });
});
