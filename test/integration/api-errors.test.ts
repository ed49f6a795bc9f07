import { createChannel, createMerchant } from '../../db/merchants';
import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';

quietTemporalRuntime();

let stack: Stack;
let merchant: MerchantFixture;
beforeAll(async () => {
  stack = await startStack();
  merchant = await createMerchantFixture(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const valid = () => ({ account_id: merchant.channelId, phone_number: '0712345678', amount: 500 });
const pushAs = (authorization: string | undefined, body: unknown) =>
  stack.http.post('/stk-push', body, { headers: authorization ? { Authorization: authorization } : {} });

async function transactionCount(): Promise<number> {
  const [row] = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ n: string }[]>('select count(*) as n from transactions');
  return Number(row!.n);
}

describe('Bad input answers a clear error and changes nothing', () => {
  it.each([
    [{ amount: undefined }, 'amount', /amount is required/],
    [{ amount: 10.5 }, 'amount', /whole number/],
    [{ amount: 0 }, 'amount', /at least KES 1/],
    [{ amount: 250_001 }, 'amount', /at most KES 250,000/],
    [{ amount: '500' }, 'amount', /whole number of KES/],
    [{ phone_number: '0812345678' }, 'phone_number', /phone/i],
    [{ phone_number: undefined }, 'phone_number', /phone_number is required/],
    [{ account_id: 'abc' }, 'account_id', /account_id/],
    [{ description: 'Fourteen chars' }, 'description', /at most 13 characters/],
  ])('When the body has %p, then 400 names %s', async (change, field, message) => {
    const before = await transactionCount();
    const res = await pushAs(merchant.authorization, { ...valid(), ...change });
    expect(res.status).toBe(400);
    expect(res.data.field).toBe(field);
    expect(res.data.error).toMatch(message);
    expect(await transactionCount()).toBe(before);
  });

  it('When the body is not JSON, then 400 says so', async () => {
    const res = await stack.http.post('/stk-push', '{"amount": ', {
      headers: { Authorization: merchant.authorization, 'Content-Type': 'application/json' },
      transformRequest: (d) => d,
    });
    expect(res.status).toBe(400);
    expect(res.data.error).toBe('Request body is not valid JSON');
  });

  it('When credentials are missing or wrong, then 401', async () => {
    expect((await pushAs(undefined, valid())).status).toBe(401);
    const wrong = `Basic ${Buffer.from(`${merchant.username}:not-the-password`).toString('base64')}`;
    const res = await pushAs(wrong, valid());
    expect(res.status).toBe(401);
    expect(res.data).toEqual({ error: 'Invalid API credentials', code: 'unauthorized' });
  });

  it('When the channel does not exist, or belongs to another merchant, then the same 404: no answer tells whether another account’s channel exists', async () => {
    const em = stack.orm.em.fork();
    const otherMerchant = await createMerchant(em, {
      name: 'Other',
      email: 'other@example.test',
      kycStatus: 'verified',
    });
    const otherChannel = await createChannel(em, {
      merchantId: otherMerchant,
      accountType: 'paybill',
      accountNumber: '888880',
    });
    const missingChannel = otherChannel + 1_000;
    const [others, missing] = [
      await pushAs(merchant.authorization, { ...valid(), account_id: otherChannel }),
      await pushAs(merchant.authorization, { ...valid(), account_id: missingChannel }),
    ];
    expect([others.status, missing.status]).toEqual([404, 404]);
    const shape = (res: typeof others, id: number) => JSON.stringify(res.data).replace(String(id), '<id>');
    expect(shape(others, otherChannel)).toEqual(shape(missing, missingChannel));
    expect(JSON.stringify(others.data)).not.toContain('888880');
  });

  it('When the merchant is not verified, then 403 says KYC is required', async () => {
    const unverified = await createMerchantFixture(stack, { kycStatus: 'pending' });
    const res = await pushAs(unverified.authorization, { ...valid(), account_id: unverified.channelId });
    expect(res.status).toBe(403);
    expect(res.data.error).toMatch(/KYC/);
  });

  it('When another merchant’s transaction is asked for, then 404 and nothing about it', async () => {
    const mine = await pushAs(merchant.authorization, valid());
    const other = await createMerchantFixture(stack);
    const res = await stack.http.get(`/transaction/status/${mine.data.checkout_request_id}`, {
      headers: { Authorization: other.authorization },
    });
    expect(res.status).toBe(404);
    expect(res.data.amount).toBeUndefined();
  });

  it('When the pricing is asked for without credentials, then the docs’ getFee gives 500 → 6, 1,000 → 15, 10,000 → 50', async () => {
    const res = await stack.http.get('/pricing');
    const tiers = res.data as Array<{ min: number; max: number; fee: number }>;
    const getFee = (amount: number) => tiers.find((t) => amount >= t.min && amount <= t.max)?.fee ?? 0;
    expect([getFee(500), getFee(1000), getFee(10000)]).toEqual([6, 15, 50]);
  });
});
