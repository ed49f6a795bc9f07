import { MAX_ACTIVE_API_KEYS } from '../../api/useCases/apiKeys';
import { signInMerchantUser } from '../support/signedInUsers';
import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';

/**
 * The rate limits as the API applies them (the policies themselves: rate-limits.test.ts): sign-in
 * per account and per address, sign-up per address, payment starts per API key; each refusal a
 * 429 rate_limited with Retry-After and RateLimit-* headers, and nothing done.
 */

quietTemporalRuntime();
jest.setTimeout(120_000);

describe('Rate-limited endpoints', () => {
  let stack: Stack;
  let merchant: MerchantFixture;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        RATE_LIMIT_LOGIN_PER_ACCOUNT: '3/15m',
        RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_IP: '3/15m',
        RATE_LIMIT_LOGIN_PER_IP: '5/15m',
        RATE_LIMIT_SIGN_UP_PER_IP: '2/15m',
        RATE_LIMIT_PAYMENTS_PER_API_KEY: '2/1h',
        RATE_LIMIT_PAYMENTS_PER_MERCHANT: '4/1h',
        RATE_LIMIT_REDELIVERIES_PER_MERCHANT: '2/1h',
        RATE_LIMIT_REVERSALS_PER_MERCHANT: '2/1h',
        RATE_LIMIT_INITIATOR_CHANGES_PER_MERCHANT: '2/1h',
      },
    });
    merchant = await createMerchantFixture(stack);
  });
  afterAll(() => stack?.stop());

  it('When one account is guessed at more often than allowed, then the next attempt is 429 with Retry-After and RateLimit headers', async () => {
    const attempt = (password: string) => stack.http.post('/auth/login', { email: 'owner@example.test', password });
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await attempt(`wrong password ${i}`));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    const limited = answers[3]!;
    expect(limited.data).toMatchObject({ code: 'rate_limited', retry_after: expect.any(Number) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-limit']).toBe('3');
    expect(answers[0]!.headers['ratelimit-remaining']).toBe('2');
  });

  it('When one address tries many accounts, then it is limited across them', async () => {
    const statuses = [];
    // The address has one attempt left after the test above (5 per address, 4 used).
    for (const email of ['a@example.test', 'b@example.test'])
      statuses.push((await stack.http.post('/auth/login', { email, password: 'a wrong password' })).status);
    expect(statuses).toEqual([401, 429]);
  });

  it('When one address signs up more often than allowed, then 429 and no account is created', async () => {
    const signUp = (n: number) =>
      stack.http.post('/auth/signup', {
        business_name: `Shop ${n}`,
        email: `shop${n}@example.test`,
        password: 'a long enough password',
      });
    const statuses = [(await signUp(1)).status, (await signUp(2)).status, (await signUp(3)).status];
    expect(statuses).toEqual([201, 201, 429]);
    const users = await stack.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ n: string }>>("select count(*) as n from users where email like 'shop%@example.test'");
    expect(Number(users[0]!.n)).toBe(2);
  });

  it('When one API key starts payments faster than allowed, then 429 before anything is recorded', async () => {
    const push = () =>
      stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 'not a number' },
        { headers: { Authorization: merchant.authorization } },
      );
    const statuses = [(await push()).status, (await push()).status, (await push()).status];
    expect(statuses).toEqual([400, 400, 429]);
    const express = await stack.http.post(
      '/v1/payments',
      { phoneNumber: '254712345678', amount: 10, description: 'x' },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(express.status).toBe(429);
    const rows = await stack.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ n: string }>>('select count(*) as n from transactions');
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('When the same merchant goes on with a second key or a dashboard session, then the per-merchant limit still holds', async () => {
    // Two payment starts counted so far (the key's own limit refused the rest before they reached the merchant's).
    const session = await signInMerchantUser(stack, merchant.merchantId);
    const key = await stack.http.post('/api-keys', { name: 'second key' }, { headers: { Authorization: session } });
    expect(key.status).toBe(201);
    const push = (authorization: string) =>
      stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 'x' },
        { headers: { Authorization: authorization } },
      );
    const statuses = [
      (await push(key.data.authorization)).status,
      (await push(session)).status,
      (await push(key.data.authorization)).status,
    ];
    expect(statuses).toEqual([400, 400, 429]);
  });

  it('When a merchant holds the most active keys it may, then another is refused with 409 until one is revoked', async () => {
    const session = await signInMerchantUser(stack, merchant.merchantId);
    const create = () => stack.http.post('/api-keys', { name: 'one more' }, { headers: { Authorization: session } });
    let last = await create();
    while (last.status === 201) last = await create();
    expect({ status: last.status, code: last.data.code }).toEqual({ status: 409, code: 'conflict' });
    const keys = (await stack.http.get('/api-keys', { headers: { Authorization: session } })).data as Array<{
      id: number;
      revoked_at: string | null;
    }>;
    expect(keys.filter((k) => k.revoked_at === null)).toHaveLength(MAX_ACTIVE_API_KEYS);
    await stack.http.delete(`/api-keys/${keys[0]!.id}`, { headers: { Authorization: session } });
    expect((await create()).status).toBe(201);
  });

  it('When a merchant asks for redeliveries faster than allowed, then 429 before anything is looked up', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await stack.http.post(
        '/webhooks/deliveries/999999/redeliver',
        {},
        {
          headers: { Authorization: merchant.authorization },
        },
      );
      statuses.push(res.status);
    }
    expect(statuses).toEqual([404, 404, 429]);
  });

  it('When a merchant asks for reversals faster than allowed, then 429 before anything is looked up', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push(
        (
          await stack.http.post(
            '/transactions/999999/reversal',
            {},
            { headers: { Authorization: merchant.authorization } },
          )
        ).status,
      );
    expect(statuses).toEqual([404, 404, 429]);
  });

  it('When a merchant changes initiator credentials faster than allowed, then 429 and the third is not saved', async () => {
    const statuses = [];
    for (const name of ['first_api', 'second_api', 'third_api'])
      statuses.push(
        (
          await stack.http.put(
            `/accounts/${merchant.channelId}/initiator`,
            { initiator_name: name, initiator_password: 'a password' },
            { headers: { Authorization: merchant.authorization } },
          )
        ).status,
      );
    expect(statuses).toEqual([200, 200, 429]);
    const shown = await stack.http.get(`/accounts/${merchant.channelId}/initiator`, {
      headers: { Authorization: merchant.authorization },
    });
    expect(shown.data.initiator_name).toBe('second_api');
  });
});
