import type { PaymentStatus } from './payment';

/** The payment events merchants are told about (db/entities/webhook.ts WebhookEvent). */
export type WebhookEventName = 'payment.completed' | 'payment.failed' | 'payment.review_started' | (string & {});

/**
 * Whether a payment's webhook goes out now, and if not why (`supersede`: its pending delivery row is
 * marked `superseded`, since what it would say is no longer true):
 * - no callback URL: nothing to send to;
 * - a wallet top-up: shown in the wallet, never sent as a webhook;
 * - `payment.failed` of a payment that completed since: a late success overtook the failure;
 * - `payment.review_started` of a payment no longer in review: the review's ending is sent instead.
 */
export function webhookSendDecision(
  payment: { purpose: 'payment' | 'wallet_top_up'; status: PaymentStatus },
  callbackUrl: string | null,
  event: WebhookEventName,
): { send: true } | { send: false; supersede: boolean; reason: string } {
  if (!callbackUrl) return { send: false, supersede: false, reason: 'The merchant has no callback URL' };
  if (payment.purpose === 'wallet_top_up')
    return { send: false, supersede: false, reason: 'Wallet top-ups are not sent as webhooks' };
  if (event === 'payment.failed' && payment.status === 'completed')
    return { send: false, supersede: true, reason: 'The payment completed since; the failure is no longer true' };
  if (event === 'payment.review_started' && payment.status !== 'needs_review')
    return { send: false, supersede: true, reason: 'The review has ended; its ending is sent instead' };
  return { send: true };
}
