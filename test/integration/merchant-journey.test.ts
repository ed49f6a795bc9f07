import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureAdmin } from '../../db/admins';
import { verify } from '../../domain/webhookSignature';
import { eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { kycForm } from '../support/kycForm';
import { loadSeedSnippets } from '../support/seedSnippets';
import { startWebhookReceiver } from '../support/webhookReceiver';

quietTemporalRuntime();

/** A 1×1 PNG: the smallest honest identity document. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

async function pythonWithRequests(): Promise<boolean> {
  return promisify(execFile)('python3', ['-c', 'import requests'])
    .then(() => true)
    .catch(() => false);
}

describe('A newcomer, from sign-up to a signed webhook', () => {
  it('When a merchant signs up, is verified, adds a till, tops up, creates a key and takes a payment with the docs’ code, then it is listed, exported and reported by a signed webhook', async () => {
    // Sign up; nothing that moves money is allowed before KYC.
    const signup = await stack.http.post('/auth/signup', {
      business_name: 'Duka la Mama',
      email: 'mama@duka.test',
      password: 'a long enough password',
    });
    expect(signup.status).toBe(201);
    const merchantToken: string = signup.data.token;
    expect((await stack.http.post('/api-keys', { name: 'Backend' }, bearer(merchantToken))).status).toBe(403);
    expect(
      (await stack.http.post('/accounts', { account_type: 'till', account_number: '3118761' }, bearer(merchantToken)))
        .status,
    ).toBe(403);

    // Identity verification, reviewed by an admin.
    const kyc = await stack.http.post(
      '/kyc',
      kycForm(
        {
          full_name: 'Mama Duka',
          id_type: 'national_id',
          id_number: '12345678',
          business_name: 'Duka la Mama',
          phone_number: '0712345678',
        },
        [{ kind: 'id_front', type: 'image/png', content: Buffer.from(PNG, 'base64') }],
      ),
      bearer(merchantToken),
    );
    expect(kyc.status).toBe(201);
    await ensureAdmin(stack.orm.em.fork(), {
      ...stack.config,
      ADMIN_EMAIL: 'ops@imarapay.test',
      ADMIN_PASSWORD: 'an admin password 123',
    });
    const adminToken: string = (
      await stack.http.post('/auth/login', { email: 'ops@imarapay.test', password: 'an admin password 123' })
    ).data.token;
    const pending = await stack.http.get('/admin/kyc?status=pending', bearer(adminToken));
    const submission = (pending.data as Array<{ id: number; merchant_id?: number; merchant?: { id: number } }>)[0]!;
    expect((await stack.http.post(`/admin/kyc/${submission.id}/approve`, {}, bearer(adminToken))).status).toBe(200);
    expect((await stack.http.get('/me', bearer(merchantToken))).data.merchant.kyc_status).toBe('verified');

    // A till, a topped-up wallet, an API key, a callback URL with a signing secret.
    const till = await stack.http.post(
      '/accounts',
      { account_type: 'till', account_number: '3118761' },
      bearer(merchantToken),
    );
    expect(till.status).toBe(201);
    const topUp = await stack.http.post(
      '/wallet/top-ups',
      { amount: 500, phone_number: '0712345678' },
      bearer(merchantToken),
    );
    expect(topUp.status).toBe(200);
    await eventually(async () =>
      (await stack.http.get('/wallet', bearer(merchantToken))).data.balance === 500 ? true : undefined,
    );
    const key = await stack.http.post('/api-keys', { name: 'Backend' }, bearer(merchantToken));
    expect(key.status).toBe(201);
    const receiver = await startWebhookReceiver();
    try {
      expect((await stack.http.put('/settings', { callback_url: receiver.url }, bearer(merchantToken))).status).toBe(
        200,
      );
      const { secret } = (await stack.http.post('/settings/webhook-secret/rotate', {}, bearer(merchantToken))).data as {
        secret: string;
      };

      // The docs' own JavaScript, with only the base URL and credentials filled in.
      const docs = loadSeedSnippets({
        baseUrl: stack.apiUrl,
        username: key.data.api_username,
        password: key.data.api_password,
      });
      const channel = await docs.listChannels();
      expect(channel.id).toBe(till.data.id);
      expect(await docs.getFeeExample()).toEqual([6, 15, 50]);
      const push = await docs.stkPush({
        accountId: channel.id,
        phone: '0712345678',
        amount: 500,
        reference: 'INV-001',
        description: 'Order #1001',
      });
      const status = await docs.pollTransactionStatus(push.checkout_request_id, 30_000);
      expect(status).toMatchObject({ status: 'completed', balance: 494 });

      const listed = await docs.listTransactions();
      expect(listed.map((t: { mpesa_receipt: string }) => t.mpesa_receipt)).toContain(status.mpesa_receipt);
      const csv = await stack.http.get('/transactions.csv?status=completed', {
        headers: { Authorization: key.data.authorization },
      });
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.data).toContain(status.mpesa_receipt);

      // The webhook: Daraja's shape, signed with the merchant's secret.
      const hook = await eventually(async () =>
        receiver.received.find((r) => r.body.Body?.stkCallback?.CheckoutRequestID === push.checkout_request_id),
      );
      expect(hook.body.Body.stkCallback.ResultCode).toBe(0);
      expect(
        verify({
          secret,
          header: String(hook.headers['imarapay-signature']),
          body: hook.rawBody,
          toleranceSeconds: 300,
        }).ok,
      ).toBe(true);
      expect(
        verify({
          secret: `${secret}x`,
          header: String(hook.headers['imarapay-signature']),
          body: hook.rawBody,
          toleranceSeconds: 300,
        }).ok,
      ).toBe(false);

      // The docs' error-handling example takes its 402 branch once the wallet is empty.
      const me = (await stack.http.get('/me', bearer(merchantToken))).data;
      await stack.http.post(
        `/admin/merchants/${me.merchant.id}/wallet/adjustments`,
        { amount: -494, reason: 'Test: empty the wallet' },
        bearer(adminToken),
      );
      expect(await docs.errorHandlingExample(channel.id)).toEqual(['top up']);
    } finally {
      await receiver.close();
    }
  });

  it('When python3 with requests is available, then the docs’ Python snippets take a payment too', async () => {
    if (!(await pythonWithRequests())) {
      console.warn('python3 with requests is not installed: the Python snippets were not run');
      return;
    }
    const { createMerchantFixture } = await import('../support/harness');
    const { createChannel } = await import('../../db/merchants');
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    await createChannel(stack.orm.em.fork(), {
      merchantId: merchant.merchantId,
      accountType: 'paybill',
      accountNumber: '247247',
    });
    const { stdout } = await promisify(execFile)(
      'python3',
      [join(__dirname, '..', 'fixtures', 'seed_snippets.py'), stack.apiUrl, merchant.username, merchant.password],
      { timeout: 60_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.status).toBe('completed');
    expect(result.listed).toContain(result.receipt);
    expect(result.fees).toEqual([6, 15, 50]);
  });
});
