import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/types';
import type { MpesaRecordEvidence } from '../domain/mpesaRecord';
import { databaseProfile } from './activityProfiles';
import { chargeAndNotifyLateSuccess } from './lateSettlement';
import type { PaymentTimings } from './definitions';
import { EVIDENCE, PAYMENT_STATUS } from './searchAttributes';

/** Input of mpesaRecordWorkflow: M-Pesa's record of a payment whose own workflow had closed. */
export interface MpesaRecordLateInput {
  transactionId: number;
  /** The payment's amount as pushed; a record of another amount never completes it here. */
  amount: number;
  record: MpesaRecordEvidence;
  timings: PaymentTimings;
}

/** The workflow ID for one M-Pesa record of a closed payment: one settlement per record, ever. */
export const mpesaRecordWorkflowId = (transactionId: number, recordId: string) =>
  `payment-${transactionId}-mpesa-record-${recordId}`;

/**
 * Honours M-Pesa's own record of a completed payment that reached ImaraPay after the payment's
 * workflow had closed (it ended `failed` with no answer): complete it with the record's receipt,
 * charge the fee again if it had been released (once: the ledger's rules), and send
 * `payment.completed`. A record that is not a completion, or disagrees on the amount, changes nothing
 * here: it stays stored and shown as evidence for review.
 */
export async function mpesaRecordWorkflow({
  transactionId,
  amount,
  record,
  timings,
}: MpesaRecordLateInput): Promise<{ completed: boolean }> {
  if (record.outcome !== 'completed' || record.receipt === null || record.amount !== amount)
    return { completed: false };
  const db = proxyActivities<PaymentActivities>(databaseProfile);
  const settled = await db.settlePayment({
    transactionId,
    decision: {
      status: 'completed',
      resultCode: '0',
      resultDesc: record.description,
      receipt: record.receipt,
      source: 'mpesa_record',
    },
  });
  if (settled.conflicts) upsertSearchAttributes([{ key: EVIDENCE, value: 'conflict' }]);
  if (settled.status === 'needs_review') upsertSearchAttributes([{ key: PAYMENT_STATUS, value: 'needs_review' }]);
  else if (settled.changed) upsertSearchAttributes([{ key: PAYMENT_STATUS, value: settled.status }]);
  return chargeAndNotifyLateSuccess(transactionId, settled, timings);
}
