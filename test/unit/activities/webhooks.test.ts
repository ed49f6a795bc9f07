import { ApplicationFailure } from '@temporalio/common';
import axios from 'axios';
import { createWebhookActivities, type WebhookDeps } from '../../../activities/webhooks';
import type { PostOutcome } from '../../../activities/webhookPost';
import type { Merchant, Transaction, WebhookDelivery } from '../../../db/entities';
import type { AttemptClaim, AttemptResult } from '../../../db/webhookAttempts';
import { FailureType } from '../../../domain/failureTypes';
import { SIGNATURE_HEADER, verify } from '../../../domain/webhookSignature';
import { runActivity } from '../../support/activityEnvironment';

const SECRET = 'whsec_test';

/** One payment, its merchant and its deliveries in memory: db/webhookOutbox.ts's contract. */
function fakeWebhookDb(
  payment: Partial<Transaction> = {},
  callbackUrl: string | null = 'https://shop.example/hooks',
  linkId: string | null = null,
) {
  const tx = {
    id: 7,
    publicId: 'trxn_7',
    merchant: 3,
    purpose: 'payment',
    status: 'completed',
    amount: 500,
    phoneNumber: '254712345678',
    externalReference: null,
    checkoutRequestId: 'ws_CO_1',
    merchantRequestId: 'mr_1',
    resultCode: '0',
    resultDesc: 'processed',
    mpesaReceipt: 'TJK4ABCD12',
    mpesaAmount: 500,
    mpesaPhoneNumber: null,
    mpesaTransactionDate: '20261208100000',
    completedAt: new Date('2026-12-08T07:00:00Z'),
    metadata: {},
    ...payment,
  } as unknown as Transaction;
  const merchant = { id: 3, callbackUrl } as Merchant;
  const deliveries: WebhookDelivery[] = [];
  const superseded: string[] = [];
  const attempts: AttemptResult[] = [];
  const claims: AttemptClaim[] = [];
  const db: WebhookDeps['webhookDb'] = {
    paymentWithMerchant: async () => ({ payment: tx, merchant, linkId }),
    supersedePendingDelivery: async (_id, event) => void superseded.push(event),
    ensurePaymentDelivery: async (d) => {
      const found = deliveries.find((x) => x.event === d.event);
      if (found) return found;
      const created = {
        id: 40 + deliveries.length,
        merchant: d.merchantId,
        transaction: d.transactionId,
        event: d.event,
        url: d.url,
        payload: d.payload as Record<string, unknown>,
        status: 'pending',
      } as WebhookDelivery;
      deliveries.push(created);
      return created;
    },
    givePaymentDeliveryUp: async () => undefined,
    deliveryWithMerchant: async (id) => ({ delivery: deliveries.find((d) => d.id === id)!, merchant }),
    giveRedeliveryUp: async () => undefined,
    ensureWebhookSecret: async () => SECRET,
    claimWebhookAttempt: async () => claims.shift() ?? { kind: 'send', attemptNo: attempts.length + 1 },
    recordAttemptResult: async (r) => {
      attempts.push(r);
      return 'on_time';
    },
    reversalOfPayment: async () => null,
  };
  return { db, deliveries, superseded, attempts, claims };
}

interface Posted {
  url: string;
  body: string;
  headers: Record<string, string>;
}

function activities(db: WebhookDeps['webhookDb'], answer: Partial<PostOutcome> = {}) {
  const posted: Posted[] = [];
  const built = createWebhookActivities({
    webhookDb: db,
    presence: async () => '4242@1765180000',
    http: axios.create(),
    timeoutMs: 5_000,
    secretKey: 'key',
    publicUrlsOnly: true,
    httpsOnly: true,
    post: async (_deps, url, body, headers) => {
      posted.push({ url, body, headers });
      return { statusCode: 200, error: null, excerpt: 'ok', sent: true, ...answer };
    },
  });
  return { ...built, posted };
}

const run = runActivity;

describe('Webhook delivery activities, with a fake database and a fake HTTP POST', () => {
  it('When a payment completes, then its result is POSTed once, signed, with its delivery id, and the attempt recorded accepted', async () => {
    const fake = fakeWebhookDb();
    const { deliverWebhook, posted } = activities(fake.db);
    const result = await run(deliverWebhook, { transactionId: 7, event: 'payment.completed' });
    expect(result).toEqual({ delivered: true, skippedReason: null });
    expect(posted).toHaveLength(1);
    const [post] = posted;
    expect(post!.url).toBe('https://shop.example/hooks');
    expect(JSON.parse(post!.body)).toEqual(fake.deliveries[0]!.payload);
    expect(post!.headers).toMatchObject({ 'X-ImaraPay-Event': 'payment.completed', 'X-ImaraPay-Delivery': '40' });
    expect(verify({ secret: SECRET, header: post!.headers[SIGNATURE_HEADER], body: post!.body }).ok).toBe(true);
    expect(fake.attempts).toEqual([
      expect.objectContaining({ deliveryId: 40, attemptNo: 1, status: 'accepted', statusCode: 200 }),
    ]);
  });

  it('When a payment made through a payment link completes, then its webhook carries the link id; otherwise link_id is null', async () => {
    const viaLink = fakeWebhookDb({}, 'https://shop.example/hooks', 'plink_abc123');
    const { deliverWebhook, posted } = activities(viaLink.db);
    await run(deliverWebhook, { transactionId: 7, event: 'payment.completed' });
    expect(JSON.parse(posted[0]!.body)).toMatchObject({ ImaraPay: { link_id: 'plink_abc123' } });

    const direct = fakeWebhookDb();
    const second = activities(direct.db);
    await run(second.deliverWebhook, { transactionId: 7, event: 'payment.completed' });
    expect(JSON.parse(second.posted[0]!.body)).toMatchObject({ ImaraPay: { link_id: null } });
  });

  it('When the receiver answers 500, then the attempt is recorded rejected and the activity fails WebhookRejected, retryable', async () => {
    const fake = fakeWebhookDb();
    const { deliverWebhook } = activities(fake.db, { statusCode: 500, excerpt: 'boom' });
    const err = await run(deliverWebhook, { transactionId: 7, event: 'payment.completed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({
      type: FailureType.WebhookRejected,
      nonRetryable: false,
      message: 'The receiver answered HTTP 500',
    });
    expect(fake.attempts).toEqual([expect.objectContaining({ status: 'rejected', statusCode: 500, excerpt: 'boom' })]);
  });

  it('When a failure webhook is due but the payment completed since, then it is superseded and nothing is sent', async () => {
    const fake = fakeWebhookDb({ status: 'completed' });
    const { deliverWebhook, posted } = activities(fake.db);
    const result = await run(deliverWebhook, { transactionId: 7, event: 'payment.failed' });
    expect(result).toEqual({
      delivered: false,
      skippedReason: 'The payment completed since; the failure is no longer true',
    });
    expect(fake.superseded).toEqual(['payment.failed']);
    expect(posted).toEqual([]);
  });

  it('When the merchant has no callback URL, or the payment is a wallet top-up, then nothing is sent', async () => {
    const noUrl = fakeWebhookDb({}, null);
    const topUp = fakeWebhookDb({ purpose: 'wallet_top_up' });
    const first = activities(noUrl.db);
    const second = activities(topUp.db);
    expect(await run(first.deliverWebhook, { transactionId: 7, event: 'payment.completed' })).toMatchObject({
      delivered: false,
    });
    expect(await run(second.deliverWebhook, { transactionId: 7, event: 'payment.completed' })).toMatchObject({
      delivered: false,
    });
    expect([...first.posted, ...second.posted, ...noUrl.deliveries, ...topUp.deliveries]).toEqual([]);
  });

  it('When the receiver already accepted the delivery, then a retry sends nothing', async () => {
    const fake = fakeWebhookDb();
    fake.claims.push({ kind: 'delivered' });
    const { deliverWebhook, posted } = activities(fake.db);
    expect(await run(deliverWebhook, { transactionId: 7, event: 'payment.completed' })).toEqual({
      delivered: true,
      skippedReason: null,
    });
    expect(posted).toEqual([]);
  });

  it('When a superseded delivery is asked to be sent again, then redelivery fails not retryable and sends nothing', async () => {
    const fake = fakeWebhookDb();
    const { deliverWebhook, redeliverWebhook, posted } = activities(fake.db);
    await run(deliverWebhook, { transactionId: 7, event: 'payment.completed' });
    fake.deliveries[0]!.status = 'superseded';
    const err = await run(redeliverWebhook, { deliveryId: 40, requestedAt: Date.now() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: FailureType.WebhookRejected, nonRetryable: true });
    expect(posted).toHaveLength(1);
  });
});
