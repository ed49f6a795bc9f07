import { patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { MpesaRecordActivities } from '../activities/mpesaRecords';
import type { StatementPullActivities } from '../activities/statementPulls';
import type { Finding, PaymentActivities, ReconciliationActivities, ReconciliationWindows } from '../activities/types';
import { databaseProfile, webhookProfile } from './activityProfiles';
import { pushOutcomeUpdate, type PaymentTimings, type PushOutcome } from './definitions';

/** Result of one reconciliation run: its row in `reconciliation_runs` and what it found. */
export interface ReconciliationResult {
  runId: number;
  findings: Finding[];
}

/**
 * One run of the reconciliation schedule: hands stored callbacks over again, starts or ends
 * payments that have no workflow, asks M-Pesa's own record about payments that ended without its
 * final word, reconciles yesterday's statement of each channel from M-Pesa's Pull Transactions,
 * then lists what only ops can settle, and records it all.
 */
export async function reconciliationWorkflow(windows: ReconciliationWindows): Promise<ReconciliationResult> {
  const acts = proxyActivities<ReconciliationActivities & MpesaRecordActivities & StatementPullActivities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '1m',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
  });
  const { runId } = await acts.beginReconciliationRun({ workflowId: workflowInfo().workflowId });
  const findings = [
    ...(await acts.redriveStoredCallbacks(windows)),
    ...(await acts.recoverOrphanPayments(windows)),
    // Runs recorded before M-Pesa's own record was asked replay without this step.
    ...(patched('ask-mpesa-record') ? await acts.askMpesaAboutPayments(windows) : []),
    // Runs recorded before yesterday's statement was pulled from M-Pesa replay without this step.
    ...(patched('pull-statements') ? await acts.pullYesterdaysStatements(windows) : []),
    ...(await acts.auditPayments(windows)),
  ];
  await acts.finishReconciliationRun({ runId, findings });
  return { runId, findings };
}

/** Input of unstartedPaymentWorkflow. */
export interface UnstartedPaymentInput {
  transactionId: number;
  timings: PaymentTimings;
}

/**
 * Ends, under the payment's own workflow ID, a payment whose workflow was never started and whose
 * request is long past: failed, no prompt, no fee moved, the merchant told `payment.failed`.
 * A retry of its request attaches here and is answered that it was not started.
 */
export async function unstartedPaymentWorkflow({
  transactionId,
  timings,
}: UnstartedPaymentInput): Promise<{ ended: boolean }> {
  const db = proxyActivities<ReconciliationActivities & PaymentActivities>(databaseProfile);
  const webhook = proxyActivities<PaymentActivities>(webhookProfile(timings));
  const notStarted: PushOutcome = {
    outcome: 'rejected',
    code: 'daraja_unavailable',
    message:
      'This payment was not started; no prompt was sent and no fee was charged. ' +
      'Start a new payment with a new Idempotency-Key.',
  };
  setHandler(pushOutcomeUpdate, () => notStarted);
  const { ended } = await db.endUnstartedPayment({ transactionId });
  if (ended) {
    await webhook
      .deliverWebhook({ transactionId, event: 'payment.failed' })
      .catch(() => db.markWebhookGivenUp({ transactionId, event: 'payment.failed' }));
  }
  return { ended };
}
