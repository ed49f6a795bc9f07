import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { AppError } from '../../domain/errors';
import type { WebhookDeliveryStatus } from '../../db/entities';
import type { PaymentTimings } from '../../workflows/definitions';
import { webhookRedeliveryWorkflow, webhookRedeliveryWorkflowId } from '../../workflows/webhookRedelivery';
import type { ApiCaller } from '../auth';
import {
  deliveryAttempts,
  markDeliveryPendingAgain,
  merchantCallbackUrl,
  merchantDeliveries,
  merchantDelivery,
  type DeliveryAttemptRow,
  type DeliveryRow,
} from '../../db/webhookDeliveries';
import { responseExcerptOf } from '../../domain/responseExcerpt';

const STATUSES = ['pending', 'delivered', 'failed', 'superseded'] as const satisfies readonly WebhookDeliveryStatus[];

/** The query of GET /api/webhooks/deliveries. */
export const deliveriesQuerySchema = z.object({
  status: z
    .enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` })
    .optional()
    .describe('Only deliveries in this state'),
  limit: z.coerce
    .number({ error: 'limit must be a whole number from 1 to 200' })
    .int('limit must be a whole number from 1 to 200')
    .min(1, 'limit must be a whole number from 1 to 200')
    .max(200, 'limit must be a whole number from 1 to 200')
    .default(50)
    .describe('How many, newest first'),
});

export type DeliverySummary = DeliveryRow;
export type DeliveryAttempt = DeliveryAttemptRow;

export type DeliveryDetail = DeliverySummary & { payload: unknown; attempt_log: DeliveryAttempt[] };

const scopeOf = (caller: ApiCaller) => ({ merchantId: caller.merchant.id, environment: caller.environment });

/** The caller's deliveries, newest first. */
export async function listDeliveries(
  em: EntityManager,
  caller: ApiCaller,
  query: z.infer<typeof deliveriesQuerySchema>,
): Promise<DeliverySummary[]> {
  return merchantDeliveries(em, scopeOf(caller), query);
}

/** One of the caller's deliveries; another merchant's (or environment's) answers exactly like a missing one. */
async function findOwnDelivery(
  em: EntityManager,
  caller: ApiCaller,
  idText: string,
): Promise<DeliverySummary & { payload: unknown }> {
  const notFound = new AppError('not_found', `Webhook delivery ${idText} was not found`);
  if (!/^\d{1,9}$/.test(idText)) throw notFound;
  const delivery = await merchantDelivery(em, scopeOf(caller), Number(idText));
  if (!delivery) throw notFound;
  return delivery;
}

/** A delivery with its payload and every attempt, oldest attempt first. */
export async function getDelivery(em: EntityManager, caller: ApiCaller, idText: string): Promise<DeliveryDetail> {
  const delivery = await findOwnDelivery(em, caller, idText);
  const attempts = await deliveryAttempts(em, delivery.id);
  // Attempts recorded before excerpts were cut down at delivery hold up to 500 raw characters.
  return {
    ...delivery,
    attempt_log: attempts.map((a) => ({
      ...a,
      response_excerpt: a.response_excerpt === null ? null : responseExcerptOf(a.response_excerpt),
    })),
  };
}

export interface RedeliverDeps {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  timings: PaymentTimings;
}

/**
 * Starts a redelivery of one of the caller's deliveries to their current callback URL. While one is
 * under way for that delivery, asking again answers with that same workflow and starts nothing.
 */
export async function redeliver(
  deps: RedeliverDeps,
  caller: ApiCaller,
  idText: string,
): Promise<{ delivery_id: number; workflow_id: string }> {
  const delivery = await findOwnDelivery(deps.em, caller, idText);
  if (delivery.status === 'superseded') {
    throw new AppError(
      'conflict',
      'This payment.failed delivery was superseded: the payment completed afterwards, so the failure is no longer true and is not sent',
    );
  }
  if (!(await merchantCallbackUrl(deps.em, caller.merchant.id))) {
    throw new AppError('conflict', 'You have no callback URL: set one with PUT /api/settings, then redeliver');
  }

  const workflowId = webhookRedeliveryWorkflowId(delivery.id);
  // A running redelivery of this delivery is reused (a second click, or a flood of them, attaches to
  // it); an ended one makes way for a new run under the same ID.
  await deps.temporal.workflow.start(webhookRedeliveryWorkflow, {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [{ deliveryId: delivery.id, requestedAt: Date.now(), timings: deps.timings }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary:
      `Redeliver webhook ${delivery.id} (${delivery.event}, transaction ${delivery.transaction_id})` +
      ` · merchant ${caller.merchant.id}`,
  });
  // Shown as pending until the redelivery ends (a no-op once a running one has attempted).
  await markDeliveryPendingAgain(deps.em, delivery.id, delivery.attempts);
  return { delivery_id: delivery.id, workflow_id: workflowId };
}
