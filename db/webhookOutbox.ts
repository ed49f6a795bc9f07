import type { EntityManager } from '@mikro-orm/postgresql';
import {
  MerchantSchema,
  TransactionSchema,
  WebhookDeliverySchema,
  type Merchant,
  type Transaction,
  type WebhookDelivery,
  type WebhookEvent,
} from './entities';
import { linkPublicIdOf } from './paymentLinks';
import { claimWebhookAttempt, recordAttemptResult } from './webhookAttempts';
import { ensureWebhookSecret } from './webhookSecrets';
import { reversalOfPayment } from './reversals';

/** The worker's side of webhook deliveries: the rows it creates, supersedes and gives up. */

/**
 * A payment, its merchant and the public id (`plink_…`) of the payment link it was paid through
 * (null when none), as a webhook about it needs them; throws when the payment or merchant does not exist.
 */
export async function paymentWithMerchant(
  em: EntityManager,
  transactionId: number,
): Promise<{ payment: Transaction; merchant: Merchant; linkId: string | null }> {
  const payment = await em.findOneOrFail(TransactionSchema, transactionId);
  const merchant = await em.findOneOrFail(MerchantSchema, payment.merchant);
  const linkId = payment.link ? await linkPublicIdOf(em, payment.link) : null;
  return { payment, merchant, linkId };
}

/** Marks a payment event's pending delivery `superseded`: what it would say is no longer true. */
export async function supersedePendingDelivery(
  em: EntityManager,
  transactionId: number,
  event: WebhookEvent,
): Promise<void> {
  await em.nativeUpdate(
    WebhookDeliverySchema,
    { transaction: transactionId, event, status: 'pending' },
    { status: 'superseded' },
  );
}

/**
 * The delivery of one payment event, created on first call with `url` and `payload` (both then
 * fixed: a retry keeps the URL it was created for), found on every later one.
 */
export async function ensurePaymentDelivery(
  em: EntityManager,
  d: { merchantId: number; transactionId: number; event: WebhookEvent; url: string; payload: unknown },
): Promise<WebhookDelivery> {
  await em.getConnection().execute(
    `insert into webhook_deliveries (merchant_id, transaction_id, event, url, payload)
       values (?, ?, ?, ?, ?) on conflict (transaction_id, event) do nothing`,
    [d.merchantId, d.transactionId, d.event, d.url, JSON.stringify(d.payload)],
  );
  return em.findOneOrFail(WebhookDeliverySchema, { transaction: d.transactionId, event: d.event });
}

/** Gives a payment event's pending delivery up (`pending` → `failed`) after its retry window. */
export async function givePaymentDeliveryUp(
  em: EntityManager,
  transactionId: number,
  event: WebhookEvent,
): Promise<void> {
  await em.nativeUpdate(
    WebhookDeliverySchema,
    { transaction: transactionId, event, status: 'pending' },
    { status: 'failed' },
  );
}

/** A recorded delivery and its merchant (as now); throws when the delivery does not exist. */
export async function deliveryWithMerchant(
  em: EntityManager,
  deliveryId: number,
): Promise<{ delivery: WebhookDelivery; merchant: Merchant }> {
  const delivery = await em.findOneOrFail(WebhookDeliverySchema, deliveryId);
  const merchant = await em.findOneOrFail(MerchantSchema, delivery.merchant);
  return { delivery, merchant };
}

/** Gives a redelivery up (`pending` → `failed`) after its retry window. */
export async function giveRedeliveryUp(em: EntityManager, deliveryId: number): Promise<void> {
  await em.nativeUpdate(WebhookDeliverySchema, { id: deliveryId, status: 'pending' }, { status: 'failed' });
}

/** The webhook activities' statements, for bindToSessions (db/orm.ts). */
export const webhookStatements = {
  paymentWithMerchant,
  supersedePendingDelivery,
  ensurePaymentDelivery,
  givePaymentDeliveryUp,
  deliveryWithMerchant,
  giveRedeliveryUp,
  ensureWebhookSecret,
  claimWebhookAttempt,
  recordAttemptResult,
  reversalOfPayment,
};
