import { EntitySchema } from '@mikro-orm/core';
import type { WebhookAttemptStatus } from '../../domain/webhookRetry';

/**
 * What a delivery tells: the payment completed, failed, or entered review (`payment.review_started`,
 * sent without Daraja's `Body` so that no handler reads it as a success or a failure); or its
 * reversal ended (`reversal.succeeded`, `reversal.failed`, also without a Daraja `Body`).
 */
export type WebhookEvent =
  'payment.completed' | 'payment.failed' | 'payment.review_started' | 'reversal.succeeded' | 'reversal.failed';
/** superseded: a `payment.failed` delivery not sent because the payment completed since. */
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'superseded';

/** One payment result to be POSTed to a merchant's callback URL. */
export interface WebhookDelivery {
  id: number;
  merchant: number;
  transaction: number;
  event: WebhookEvent;
  url: string;
  payload: Record<string, unknown>;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export const WebhookDeliverySchema = new EntitySchema<WebhookDelivery>({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  uniques: [{ name: 'webhook_deliveries_transaction_event_unique', properties: ['transaction', 'event'] }],
  indexes: [{ properties: ['merchant', 'createdAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true },
    transaction: { kind: 'm:1', entity: 'Transaction', mapToPk: true },
    event: { type: 'string', length: 30 },
    url: { type: 'text' },
    payload: { type: 'json' },
    status: { type: 'string', length: 10, default: 'pending' },
    attempts: { type: 'integer', default: 0 },
    lastAttemptAt: { type: 'datetime', nullable: true },
    deliveredAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});

/**
 * One HTTP attempt at a webhook delivery: recorded `sending` before the POST, then updated with the
 * receiver's answer (see WebhookAttemptStatus).
 */
export interface WebhookAttempt {
  id: number;
  delivery: number;
  attemptNo: number;
  status: WebhookAttemptStatus;
  startedAt: Date;
  statusCode: number | null;
  /** Milliseconds from start to answer; 0 while `sending`. */
  latencyMs: number;
  error: string | null;
  /** The first bytes of the receiver's answer, for merchants debugging their endpoint. */
  responseExcerpt: string | null;
  /** The end of the attempt's lease, on the database's clock (see domain/webhookRetry.ts). */
  leaseExpiresAt: Date;
  /**
   * The database session that claimed the attempt, `<backend pid>@<backend start, epoch s>`: while it
   * is connected, the worker that sends is alive, if perhaps stalled. Null on attempts made before.
   */
  sender: string | null;
}

export const WebhookAttemptSchema = new EntitySchema<WebhookAttempt>({
  name: 'WebhookAttempt',
  tableName: 'webhook_attempts',
  uniques: [{ name: 'webhook_attempts_delivery_attempt_unique', properties: ['delivery', 'attemptNo'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    delivery: { kind: 'm:1', entity: 'WebhookDelivery', mapToPk: true },
    attemptNo: { type: 'integer' },
    status: { type: 'string', length: 10 },
    startedAt: { type: 'datetime' },
    statusCode: { type: 'integer', nullable: true },
    latencyMs: { type: 'integer' },
    error: { type: 'text', nullable: true },
    responseExcerpt: { type: 'text', nullable: true },
    leaseExpiresAt: { type: 'datetime' },
    sender: { type: 'string', length: 40, nullable: true },
  },
});
