import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import { databaseProfile, webhookProfile, type WebhookTimings } from './activityProfiles';
import type { PaymentActivities } from '../activities/types';

/** Input of webhookRedeliveryWorkflow: the delivery to send again, with the payment webhooks' retry timings. */
export interface WebhookRedeliveryInput {
  deliveryId: number;
  /** When the merchant asked (epoch ms): an acceptance after this moment answers the request. */
  requestedAt: number;
  timings: WebhookTimings;
}

/** Result of webhookRedeliveryWorkflow: whether the merchant's receiver accepted it within the retry window. */
export interface WebhookRedeliveryResult {
  delivered: boolean;
}

/**
 * A merchant asked for a webhook again: POST the recorded payload to their current callback URL,
 * retried exactly like a payment's own webhook (exponential backoff for the retry window), every
 * attempt recorded on the same delivery. It stops early when the delivery is accepted by another
 * attempt after the request (the payment's own retry). Given up, the delivery is marked failed.
 */
export async function webhookRedeliveryWorkflow({
  deliveryId,
  requestedAt,
  timings,
}: WebhookRedeliveryInput): Promise<WebhookRedeliveryResult> {
  const db = proxyActivities<PaymentActivities>(databaseProfile);
  const webhook = proxyActivities<PaymentActivities>(webhookProfile(timings));
  try {
    await webhook.redeliverWebhook({ deliveryId, requestedAt });
    return { delivered: true };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await db.markRedeliveryGivenUp({ deliveryId });
    return { delivered: false };
  }
}

/**
 * The workflow ID of a delivery's redelivery: one per delivery, so at most one runs at a time. A
 * request while it runs attaches to it; once it has ended, a new request starts the next one.
 */
export const webhookRedeliveryWorkflowId = (deliveryId: number) => `webhook-redelivery-${deliveryId}`;
