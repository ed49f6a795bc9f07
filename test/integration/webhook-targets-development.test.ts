import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
 * A development deployment (APP_ENV unset). Webhooks reach private and loopback addresses only when
 * WEBHOOK_ALLOW_PRIVATE_TARGETS says so, and the delivery log keeps only a short, printable excerpt
 * of what a receiver answered: otherwise the dashboard is a port scanner of ImaraPay's network.
 */
const as = (merchant: MerchantFixture) => ({ headers: { Authorization: merchant.authorization } });

async function firstDeliveryOf(stack: Stack, merchant: MerchantFixture): Promise<any> {
  const pay = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
    as(merchant),
  );
  expect(pay.status).toBe(200);
  return eventually(
    async () => {
      const [summary] = (await stack.http.get('/webhooks/deliveries', as(merchant))).data as any[];
      const detail = summary && (await stack.http.get(`/webhooks/deliveries/${summary.id}`, as(merchant))).data;
      // An attempt is listed from the moment it is sent; wait for its answer (or refusal).
      const answered = detail?.attempt_log.some((a: any) => a.status_code !== null || a.error !== null);
      return answered ? detail : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

describe('Webhook targets in development, without WEBHOOK_ALLOW_PRIVATE_TARGETS', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When a saved callback URL is on loopback, then every attempt is refused, recorded, and nothing is sent', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const detail = await firstDeliveryOf(stack, merchant);
      expect(detail.attempt_log[0]).toMatchObject({
        status_code: null,
        response_excerpt: null,
        error: 'Refused: callback_url points at a non-public address (127.0.0.1)',
      });
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('When a saved callback host resolves to loopback, then the attempt is refused before any request', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, {
        callbackUrl: `http://localhost:${new URL(receiver.url).port}/payment/callback`,
      });
      const detail = await firstDeliveryOf(stack, merchant);
      expect(detail.attempt_log[0]).toMatchObject({
        status_code: null,
        error: expect.stringMatching(/^Refused: localhost resolves to a non-public address/),
      });
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});

describe('Webhook answers in the delivery log, with WEBHOOK_ALLOW_PRIVATE_TARGETS (local receivers)', () => {
  let stack: Stack;
  let server: Server;
  let url: string;
  // What a non-HTTP service, or a page full of internal detail, might answer.
  const ANSWER = `SSH-2.0-OpenSSH_9.6\r\n\u0000\u001b[2J${'internal detail '.repeat(100)}`;
  beforeAll(async () => {
    stack = await startStack({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(ANSWER));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/payment/callback`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await stack?.stop();
  });

  it('When a receiver answers at length with control characters, then at most 200 printable characters are kept', async () => {
    const merchant = await createMerchantFixture(stack, { callbackUrl: url });
    const detail = await firstDeliveryOf(stack, merchant);
    const excerpt: string = detail.attempt_log[0].response_excerpt;
    expect(detail.attempt_log[0].status_code).toBe(200);
    expect(excerpt.startsWith('SSH-2.0-OpenSSH_9.6 [2Jinternal detail')).toBe(true);
    expect(excerpt.length).toBeLessThanOrEqual(200);
    expect(excerpt).not.toMatch(/\p{Cc}/u);
    const [row] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ response_excerpt: string }[]>(
        'select response_excerpt from webhook_attempts order by id desc limit 1',
      );
    expect(row!.response_excerpt).toBe(excerpt);
  });
});
