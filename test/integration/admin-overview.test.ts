import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { startWebhookReceiver } from '../support/webhookReceiver';
import { signInAdmin, signInMerchantUser } from '../support/signedInUsers';

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

async function pay(merchant: MerchantFixture, amount: number): Promise<{ checkout_request_id: string }> {
  const res = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount },
    { headers: { Authorization: merchant.authorization } },
  );
  expect(res.status).toBe(200);
  return res.data;
}

async function settled(merchant: MerchantFixture, checkoutRequestId: string, status: 'completed' | 'failed') {
  await eventually(async () => {
    const res = await stack.http.get(`/transaction/status/${checkoutRequestId}`, {
      headers: { Authorization: merchant.authorization },
    });
    return res.data.status === status ? true : undefined;
  });
}

describe('Admin overview', () => {
  it('When nothing has happened today, then every figure is zero and the success rate is null (not 0%)', async () => {
    const res = await stack.http.get('/admin/overview', admin);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      environment: 'all',
      payments_today: { pending: 0, completed: 0, failed: 0 },
      volume_today: 0,
      success_rate_today: null,
      fees_earned_today: 0,
      pending_kyc: 0,
      webhook_backlog: 0,
    });
    // "Today" is Nairobi's calendar day (UTC+3 all year).
    expect(res.data.date).toBe(new Date(Date.now() + 3 * 3600_000).toISOString().slice(0, 10));
  });

  it('When payments complete, fail and wait, then today’s counts, volume, success rate, fees, KYC queue and webhook backlog add up', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 5000 });
    await createMerchantFixture(stack, { kycStatus: 'pending' });
    await createMerchantFixture(stack, { kycStatus: 'pending' });
    const downReceiver = await startWebhookReceiver(() => 500);
    try {
      const withBrokenWebhook = await createMerchantFixture(stack, { callbackUrl: downReceiver.url });

      const small = await pay(merchant, 500); // fee 6
      const large = await pay(merchant, 1000); // fee 15
      const cancelled = await pay(merchant, 1032); // the customer cancels: failed, fee refunded
      await settled(merchant, small.checkout_request_id, 'completed');
      await settled(merchant, large.checkout_request_id, 'completed');
      await settled(merchant, cancelled.checkout_request_id, 'failed');
      const hooked = await pay(withBrokenWebhook, 2000); // fee of the 1,001–2,500 tier
      await settled(withBrokenWebhook, hooked.checkout_request_id, 'completed');
      await eventually(async () => (downReceiver.received.length > 0 ? true : undefined));
      await pay(merchant, 9908); // the prompt stays open: pending

      const fees = (await stack.http.get('/pricing')).data as Array<{ min: number; max: number; fee: number }>;
      const feeFor = (amount: number) => fees.find((t) => amount >= t.min && amount <= t.max)!.fee;
      const res = await stack.http.get('/admin/overview', admin);
      expect(res.status).toBe(200);
      expect(res.data).toMatchObject({
        payments_today: { pending: 1, completed: 3, failed: 1 },
        volume_today: 500 + 1000 + 2000,
        success_rate_today: 0.75,
        fees_earned_today: feeFor(500) + feeFor(1000) + feeFor(2000),
        pending_kyc: 2,
        webhook_backlog: 1,
      });
      expect(feeFor(500) + feeFor(1000)).toBe(21);

      const sandbox = await stack.http.get('/admin/overview?environment=sandbox', admin);
      expect(sandbox.data).toMatchObject({ environment: 'sandbox', payments_today: { completed: 3 } });
      const production = await stack.http.get('/admin/overview?environment=production', admin);
      expect(production.data).toMatchObject({
        environment: 'production',
        payments_today: { pending: 0, completed: 0, failed: 0 },
        volume_today: 0,
        success_rate_today: null,
      });
    } finally {
      await downReceiver.close();
    }
  });

  it('When the environment filter is unknown, then 400 names it', async () => {
    const res = await stack.http.get('/admin/overview?environment=staging', admin);
    expect(res.status).toBe(400);
    expect(res.data).toEqual({
      error: 'environment must be sandbox or production',
      code: 'validation_failed',
      field: 'environment',
    });
  });

  it('When a merchant (API key or dashboard user) or nobody asks, then the overview is refused', async () => {
    const merchant = await createMerchantFixture(stack);
    expect((await stack.http.get('/admin/overview')).status).toBe(401);
    expect(
      (await stack.http.get('/admin/overview', { headers: { Authorization: merchant.authorization } })).status,
    ).toBe(401);
    const dashboard = await stack.http.get('/admin/overview', {
      headers: { Authorization: await signInMerchantUser(stack, merchant.merchantId) },
    });
    expect(dashboard.status).toBe(403);
    expect(dashboard.data.code).toBe('forbidden');
  });
});
