import {
  ActivityFailure,
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/types';
import type { ReversalActivities } from '../activities/reversals';
import type { ReversalEvidence, ReversalState } from '../domain/reversal';
import { databaseProfile, reversalSendProfile, webhookProfile, type WebhookTimings } from './activityProfiles';

/** Timings a reversal runs with, fixed at start so that replays see the same values (config: REVERSAL_*). */
export interface ReversalTimings extends WebhookTimings {
  /** How long to wait for the result before asking Transaction Status. */
  resultTimeoutMs: number;
  /** Pause between Transaction Status questions. */
  queryIntervalMs: number;
  /** From the request: how long until a reversal without a result or a record is `in_doubt`. */
  doubtAfterMs: number;
  /** How long an `in_doubt` reversal still listens for a late result. */
  lateResultWindowMs: number;
}

/** Input of reversalWorkflow: the recorded reversal it drives. */
export interface ReversalWorkflowInput {
  reversalId: number;
  transactionId: number;
  timings: ReversalTimings;
}

/** Result of reversalWorkflow: how the reversal ended. */
export interface ReversalWorkflowResult {
  state: Extract<ReversalState, 'reversed' | 'failed' | 'in_doubt'>;
}

/** Evidence about this reversal (its result, or M-Pesa's record), already stored in Postgres. */
export const reversalEvidenceSignal = defineSignal<[ReversalEvidence]>('reversalEvidence');
/** Where the reversal stands, for the Temporal UI. */
export const reversalProgressQuery = defineQuery<{ stage: string; evidence: ReversalEvidence | null }>(
  'reversalProgress',
);

/** The workflow ID of a payment's reversal: one per payment, ever (a business ID without personal data). */
export const reversalWorkflowId = (transactionId: number) => `payment-${transactionId}-reversal`;

/**
 * One reversal of one payment, exactly once:
 * 1. send the request once (`sending` is recorded before the call, so a retry never sends twice);
 *    Daraja's refusal ends it `failed` with nothing moved;
 * 2. wait for the result (`reversalEvidenceSignal`, from the ResultURL) for `resultTimeoutMs`;
 * 3. without it, ask M-Pesa's own record (Transaction Status) every `queryIntervalMs` until
 *    `doubtAfterMs`: only a record showing the reversal done decides (reversed); silence never fails it;
 * 4. still nothing: `in_doubt`, visible to ops, still listening for a late result for `lateResultWindowMs`;
 * 5. settle once, then tell the merchant once: `reversal.succeeded` or `reversal.failed`.
 */
export async function reversalWorkflow({
  reversalId,
  transactionId,
  timings,
}: ReversalWorkflowInput): Promise<ReversalWorkflowResult> {
  const db = proxyActivities<ReversalActivities>(databaseProfile);
  const daraja = proxyActivities<ReversalActivities>(reversalSendProfile);
  const webhook = proxyActivities<PaymentActivities>(webhookProfile(timings));
  const deliveries = proxyActivities<PaymentActivities>(databaseProfile);

  const seen = new Set<number>();
  // Held in an object: the signal handler sets it, and the code below reads it after each wait.
  const heard: { evidence: ReversalEvidence | null } = { evidence: null };
  let stage = 'sending';
  setHandler(reversalEvidenceSignal, (incoming) => {
    // Repeats of one stored result count once; the first final word is the one kept.
    if (seen.has(incoming.resultId)) return;
    seen.add(incoming.resultId);
    if (heard.evidence === null && incoming.verdict !== 'unknown') heard.evidence = incoming;
  });
  setHandler(reversalProgressQuery, () => ({ stage, evidence: heard.evidence }));

  const startedAt = Date.now();
  const sent = await daraja.sendReversal({ reversalId }).catch((err: unknown) => {
    // Out of retries: an attempt may have left before the last failure, so this is unknown, never failed.
    if (err instanceof ActivityFailure) return { outcome: 'unknown' as const, message: err.message };
    throw err;
  });
  if (sent.outcome === 'refused') {
    stage = 'settling';
    const settled = await db.settleReversal({
      reversalId,
      settlement: {
        state: 'failed',
        resultCode: sent.code,
        resultDesc: sent.message,
        reversalReceipt: null,
        decidedBy: 'request_refused',
      },
    });
    if (settled.changed) await notify(webhook, deliveries, transactionId, 'reversal.failed');
    return { state: 'failed' };
  }

  stage = 'waiting_for_result';
  let decided = await condition(() => heard.evidence !== null, timings.resultTimeoutMs);
  while (!decided && Date.now() - startedAt < timings.doubtAfterMs) {
    stage = 'asking_mpesa_record';
    // A question that could not be asked (Daraja or Postgres away for long) is asked again next round.
    await daraja.askReversalStatus({ reversalId }).catch((err: unknown) => {
      if (!(err instanceof ActivityFailure)) throw err;
    });
    const left = timings.doubtAfterMs - (Date.now() - startedAt);
    decided = await condition(() => heard.evidence !== null, Math.max(1, Math.min(timings.queryIntervalMs, left)));
  }
  if (!decided) {
    stage = 'in_doubt';
    await db.settleReversal({
      reversalId,
      settlement: {
        state: 'in_doubt',
        resultCode: null,
        resultDesc: 'No result from M-Pesa, and its record does not show the reversal yet',
        reversalReceipt: null,
        decidedBy: null,
      },
    });
    decided = await condition(() => heard.evidence !== null, timings.lateResultWindowMs);
    if (!decided) return { state: 'in_doubt' };
  }

  stage = 'settling';
  const final = heard.evidence;
  if (final === null) return { state: 'in_doubt' }; // not reached: every wait above ended with evidence
  const state = final.verdict === 'reversed' ? 'reversed' : 'failed';
  const settled = await db.settleReversal({
    reversalId,
    settlement: {
      state,
      resultCode: final.resultCode,
      resultDesc: final.description,
      reversalReceipt: final.reversalReceipt,
      decidedBy: final.source === 'mpesa_record' ? 'mpesa_record' : 'result',
    },
  });
  stage = 'notifying';
  if (settled.changed)
    await notify(webhook, deliveries, transactionId, state === 'reversed' ? 'reversal.succeeded' : 'reversal.failed');
  stage = 'done';
  return { state };
}

/** The workflow ID of the one settlement of a reversal whose own workflow had ended. */
export const reversalLateOutcomeWorkflowId = (transactionId: number) =>
  `payment-${transactionId}-reversal-late-outcome`;

/** Input of reversalLateOutcomeWorkflow: the outcome M-Pesa gave after the reversal's workflow ended. */
export interface ReversalLateOutcomeInput {
  reversalId: number;
  transactionId: number;
  settlement: Parameters<ReversalActivities['settleReversal']>[0]['settlement'];
  timings: WebhookTimings;
}

/**
 * Settles a reversal whose workflow has ended (an `in_doubt` one past its late window) with the
 * outcome M-Pesa gave since, and tells the merchant once: the settlement changes a reversal only
 * once (db/reversals.ts settleReversal), and only the call that changed it sends the webhook. One
 * per payment (reversalLateOutcomeWorkflowId), started by the API when the late result arrives.
 */
export async function reversalLateOutcomeWorkflow({
  reversalId,
  transactionId,
  settlement,
  timings,
}: ReversalLateOutcomeInput): Promise<ReversalWorkflowResult> {
  const db = proxyActivities<ReversalActivities>(databaseProfile);
  const webhook = proxyActivities<PaymentActivities>(webhookProfile(timings));
  const deliveries = proxyActivities<PaymentActivities>(databaseProfile);
  const settled = await db.settleReversal({ reversalId, settlement });
  if (settled.changed && (settled.state === 'reversed' || settled.state === 'failed'))
    await notify(
      webhook,
      deliveries,
      transactionId,
      settled.state === 'reversed' ? 'reversal.succeeded' : 'reversal.failed',
    );
  return { state: settled.state === 'reversed' || settled.state === 'failed' ? settled.state : 'in_doubt' };
}

/** One webhook per reversal event, retried for the webhook window, then marked given up. */
async function notify(
  webhook: PaymentActivities,
  deliveries: PaymentActivities,
  transactionId: number,
  event: 'reversal.succeeded' | 'reversal.failed',
): Promise<void> {
  await webhook
    .deliverWebhook({ transactionId, event })
    .catch(() => deliveries.markWebhookGivenUp({ transactionId, event }));
}
