import { proxyActivities } from '@temporalio/workflow';
import type { PaymentActivities, SettleResult } from '../activities/types';
import { databaseProfile, lateFeeProfile, webhookProfile } from './activityProfiles';
import type { PaymentTimings } from './definitions';

/**
 * What follows the settlement of a success that reached a payment after its own workflow had closed
 * (a late callback, or M-Pesa's own record): the fee charged again if it had been released, and the
 * merchant told once. The ledger's rules make both exactly-once. Only a completion is news for the
 * merchant: a payment that went to review waits for an operator. Returns whether it became completed.
 */
export async function chargeAndNotifyLateSuccess(
  transactionId: number,
  settled: SettleResult,
  timings: PaymentTimings,
): Promise<{ completed: boolean }> {
  const db = proxyActivities<PaymentActivities>(databaseProfile);
  const lateFee = proxyActivities<PaymentActivities>(lateFeeProfile);
  const webhook = proxyActivities<PaymentActivities>(webhookProfile(timings));
  const completed = settled.changed && settled.status === 'completed';
  const work: Promise<unknown>[] = [];
  if (settled.lateFeeDue) work.push(lateFee.chargeLateFee({ transactionId }));
  if (completed) {
    work.push(
      webhook
        .deliverWebhook({ transactionId, event: 'payment.completed' })
        .catch(() => db.markWebhookGivenUp({ transactionId, event: 'payment.completed' })),
    );
  }
  await Promise.all(work);
  return { completed };
}
