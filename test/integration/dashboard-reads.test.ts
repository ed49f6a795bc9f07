import { randomBytes } from 'node:crypto';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { signInAdmin, signInMerchantUser } from '../support/signedInUsers';
import { createMerchant } from '../../db/merchants';
import { UserSchema } from '../../db/entities';
import { loadSeedSnippets } from '../support/seedSnippets';

quietTemporalRuntime();

const TEMPORAL_UI_URL = 'https://temporal.ops.example.test';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { TEMPORAL_UI_URL } });
});
afterAll(async () => {
  await stack?.stop();
});

interface TimelineEvent {
  kind: string;
  title: string;
  detail: string | null;
}

describe('GET /api/transactions/:id/timeline: STK status queries', () => {
  it.each([
    [9902, 'no callback ever comes and the first query settles it'],
    [9905, 'the query says "being processed" three times, then success'],
  ])(
    'When KES %i is pushed (%s), then every query the workflow made is on the timeline with its answer',
    async (amount) => {
      const merchant = await createMerchantFixture(stack);
      const push = await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount },
        { headers: { Authorization: merchant.authorization } },
      );
      expect(push.status).toBe(200);
      const id: number = push.data.transaction_id;
      const timeline = await eventually(async () => {
        const res = await stack.http.get(`/transactions/${id}/timeline`, {
          headers: { Authorization: merchant.authorization },
        });
        return res.data.transaction?.status === 'completed' ? res.data : undefined;
      });
      expect(timeline.transaction.decided_by).toBe('query');

      const queries = (timeline.events as TimelineEvent[]).filter((e) => e.kind === 'status_query');
      const stored = await stack.orm.em
        .fork()
        .getConnection()
        .execute<{ state: string; result_code: string | null }[]>(
          'select state, result_code from stk_status_queries where transaction_id = ? order by id',
          [id],
        );
      expect(queries).toHaveLength(stored.length);
      expect(stored.at(-1)).toEqual({ state: 'final', result_code: '0' });
      expect(queries.at(-1)!.title).toBe('STK status query: ResultCode 0');
      expect(queries.at(-1)!.detail).toMatch(/processed successfully/i);
      if (amount === 9905) {
        expect(stored.slice(0, 3).map((q) => q.state)).toEqual(['pending', 'pending', 'pending']);
        expect(queries[0]!.title).toBe('STK status query: still being processed');
      }
      // Queries come after the push and before the settlement they decided.
      const kinds = (timeline.events as TimelineEvent[]).map((e) => e.kind);
      expect(kinds.indexOf('push_accepted')).toBeLessThan(kinds.indexOf('status_query'));
      expect(kinds.lastIndexOf('status_query')).toBeLessThan(kinds.indexOf('settled'));
    },
  );
});

describe('GET /api/admin/users?q=', () => {
  it('When more users match than a page holds, then the case-insensitive search pages through them all by cursor', async () => {
    const token = randomBytes(4).toString('hex');
    const em = stack.orm.em.fork();
    const expected: string[] = [];
    for (let i = 0; i < 4; i++) {
      // The token only in the business name, in capitals.
      const merchantId = await createMerchant(em, {
        name: `Duka ${token.toUpperCase()} ${i}`,
        email: `biz-${token}-${i}@example.test`,
        kycStatus: 'verified',
        callbackUrl: null,
      });
      const email = `owner-${i}-${randomBytes(3).toString('hex')}@example.test`;
      em.create(UserSchema, { email, passwordHash: 'unused', role: 'merchant', merchant: merchantId } as never);
      expected.push(email);
    }
    for (let i = 0; i < 3; i++) {
      // The token only in the email.
      const merchantId = await createMerchant(em, {
        name: `Other shop ${randomBytes(3).toString('hex')}`,
        email: `x-${randomBytes(3).toString('hex')}@example.test`,
        kycStatus: 'pending',
        callbackUrl: null,
      });
      const email = `cashier.${token.toUpperCase()}.${i}@example.test`.toLowerCase();
      em.create(UserSchema, { email, passwordHash: 'unused', role: 'merchant', merchant: merchantId } as never);
      expected.push(email);
    }
    // A user that does not match.
    em.create(UserSchema, {
      email: `nobody-${randomBytes(3).toString('hex')}@example.test`,
      passwordHash: 'unused',
      role: 'admin',
      merchant: null,
    } as never);
    await em.flush();
    const admin = { headers: { Authorization: await signInAdmin(stack) } };

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | undefined;
    do {
      const res = await stack.http.get('/admin/users', {
        ...admin,
        params: { q: token.toUpperCase().slice(0, 6), limit: 3, ...(cursor ? { cursor } : {}) },
      });
      expect(res.status).toBe(200);
      pageSizes.push(res.data.length);
      seen.push(...res.data.map((u: { email: string }) => u.email));
      cursor = res.headers['x-next-cursor'];
    } while (cursor);
    expect(pageSizes).toEqual([3, 3, 1]);
    expect(seen).toEqual(expected);

    const byStatus = await stack.http.get('/admin/users', { ...admin, params: { q: token, kyc_status: 'pending' } });
    expect(byStatus.data.map((u: { email: string }) => u.email)).toEqual(expected.slice(4));
    // Wildcards are searched for literally.
    expect((await stack.http.get('/admin/users', { ...admin, params: { q: '%' } })).data).toEqual([]);
    const bad = await stack.http.get('/admin/users', { ...admin, params: { cursor: 'not-a-cursor' } });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ code: 'validation_failed', field: 'cursor' });
  });
});

describe('GET /api/me: the Temporal UI link', () => {
  it('When an admin asks, then the configured Temporal UI address comes with the session; a merchant gets none', async () => {
    const admin = await stack.http.get('/me', { headers: { Authorization: await signInAdmin(stack) } });
    expect(admin.data.temporal_ui).toEqual({ workflows_url: `${TEMPORAL_UI_URL}/namespaces/default/workflows` });
    const merchant = await createMerchantFixture(stack);
    const mine = await stack.http.get('/me', {
      headers: { Authorization: await signInMerchantUser(stack, merchant.merchantId) },
    });
    expect(mine.status).toBe(200);
    expect(mine.data).not.toHaveProperty('temporal_ui');
  });
});

describe("The docs' STK push example (the very file the API Documentation page shows)", () => {
  it('When it runs for a channel of the merchant, then it prints the CheckoutRequestID of a completed payment', async () => {
    const merchant = await createMerchantFixture(stack);
    const docs = loadSeedSnippets({ baseUrl: stack.apiUrl, username: merchant.username, password: merchant.password });
    const checkoutRequestId = await docs.stkPushExample(merchant.channelId);
    expect(checkoutRequestId).toMatch(/^ws_CO_/);
    expect(await docs.pollTransactionStatus(checkoutRequestId, 30_000)).toMatchObject({
      status: 'completed',
      amount: 500,
    });
  });
});

// Last in this file: it stops the simulator.
describe('GET /api/transactions/:id/timeline: status queries Daraja cannot answer', () => {
  it('When Daraja cannot be reached while the workflow queries, then each failed query is listed with its error', async () => {
    const merchant = await createMerchantFixture(stack);
    // 9908: the prompt stays open, so no callback comes and only the queries could decide.
    const push = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 9908 },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(push.status).toBe(200);
    await stack.simulator.stop();
    const timeline = await eventually(
      async () => {
        const res = await stack.http.get(`/transactions/${push.data.transaction_id}/timeline`, {
          headers: { Authorization: merchant.authorization },
        });
        return res.data.transaction?.status === 'failed' ? res.data : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const queries = (timeline.events as TimelineEvent[]).filter((e) => e.kind === 'status_query');
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      expect(query.title).toBe('STK status query failed: Daraja could not be reached');
      // What went wrong in merchant terms; the transport detail (address, port) stays in the worker's log.
      expect(query.detail).toBe('M-Pesa could not be reached');
    }
  });
});
