import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { AppError } from '../../domain/errors';
import type { WebhookDeliveryStatus } from '../../db/entities';
import type { PaymentTimings } from '../../workflows/definitions';
import { webhookRedeliveryWorkflow, webhookRedeliveryWorkflowId } from '../../workflows/webhookRedelivery';
import type { ApiCaller } from '../auth';
import { parseInput } from '../validate';
import { responseExcerptOf } from '../../domain/responseExcerpt';

const STATUSES = ['pending', 'delivered', 'failed', 'superseded'] as const satisfies readonly WebhookDeliveryStatus[];

/** The query of GET /api/webhooks/deliveries. */
export const deliveriesQuerySchema = z.object({
  status: z.enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` }).optional().describe('Only deliveries in this state'),
  limit: z.coerce
    .number({ error: 'limit must be a whole number from 1 to 200' })
    .int('limit must be a whole number from 1 to 200')
    .min(1, 'limit must be a whole number from 1 to 200')
    .max(200, 'limit must be a whole number from 1 to 200')
    .default(50)
    .describe('How many, newest first'),
});

export interface DeliverySummary {
  id: number;
  transaction_id: number;
  event: string;
  url: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

export interface DeliveryAttempt {
  attempt_no: number;
  started_at: Date;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
}

export type DeliveryDetail = DeliverySummary & { payload: unknown; attempt_log: DeliveryAttempt[] };

// A merchant sees the deliveries of the environment it is acting in, like its transactions.
const SUMMARY_COLUMNS = 'd.id, d.transaction_id, d.event, d.url, d.status, d.attempts, d.last_attempt_at, d.delivered_at, d.created_at';
const OWN_DELIVERIES = 'from webhook_deliveries d join transactions t on t.id = d.transaction_id where d.merchant_id = ? and t.environment = ?';

/** The caller's deliveries, newest first. */
export async function listDeliveries(em: EntityManager, caller: ApiCaller, query: unknown): Promise<DeliverySummary[]> {
  const { status, limit } = parseInput(deliveriesQuerySchema, query);
  const params: unknown[] = [caller.merchant.id, caller.environment];
  if (status) params.push(status);
  params.push(limit);
  return em.getConnection().execute<DeliverySummary[]>(`select ${SUMMARY_COLUMNS} ${OWN_DELIVERIES} ${status ? 'and d.status = ?' : ''} order by d.created_at desc, d.id desc limit ?`, params);
}

/** One of the caller's deliveries; another merchant's (or environment's) answers exactly like a missing one. */
async function findOwnDelivery(em: EntityManager, caller: ApiCaller, idText: string): Promise<DeliverySummary & { payload: unknown }> {
  const notFound = new AppError('not_found', `Webhook delivery ${idText} was not found`);
  if (!/^\d{1,9}$/.test(idText)) throw notFound;
  const rows = await em
    .getConnection()
    .execute<(DeliverySummary & { payload: unknown })[]>(`select ${SUMMARY_COLUMNS}, d.payload ${OWN_DELIVERIES} and d.id = ?`, [caller.merchant.id, caller.environment, Number(idText)]);
  if (rows.length === 0) throw notFound;
  return rows[0]!;
}

/** A delivery with its payload and every attempt, oldest attempt first. */
export async function getDelivery(em: EntityManager, caller: ApiCaller, idText: string): Promise<DeliveryDetail> {
  const delivery = await findOwnDelivery(em, caller, idText);
  const attempts = await em
    .getConnection()
    .execute<DeliveryAttempt[]>('select attempt_no, started_at, status_code, latency_ms, error, response_excerpt from webhook_attempts where delivery_id = ? order by attempt_no', [delivery.id]);
  // Attempts recorded before excerpts were cut down at delivery hold up to 500 raw characters.
  return { ...delivery, attempt_log: attempts.map((a) => ({ ...a, response_excerpt: a.response_excerpt === null ? null : responseExcerptOf(a.response_excerpt) })) };
}

export interface RedeliverDeps {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  timings: PaymentTimings;
}

/**
 * Starts a redelivery of one of the caller's deliveries to their current callback URL. Asking again
 * before that redelivery has made its first attempt answers with the same workflow (no second POST).
 */
export async function redeliver(deps: RedeliverDeps, caller: ApiCaller, idText: string): Promise<{ delivery_id: number; workflow_id: string }> {
  const delivery = await findOwnDelivery(deps.em, caller, idText);
  if (delivery.status === 'superseded') {
    throw new AppError('conflict', 'This payment.failed delivery was superseded: the payment completed afterwards, so the failure is no longer true and is not sent');
  }
  const [merchant] = await deps.em.getConnection().execute<{ callback_url: string | null }[]>('select callback_url from merchants where id = ?', [caller.merchant.id]);
  if (!merchant?.callback_url) throw new AppError('conflict', 'You have no callback URL: set one with PUT /api/settings, then redeliver');

  const workflowId = webhookRedeliveryWorkflowId(delivery.id, delivery.attempts);
  try {
    await deps.temporal.workflow.start(webhookRedeliveryWorkflow, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [{ deliveryId: delivery.id, requestedAt: Date.now(), timings: deps.timings }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      staticSummary: `Redeliver webhook ${delivery.id} (${delivery.event}, transaction ${delivery.transaction_id}) · merchant ${caller.merchant.id}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // The same request again: that redelivery is already under way (or done); nothing new is started.
    return { delivery_id: delivery.id, workflow_id: workflowId };
  }
  // Shown as pending until the redelivery ends; only while it has not attempted yet, so that its own outcome is never overwritten.
  await deps.em
    .getConnection()
    .execute(`update webhook_deliveries set status = 'pending' where id = ? and attempts = ? and status <> 'superseded'`, [delivery.id, delivery.attempts]);
  return { delivery_id: delivery.id, workflow_id: workflowId };
}
