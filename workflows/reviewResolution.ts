import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/types';
import { decisionFromOperator, type OperatorVerdict } from '../domain/review';
import { databaseProfile, lateFeeProfile, webhookProfile } from './activityProfiles';
import type { PaymentTimings } from './definitions';
import { PAYMENT_STATUS } from './searchAttributes';

/** Input of reviewResolutionWorkflow: an approved operator verdict on a payment whose own workflow had closed. */
export interface ReviewResolutionInput {
  transactionId: number;
  verdict: OperatorVerdict;
  timings: PaymentTimings;
}

/** Result of reviewResolutionWorkflow: the payment's status after it, and whether the verdict changed it. */
export interface ReviewResolutionResult {
  status: 'completed' | 'failed' | 'needs_review';
  changed: boolean;
}

/** The workflow ID that settles one approved proposal of a closed payment: one settlement per proposal, ever. */
export const reviewResolutionWorkflowId = (transactionId: number, proposalId: number) =>
  `payment-${transactionId}-review-resolution-${proposalId}`;

/**
 * Ends the review of a payment whose own workflow had closed in `needs_review` (histories from before
 * the payment workflow kept a payment in review open): settles the operator's verdict once (the
 * ledger's rules: the fee captured, or charged again if it had been released, or released), then tells
 * the merchant the ending, `payment.completed` or `payment.failed`. A payment that is no longer in
 * review is left as it is.
 */
export async function reviewResolutionWorkflow({
  transactionId,
  verdict,
  timings,
}: ReviewResolutionInput): Promise<ReviewResolutionResult> {
  const db = proxyActivities<PaymentActivities>(databaseProfile);
  const lateFee = proxyActivities<PaymentActivities>(lateFeeProfile);
  const webhook = proxyActivities<PaymentActivities>(webhookProfile(timings));
  const settled = await db.settlePayment({ transactionId, decision: decisionFromOperator(verdict) });
  if (settled.changed) upsertSearchAttributes([{ key: PAYMENT_STATUS, value: settled.status }]);
  const work: Promise<unknown>[] = [];
  if (settled.lateFeeDue) work.push(lateFee.chargeLateFee({ transactionId }));
  if (settled.changed && settled.status !== 'needs_review') {
    const event = settled.status === 'completed' ? 'payment.completed' : 'payment.failed';
    work.push(
      webhook.deliverWebhook({ transactionId, event }).catch(() => db.markWebhookGivenUp({ transactionId, event })),
    );
  }
  await Promise.all(work);
  return { status: settled.status, changed: settled.changed };
}
