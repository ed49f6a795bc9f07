import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { startWebhookReceiver } from '../support/webhookReceiver';

quietTemporalRuntime();

/**
 * APP_ENV=production: callback URLs must be public HTTPS endpoints, when saved and again at every
 * delivery attempt. (Daraja's callbacks cannot reach this test API over HTTPS, so payments here
 * settle through the STK query instead; that changes nothing for webhooks.)
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      APP_ENV: 'production',
      DARAJA_CALLBACK_TOKEN: 'production-test-callback-token',
      API_KEY_PEPPER: 'production-test-api-key-pepper',
      WEBHOOK_SECRET_KEY: 'production-test-webhook-secret-key',
      PUBLIC_BASE_URL: 'https://127.0.0.1:9',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const as = (merchant: MerchantFixture) => ({ headers: { Authorization: merchant.authorization } });

describe('Callback URL safety in production', () => {
  it.each([
    ['http://shop.example.com/cb', 'callback_url must use HTTPS'],
    ['https://10.0.0.5/cb', 'callback_url points at a non-public address (10.0.0.5)'],
    ['https://192.168.1.20/cb', 'callback_url points at a non-public address (192.168.1.20)'],
    ['https://169.254.169.254/latest/meta-data', 'callback_url points at a non-public address (169.254.169.254)'],
    ['https://100.64.0.1/cb', 'callback_url points at a non-public address (100.64.0.1)'],
    ['https://[::1]/cb', 'callback_url points at a non-public address (::1)'],
    ['https://[fd00::5]/cb', 'callback_url points at a non-public address (fd00::5)'],
    ['https://[::ffff:127.0.0.1]/cb', 'callback_url points at a non-public address (::ffff:7f00:1)'],
    [
      'https://localhost:8443/cb',
      'callback_url is not reachable on the public internet: localhost resolves to a non-public address (127.0.0.1)',
    ],
  ])('When a merchant saves %s, then it is refused with 400 and nothing changes', async (url, error) => {
    const merchant = await createMerchantFixture(stack, { callbackUrl: 'https://8.8.8.8/original' });
    const res = await stack.http.put('/settings', { callback_url: url }, as(merchant));
    expect(res.status).toBe(400);
    expect(res.data).toEqual({ error, code: 'validation_failed', field: 'callback_url' });
    expect((await stack.http.get('/settings', as(merchant))).data.callback_url).toBe('https://8.8.8.8/original');
  });

  it('When a merchant saves an HTTPS URL on a public address, then it is accepted', async () => {
    const merchant = await createMerchantFixture(stack);
    const res = await stack.http.put(
      '/settings',
      { callback_url: 'https://41.90.64.10/payment/callback' },
      as(merchant),
    );
    expect(res.status).toBe(200);
    expect(res.data.callback_url).toBe('https://41.90.64.10/payment/callback');
  });

  it('When a saved callback host now resolves to a private address, then the delivery is refused before any request and the refusal is recorded', async () => {
    const receiver = await startWebhookReceiver();
    try {
      // As if the merchant's hostname had been re-pointed (DNS rebinding) after it passed the check when saved.
      const port = new URL(receiver.url).port;
      const merchant = await createMerchantFixture(stack, {
        callbackUrl: `https://localhost:${port}/payment/callback`,
      });
      const pay = await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
        as(merchant),
      );
      expect(pay.status).toBe(200);

      const detail = await eventually(
        async () => {
          const [summary] = (await stack.http.get('/webhooks/deliveries', as(merchant))).data as any[];
          const d = summary && (await stack.http.get(`/webhooks/deliveries/${summary.id}`, as(merchant))).data;
          return d?.attempt_log.length >= 2 ? d : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(detail.status).toBe('pending');
      expect(detail.attempt_log[0]).toMatchObject({
        status_code: null,
        response_excerpt: null,
        error: 'Refused: localhost resolves to a non-public address (127.0.0.1)',
      });
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('When a saved callback URL is a literal private address, then every attempt is refused and nothing is sent', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url.replace('http:', 'https:') });
      const pay = await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 600 },
        as(merchant),
      );
      expect(pay.status).toBe(200);
      const detail = await eventually(
        async () => {
          const [summary] = (await stack.http.get('/webhooks/deliveries', as(merchant))).data as any[];
          const d = summary && (await stack.http.get(`/webhooks/deliveries/${summary.id}`, as(merchant))).data;
          // Listed from the moment it is attempted; wait for its refusal to be recorded.
          return d?.attempt_log[0]?.error ? d : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(detail.attempt_log[0]).toMatchObject({
        status_code: null,
        error: 'Refused: callback_url points at a non-public address (127.0.0.1)',
      });
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});
