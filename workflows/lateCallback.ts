import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { databaseProfile, lateFeeProfile, webhookProfile } from './activityProfiles';
import type { PaymentActivities } from '../activities/types';
import { evidenceOf, isSuccessCode, type CallbackOutcome } from '../domain/payment';
import type { PaymentTimings } from './definitions';
import { EVIDENCE, PAYMENT_STATUS } from './searchAttributes';

/** Input of lateCallbackWorkflow: a success callback that reached a payment whose workflow had closed. */
export interface LateCallbackInput {
  transactionId: number;
  callback: CallbackOutcome;
  timings: PaymentTimings;
}

/** Result of lateCallbackWorkflow: whether the callback changed the payment. */
export interface LateCallbackResult {
  completed: boolean;
}

/**
 * Honours a success that M-Pesa reported after the payment's own workflow had finished:
 * complete the payment, charge its fee again if it had been released, tell the merchant.
 */
export async function lateCallbackWorkflow({
  transactionId,
  callback,
  timings,
}: LateCallbackInput): Promise<LateCallbackResult> {
  if (!isSuccessCode(callback.resultCode)) return { completed: false }; // a late failure never undoes anything
  const db = proxyActivities<PaymentActivities>(databaseProfile);
  const lateFee = proxyActivities<PaymentActivities>(lateFeeProfile);
  const webhook = proxyActivities<PaymentActivities>(webhookProfile(timings));

  const settled = await db.settlePayment({
    transactionId,
    decision: {
      status: 'completed',
      resultCode: callback.resultCode,
      resultDesc: callback.resultDesc,
      receipt: callback.receipt,
      source: 'callback',
      evidence: evidenceOf(callback),
    },
  });
  if (settled.conflicts) upsertSearchAttributes([{ key: EVIDENCE, value: 'conflict' }]);
  if (settled.status === 'needs_review') upsertSearchAttributes([{ key: PAYMENT_STATUS, value: 'needs_review' }]);
  const work: Promise<unknown>[] = [];
  if (settled.lateFeeDue) work.push(lateFee.chargeLateFee({ transactionId }));
  // Only a completion is news for the merchant: a payment under review waits for an operator.
  if (settled.changed && settled.status === 'completed') {
    work.push(
      webhook
        .deliverWebhook({ transactionId, event: 'payment.completed' })
        .catch(() => db.markWebhookGivenUp({ transactionId, event: 'payment.completed' })),
    );
  }
  await Promise.all(work);
  return { completed: settled.changed && settled.status === 'completed' };
}
