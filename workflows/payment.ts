import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { PaymentActivities, SettleResult } from '../activities/types';
import { FailureType } from '../domain/failureTypes';
import { evidenceOf, isSuccessCode, type CallbackOutcome, type PaymentDecision, type PaymentStage } from '../domain/payment';
import {
  darajaCallbackSignal,
  progressQuery,
  pushOutcomeUpdate,
  type PaymentWorkflowInput,
  type PaymentWorkflowResult,
  type PushOutcome,
} from './definitions';
import { CHECKOUT_REQUEST_ID, EVIDENCE, PAYMENT_STATUS } from './searchAttributes';
import { databaseProfile, lateFeeProfile, webhookProfile } from './activityProfiles';


/**
 * The push call: one attempt per try, as the HTTP client gives up well before the timeout. A worker
 * that dies mid-call is caught by the activity's `sending` guard on the next attempt, which is why
 * attempts must be able to outlive the push deadline: the activity enforces that deadline itself.
 */
const pushProfile: ActivityOptions & LocalActivityOptions = {
  startToCloseTimeout: '60s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    nonRetryableErrorTypes: [FailureType.DarajaTerminal, FailureType.DarajaIndeterminate, FailureType.DarajaUnavailable],
  },
};

/**
 * Payments started from this marker on run the fee, the push, its record and the settlement as
 * local activities: each regular activity costs a workflow-task and an activity-task round trip
 * through the server, and the API waits for three of them before it can answer (BENCHMARKS.md).
 * Payments started before it replay with the regular activities their histories recorded.
 */
export const LOCAL_HOT_PATH_PATCH = 'local-activities-on-the-hot-path';

/** Payments from this marker on set the CheckoutRequestID search attribute from a callback when the push did not give one. */
export const ADOPT_CHECKOUT_REQUEST_ID_PATCH = 'checkout-request-id-from-callback';

/** Payments from this marker on record further success callbacks that disagree with the first as conflicts. */
export const EVIDENCE_CONFLICTS_PATCH = 'record-evidence-conflicts';

/** One Daraja STK query: a failed call is answered "pending" by the activity, so few retries are needed. */
const queryProfile: ActivityOptions = {
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
};

/**
 * One M-Pesa STK push payment, from fee reservation to the merchant's webhook.
 * The story: reserve fee → push → wait for the callback (timer) → query if silent →
 * settle once → deliver webhook, while still honouring a success that arrives late.
 */
export async function paymentWorkflow(input: PaymentWorkflowInput): Promise<PaymentWorkflowResult> {
  const { transactionId, timings } = input;
  const local = patched(LOCAL_HOT_PATH_PATCH);
  const recordsConflicts = patched(EVIDENCE_CONFLICTS_PATCH);
  const db = proxyActivities<PaymentActivities>(databaseProfile);
  const ledger = local ? proxyLocalActivities<PaymentActivities>(databaseProfile) : db;
  const push = local ? proxyLocalActivities<PaymentActivities>(pushProfile) : proxyActivities<PaymentActivities>(pushProfile);
  const query = proxyActivities<PaymentActivities>(queryProfile);
  const webhook = proxyActivities<PaymentActivities>(webhookProfile(timings));
  const lateFee = proxyActivities<PaymentActivities>(lateFeeProfile);

  let stage: PaymentStage = 'reserving_fee';
  let pushOutcome: PushOutcome | null = null;
  let decision: PaymentDecision | null = null;
  const callbacks: CallbackOutcome[] = [];
  const seenCallbacks = new Set<number>();
  /** Further success callbacks already compared with the recorded evidence. */
  const examined = new Set<number>();
  let checkoutRequestId: string | null = null;

  // Handlers first, so that an early callback or a waiting API request is never lost.
  setHandler(darajaCallbackSignal, (callback) => {
    if (seenCallbacks.has(callback.callbackId)) return; // Temporal may redeliver; Daraja may repeat.
    seenCallbacks.add(callback.callbackId);
    callbacks.push(callback);
    // A push whose answer timed out learns its CheckoutRequestID from its callback (the API has
    // already recorded it on the payment): ops find the payment by it too.
    if (checkoutRequestId === null && callback.checkoutRequestId !== null && patched(ADOPT_CHECKOUT_REQUEST_ID_PATCH)) {
      checkoutRequestId = callback.checkoutRequestId;
      upsertSearchAttributes([{ key: CHECKOUT_REQUEST_ID, value: checkoutRequestId }]);
    }
  });
  setHandler(pushOutcomeUpdate, async () => {
    await condition(() => pushOutcome !== null);
    return pushOutcome!;
  });
  setHandler(progressQuery, () => ({ stage, push: pushOutcome, callbacksReceived: callbacks.length, decision }));

  const enterStage = (next: PaymentStage) => {
    stage = next;
    upsertSearchAttributes([{ key: PAYMENT_STATUS, value: next }]);
  };

  /** Background work that must finish before the workflow does: webhooks and late fee charges. */
  let outstanding = 0;
  let backgroundFailure: unknown = null;
  const inBackground = (work: Promise<void>) => {
    outstanding++;
    work.then(
      () => outstanding--,
      (err) => {
        outstanding--;
        backgroundFailure ??= err;
      },
    );
  };

  const finish = async (final: PaymentDecision): Promise<PaymentWorkflowResult> => {
    decision = final;
    const settled = await settle(final);
    if (settled.lateFeeDue) inBackground(lateFee.chargeLateFee({ transactionId }));
    enterStage(settled.status);
    return { status: settled.status, decidedBy: final.source, receipt: final.receipt };
  };

  /** Settles once; a settlement that fails on its data ends the payment in review instead of retrying for ever. */
  async function settle(final: PaymentDecision): Promise<SettleResult> {
    try {
      const settled = await ledger.settlePayment({ transactionId, decision: final });
      if (settled.conflicts) upsertSearchAttributes([{ key: EVIDENCE, value: 'conflict' }]);
      return settled;
    } catch (err) {
      const failure = applicationFailureOf(err);
      if (failure?.type !== FailureType.SettlementDataInvalid) throw err;
      await ledger.markNeedsReview({ transactionId, reason: failure.message });
      return { status: 'needs_review', lateFeeDue: false, changed: true };
    }
  }

  // 1. Reserve the fee. A wallet that cannot cover it refuses the push: nothing goes to Daraja.
  try {
    await ledger.reserveFee({ transactionId });
  } catch (err) {
    const failure = applicationFailureOf(err);
    if (failure?.type !== FailureType.InsufficientBalance) throw err;
    const { fee, balance } = (failure.details?.[0] ?? {}) as { fee: number; balance: number };
    pushOutcome = { outcome: 'refused', code: 'insufficient_balance', message: failure.message, fee, balance };
    enterStage('refused');
    return finish(failedDecision('push_rejected', failure.message));
  }

  // 2. Send the push, at most once.
  enterStage('pushing');
  try {
    const { recorded, ...accepted } = await push.sendStkPush({ transactionId, deadline: Date.now() + timings.pushDeadlineMs });
    // sendStkPush records the ids itself; this backstop runs when its write failed (and for pushes
    // whose recorded history predates `recorded`, which replay with it).
    if (!recorded) await ledger.recordPushAccepted({ transactionId, ...accepted });
    checkoutRequestId = accepted.checkoutRequestId;
    pushOutcome = { outcome: 'accepted', ...accepted };
    upsertSearchAttributes([{ key: CHECKOUT_REQUEST_ID, value: checkoutRequestId }]);
  } catch (err) {
    const failure = applicationFailureOf(err);
    if (failure?.type === FailureType.DarajaTerminal || failure?.type === FailureType.DarajaUnavailable) {
      // Only these two prove that no prompt reached the phone.
      const terminal = failure.type === FailureType.DarajaTerminal;
      const message = terminal
        ? `M-Pesa rejected the request: ${failure.message}`
        : 'M-Pesa is busy and did not accept the request; no prompt was sent. Try again shortly.';
      pushOutcome = { outcome: 'rejected', code: terminal ? 'daraja_rejected' : 'daraja_unavailable', message };
      enterStage('push_rejected');
      return finish(failedDecision('push_rejected', message));
    }
    // Anything else (a timeout, a crash mid-call, an unknown error) may have reached the phone:
    // wait for its callback instead of pushing again.
    pushOutcome = { outcome: 'unconfirmed', message: failure?.message ?? 'The push call did not complete' };
  }

  // 3. Wait for the callback; if it stays silent, ask Daraja.
  enterStage('awaiting_callback');
  let result = await finish(await awaitDecision());
  // Money in doubt: no webhook and no more settling; an operator decides (later callbacks are still stored).
  if (result.status === 'needs_review') return result;

  // 4. Tell the merchant. Meanwhile keep listening: a success after a failure completes the payment,
  //    and a callback after a query-decided success brings the receipt.
  inBackground(deliver(result.status === 'completed' ? 'payment.completed' : 'payment.failed'));
  if (result.status === 'failed' || currentDecision()?.source === 'query') {
    await condition(() => lateSettlementDue(), timings.lateCallbackWindowMs);
  }
  // Until every webhook and late fee is done, a late success still completes the payment at once.
  for (;;) {
    await condition(() => outstanding === 0 || lateSettlementDue() || conflictingCallback() !== undefined);
    const conflicting = conflictingCallback();
    if (conflicting) {
      // Another success that disagrees with the recorded one: recorded beside it, never applied.
      examined.add(conflicting.callbackId);
      await settle(decisionFromCallback(conflicting));
      continue;
    }
    if (!lateSettlementDue()) break;
    const wasFailed = result.status === 'failed';
    result = await finish(decisionFromCallback(successCallback()!));
    if (wasFailed && result.status === 'completed') inBackground(deliver('payment.completed'));
  }
  if (backgroundFailure) throw backgroundFailure;
  return result;

  /** A further success callback, not yet examined, that disagrees with the callback that completed the payment. */
  function conflictingCallback(): CallbackOutcome | undefined {
    const current = currentDecision();
    if (!recordsConflicts || result.status !== 'completed' || current?.source !== 'callback' || !current.evidence) return undefined;
    const { evidence } = current;
    return callbacks.find(
      (c) =>
        isSuccessCode(c.resultCode) &&
        c.callbackId !== evidence.callbackId &&
        !examined.has(c.callbackId) &&
        (c.receipt !== current.receipt || c.amount !== evidence.amount || (c.problems?.length ?? 0) > 0),
    );
  }

  /** True when a success callback would change the record: it completes a failed payment, or brings a query-decided success its receipt. */
  function lateSettlementDue(): boolean {
    const late = successCallback();
    if (!late) return false;
    if (result.status === 'failed') return true;
    const current = currentDecision();
    return current?.source === 'query' && current.receipt === null && late.receipt !== null;
  }

  /** The decision last recorded (assigned in finish(), which TypeScript's narrowing cannot follow). */
  function currentDecision(): PaymentDecision | null {
    return decision;
  }

  /** A success among the callbacks received, if any: a success always wins over a failure. */
  function successCallback(): CallbackOutcome | undefined {
    return callbacks.find((c) => isSuccessCode(c.resultCode));
  }

  function decisiveCallback(): CallbackOutcome {
    return successCallback() ?? callbacks[0]!;
  }

  async function awaitDecision(): Promise<PaymentDecision> {
    // Without a CheckoutRequestID there is nothing to query: give the prompt its whole lifetime.
    const wait = checkoutRequestId === null ? Math.max(timings.callbackTimeoutMs, timings.unconfirmedWaitMs) : timings.callbackTimeoutMs;
    if (await condition(() => callbacks.length > 0, wait)) return decisionFromCallback(decisiveCallback());
    if (checkoutRequestId === null) {
      return failedDecision('no_answer', 'M-Pesa did not confirm the request and no result arrived; ImaraPay keeps listening for a late result.');
    }
    enterStage('querying');
    const deadline = Date.now() + timings.queryWindowMs;
    let pause = timings.queryIntervalMs;
    for (;;) {
      // A query that keeps failing is no answer, not a failed payment: keep asking until the window closes.
      const answer = await query.queryStkStatus({ transactionId, checkoutRequestId }).catch(() => null);
      // A callback that arrived while we asked wins: it carries the receipt.
      if (callbacks.length > 0) return decisionFromCallback(decisiveCallback());
      if (answer?.state === 'final') {
        return {
          status: isSuccessCode(answer.resultCode) ? 'completed' : 'failed',
          resultCode: answer.resultCode,
          resultDesc: answer.resultDesc,
          receipt: null,
          source: 'query',
        };
      }
      if (Date.now() + pause > deadline) break;
      if (await condition(() => callbacks.length > 0, pause)) return decisionFromCallback(decisiveCallback());
      pause = Math.min(pause * 2, timings.queryMaxIntervalMs);
    }
    return failedDecision('no_answer', 'M-Pesa could not confirm the payment in time; ImaraPay keeps listening for a late result.');
  }

  async function deliver(event: 'payment.completed' | 'payment.failed'): Promise<void> {
    try {
      await webhook.deliverWebhook({ transactionId, event });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await db.markWebhookGivenUp({ transactionId, event });
    }
  }
}

function decisionFromCallback(callback: CallbackOutcome): PaymentDecision {
  return {
    status: isSuccessCode(callback.resultCode) ? 'completed' : 'failed',
    resultCode: callback.resultCode,
    resultDesc: callback.resultDesc,
    receipt: callback.receipt,
    source: 'callback',
    evidence: evidenceOf(callback),
  };
}

function failedDecision(source: PaymentDecision['source'], resultDesc: string): PaymentDecision {
  return { status: 'failed', resultCode: null, resultDesc, receipt: null, source };
}

/** The ApplicationFailure an activity raised, if that is what `err` carries. */
function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  // A local activity's failure arrives as the ApplicationFailure itself, not wrapped.
  if (err instanceof ApplicationFailure) return err;
  return undefined;
}
