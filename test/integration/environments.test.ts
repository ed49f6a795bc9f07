import { issueApiKey } from '../../db/merchants';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

describe('Sandbox and production environments', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ withProductionDaraja: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When a sandbox key and a live key each push, then each payment goes to its own Daraja and neither key can see the other’s payment', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const live = await issueApiKey(
      stack.orm.em.fork(),
      stack.config.API_KEY_PEPPER,
      merchant.merchantId,
      'live key',
      'production',
    );
    const liveAuth = `Basic ${Buffer.from(`${live.username}:${live.password}`).toString('base64')}`;
    const body = { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 };

    const sandboxPush = await stack.http.post('/stk-push', body, {
      headers: { Authorization: merchant.authorization },
    });
    const livePush = await stack.http.post('/stk-push', body, { headers: { Authorization: liveAuth } });
    expect([sandboxPush.status, livePush.status]).toEqual([200, 200]);

    expect(stack.simulator.control.push(sandboxPush.data.checkout_request_id)).toBeDefined();
    expect(stack.simulator.control.push(livePush.data.checkout_request_id)).toBeUndefined();
    const livePushBody = stack.productionSimulator!.control.push(livePush.data.checkout_request_id)!.body as Record<
      string,
      unknown
    >;
    expect(livePushBody.BusinessShortCode).toBe('4123456');

    const statusAs = (auth: string, id: string) =>
      stack.http.get(`/transaction/status/${id}`, { headers: { Authorization: auth } });
    expect((await statusAs(merchant.authorization, livePush.data.checkout_request_id)).status).toBe(404);
    expect((await statusAs(liveAuth, sandboxPush.data.checkout_request_id)).status).toBe(404);
    const liveDone = await eventually(async () => {
      const res = await statusAs(liveAuth, livePush.data.checkout_request_id);
      return res.data.status === 'completed' ? res.data : undefined;
    });
    expect(liveDone.amount).toBe(500);

    const [row] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ environment: string }[]>('select environment from transactions where id = ?', [
        livePush.data.transaction_id,
      ]);
    expect(row!.environment).toBe('production');
    const described = await stack.temporal.workflow.getHandle(`payment-${livePush.data.transaction_id}`).describe();
    expect(described.searchAttributes.ImaraEnvironment).toEqual(['production']);
  });

  it('When the same Idempotency-Key is used by a sandbox key and a live key, then they are two different payments', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const live = await issueApiKey(
      stack.orm.em.fork(),
      stack.config.API_KEY_PEPPER,
      merchant.merchantId,
      'live key',
      'production',
    );
    const liveAuth = `Basic ${Buffer.from(`${live.username}:${live.password}`).toString('base64')}`;
    const body = { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 };
    const a = await stack.http.post('/stk-push', body, {
      headers: { Authorization: merchant.authorization, 'Idempotency-Key': 'shared-key' },
    });
    const b = await stack.http.post('/stk-push', body, {
      headers: { Authorization: liveAuth, 'Idempotency-Key': 'shared-key' },
    });
    expect(a.data.transaction_id).not.toBe(b.data.transaction_id);
  });
});

describe('A deployment without live credentials', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When a live key pushes, then it is refused with 403 and nothing reaches any Daraja', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const live = await issueApiKey(
      stack.orm.em.fork(),
      stack.config.API_KEY_PEPPER,
      merchant.merchantId,
      'live key',
      'production',
    );
    const before = stack.simulator.control.stats().pushesAccepted;
    const res = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
      { headers: { Authorization: `Basic ${Buffer.from(`${live.username}:${live.password}`).toString('base64')}` } },
    );
    expect(res.status).toBe(403);
    expect(res.data.error).toMatch(/Live \(production\) payments are not enabled/);
    expect(stack.simulator.control.stats().pushesAccepted).toBe(before);
  });
});
