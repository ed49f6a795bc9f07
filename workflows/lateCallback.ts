import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/types';
import { isSuccessCode, type CallbackOutcome } from '../domain/payment';
import type { PaymentTimings } from './definitions';

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

const databaseProfile: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s' },
};

/**
 * Honours a success that M-Pesa reported after the payment's own workflow had finished:
 * complete the payment, charge its fee again if it had been released, tell the merchant.
 */
export async function lateCallbackWorkflow({ transactionId, callback, timings }: LateCallbackInput): Promise<LateCallbackResult> {
  if (!isSuccessCode(callback.resultCode)) return { completed: false }; // a late failure never undoes anything
  const db = proxyActivities<PaymentActivities>(databaseProfile);
  const lateFee = proxyActivities<PaymentActivities>({ startToCloseTimeout: '15s', retry: { initialInterval: '30s', backoffCoefficient: 2, maximumInterval: '1h' } });
  const webhook = proxyActivities<PaymentActivities>({
    startToCloseTimeout: '60s',
    scheduleToCloseTimeout: timings.webhookRetryWindowMs,
    retry: { initialInterval: timings.webhookInitialRetryMs, backoffCoefficient: 2, maximumInterval: timings.webhookMaxRetryMs },
  });

  const settled = await db.settlePayment({
    transactionId,
    decision: { status: 'completed', resultCode: callback.resultCode, resultDesc: callback.resultDesc, receipt: callback.receipt, source: 'callback' },
  });
  const work: Promise<unknown>[] = [];
  if (settled.lateFeeDue) work.push(lateFee.chargeLateFee({ transactionId }));
  if (settled.changed) {
    work.push(webhook.deliverWebhook({ transactionId, event: 'payment.completed' }).catch(() => db.markWebhookGivenUp({ transactionId, event: 'payment.completed' })));
  }
  await Promise.all(work);
  return { completed: settled.changed };
}
