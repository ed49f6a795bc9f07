import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { databaseProfile } from './activityProfiles';
import { chargeAndNotifyLateSuccess } from './lateSettlement';
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
  return chargeAndNotifyLateSuccess(transactionId, settled, timings);
}
