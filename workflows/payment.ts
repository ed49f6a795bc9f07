import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/types';
import { FailureType } from '../domain/failureTypes';
import { failedDecision, type PaymentDecision, type PaymentStage } from '../domain/payment';
import { databaseProfile, lateFeeProfile, pushProfile, queryProfile, webhookProfile } from './activityProfiles';
import {
  darajaCallbackSignal,
  mpesaRecordSignal,
  operatorVerdictSignal,
  progressQuery,
  pushOutcomeUpdate,
  type PaymentWorkflowInput,
  type PaymentWorkflowResult,
} from './definitions';
import { PaymentState, PendingWork } from './paymentState';
import { CHECKOUT_REQUEST_ID, EVIDENCE, PAYMENT_STATUS } from './searchAttributes';

/**
 * One M-Pesa STK push payment, from fee reservation to the merchant's webhook:
 * reserve the fee → push → wait for the callback (query Daraja if it stays silent) → settle once →
 * deliver the webhook, while still honouring a success that arrives late.
 * Returns how the payment ended; throws only when an activity fails in a way no retry mends.
 */
export async function paymentWorkflow(input: PaymentWorkflowInput): Promise<PaymentWorkflowResult> {
  const { transactionId, timings } = input;
  // The fee, the push and the settlement run as local activities: each regular activity costs two
  // task round trips through the server, and the API waits for the push before it can answer.
  const ledger = proxyLocalActivities<PaymentActivities>(databaseProfile);
  const push = proxyLocalActivities<PaymentActivities>(pushProfile);
  const db = proxyActivities<PaymentActivities>(databaseProfile);
  const query = proxyActivities<PaymentActivities>(queryProfile);
  const webhook = proxyActivities<PaymentActivities>(webhookProfile(timings));
  const lateFee = proxyActivities<PaymentActivities>(lateFeeProfile);

  const state = new PaymentState(input.amount);
  const background = new PendingWork();

  // Handlers first, so that an early callback or a waiting API request is never lost.
  setHandler(darajaCallbackSignal, (callback) => {
    if (!state.receive(callback)) return;
    // A push whose answer timed out learns its CheckoutRequestID from its first callback (the API
    // has already recorded it on the payment): ops find the payment by it too.
    if (state.checkoutRequestId === null && callback.checkoutRequestId !== null) {
      state.checkoutRequestId = callback.checkoutRequestId;
      upsertSearchAttributes([{ key: CHECKOUT_REQUEST_ID, value: state.checkoutRequestId }]);
    }
  });
  // M-Pesa's own record (Transaction Status, Pull Transactions, a statement line), stored by the API.
  setHandler(mpesaRecordSignal, (record) => void state.receiveRecord(record));
  // An operator's approved verdict ends a review (the review rule's rule 6). A history in which a worker
  // without this handler dropped the signal replays without the marker, so the verdict is ignored there.
  setHandler(operatorVerdictSignal, (verdict) => {
    if (patched(OPERATOR_VERDICT)) state.receiveOperatorVerdict(verdict);
  });
  setHandler(pushOutcomeUpdate, async () => {
    await condition(() => state.push !== null);
    return state.push!;
  });
  setHandler(progressQuery, () => state.progress());

  // 1. Reserve the fee. A wallet that cannot cover it refuses the push: nothing goes to Daraja.
  const refused = await reserveFee();
  if (refused) return finish(refused);

  // 2. Send the push, at most once.
  const rejected = await sendPush();
  if (rejected) return finish(rejected);

  // 3. Wait for the callback; if it stays silent, ask Daraja.
  enterStage('awaiting_callback');
  const decided = await awaitDecision();

  // 4. Settle once. Histories recorded before the review rule ended a payment in review here.
  const result = await finish(decided);
  if (result.status === 'needs_review' && !patched(REVIEW_STAYS_OPEN)) return result;

  // 5. Tell the merchant, and keep applying the review rule to whatever evidence arrives later.
  return deliverAndListen(result);

  /**
   * Delivers the webhook for `settled` and meanwhile keeps listening, settling each new verdict of the
   * review rule: a success after a failure completes the payment; a callback after a query-decided
   * success brings the receipt, or puts the payment in review when it disagrees; M-Pesa's record
   * completes a failed payment. A payment in review stays open, its fee held, until evidence or an
   * operator ends the review; otherwise the workflow ends once every webhook and late fee is done.
   */
  async function deliverAndListen(settled: PaymentWorkflowResult): Promise<PaymentWorkflowResult> {
    let current = settled;
    background.track(deliver(eventOf(current.status)));
    if (current.status === 'failed' || current.decidedBy === 'query') {
      await condition(() => state.verdictDue() !== undefined, timings.lateCallbackWindowMs);
    }
    for (;;) {
      await condition(() => (background.idle && current.status !== 'needs_review') || state.verdictDue() !== undefined);
      const due = state.verdictDue();
      if (!due) break;
      const was = current.status;
      current = await finish(due.decision);
      if (current.status !== was) background.track(deliver(eventOf(current.status)));
    }
    background.rethrowFailure();
    return current;
  }

  function enterStage(next: PaymentStage): void {
    state.stage = next;
    upsertSearchAttributes([{ key: PAYMENT_STATUS, value: next }]);
  }

  /** Takes the fee from the wallet; the refusal to settle with when the wallet cannot cover it, else null. */
  async function reserveFee(): Promise<PaymentDecision | null> {
    try {
      await ledger.reserveFee({ transactionId });
      return null;
    } catch (err) {
      const failure = applicationFailureOf(err);
      if (failure?.type !== FailureType.InsufficientBalance) throw err;
      const { fee, balance } = (failure.details?.[0] ?? {}) as { fee: number; balance: number };
      state.push = { outcome: 'refused', code: 'insufficient_balance', message: failure.message, fee, balance };
      enterStage('refused');
      return failedDecision('push_rejected', failure.message);
    }
  }

  /** Sends the push; the failure to settle with when Daraja proved no prompt was sent, else null. */
  async function sendPush(): Promise<PaymentDecision | null> {
    enterStage('pushing');
    try {
      // sendStkPush alone records the accepted push in Postgres (see activities/darajaCalls.ts).
      const accepted = await push.sendStkPush({ transactionId, deadline: Date.now() + timings.pushDeadlineMs });
      state.checkoutRequestId = accepted.checkoutRequestId;
      state.push = { outcome: 'accepted', ...accepted };
      upsertSearchAttributes([{ key: CHECKOUT_REQUEST_ID, value: accepted.checkoutRequestId }]);
      return null;
    } catch (err) {
      const failure = applicationFailureOf(err);
      if (failure?.type === FailureType.DarajaTerminal || failure?.type === FailureType.DarajaUnavailable) {
        // Only these two prove that no prompt reached the phone.
        const terminal = failure.type === FailureType.DarajaTerminal;
        const message = terminal
          ? `M-Pesa rejected the request: ${failure.message}`
          : 'M-Pesa is busy and did not accept the request; no prompt was sent. Try again shortly.';
        state.push = { outcome: 'rejected', code: terminal ? 'daraja_rejected' : 'daraja_unavailable', message };
        enterStage('push_rejected');
        return failedDecision('push_rejected', message);
      }
      // Anything else (a timeout, a crash mid-call, an unknown error) may have reached the phone:
      // wait for its callback instead of pushing again.
      state.push = { outcome: 'unconfirmed', message: failure?.message ?? 'The push call did not complete' };
      return null;
    }
  }

  /**
   * The review rule's decision once the evidence held decides the payment (a callback, M-Pesa's
   * record, or the STK query's final answer when the callback stays silent), or no answer at all.
   */
  async function awaitDecision(): Promise<PaymentDecision> {
    const callbackArrived = () => state.decided();
    const fromCallback = () => {
      const verdict = state.verdict();
      if (verdict.status === 'pending') throw new Error('no verdict yet'); // unreachable: callers wait for one
      return verdict.decision;
    };
    const checkoutRequestId = state.checkoutRequestId;
    // Without a CheckoutRequestID there is nothing to query: give the prompt its whole lifetime.
    const wait =
      checkoutRequestId === null
        ? Math.max(timings.callbackTimeoutMs, timings.unconfirmedWaitMs)
        : timings.callbackTimeoutMs;
    if (await condition(callbackArrived, wait)) return fromCallback();
    if (checkoutRequestId === null) {
      return failedDecision(
        'no_answer',
        'M-Pesa did not confirm the request and no result arrived; ImaraPay keeps listening for a late result.',
      );
    }
    enterStage('querying');
    const deadline = Date.now() + timings.queryWindowMs;
    let pause = timings.queryIntervalMs;
    for (;;) {
      // A query that keeps failing is no answer, not a failed payment: keep asking until the window closes.
      const answer = await query.queryStkStatus({ transactionId, checkoutRequestId }).catch(() => null);
      // A callback that arrived while we asked wins: it carries the receipt.
      if (callbackArrived()) return fromCallback();
      if (answer?.state === 'final') {
        state.receiveQueryAnswer(answer);
        return fromCallback();
      }
      if (Date.now() + pause > deadline) break;
      if (await condition(callbackArrived, pause)) return fromCallback();
      pause = Math.min(pause * 2, timings.queryMaxIntervalMs);
    }
    return failedDecision(
      'no_answer',
      'M-Pesa could not confirm the payment in time; ImaraPay keeps listening for a late result.',
    );
  }

  /** Settles `final` as the payment's decision; a late success whose fee had been released charges it again. */
  async function finish(final: PaymentDecision): Promise<PaymentWorkflowResult> {
    state.decision = final;
    state.applied(final);
    const settled = await record(final);
    state.settled = settled.status;
    if (settled.lateFeeDue) background.track(lateFee.chargeLateFee({ transactionId }));
    enterStage(settled.status);
    return { status: settled.status, decidedBy: final.source, receipt: final.receipt };
  }

  /**
   * Records a decision once; a settlement that fails on its data ends the payment in review instead
   * of retrying for ever.
   */
  async function record(
    final: PaymentDecision,
  ): Promise<{ status: PaymentWorkflowResult['status']; lateFeeDue: boolean }> {
    try {
      const settled = await ledger.settlePayment({ transactionId, decision: final });
      if (settled.conflicts) upsertSearchAttributes([{ key: EVIDENCE, value: 'conflict' }]);
      return settled;
    } catch (err) {
      const failure = applicationFailureOf(err);
      if (failure?.type !== FailureType.SettlementDataInvalid) throw err;
      await ledger.markNeedsReview({ transactionId, reason: failure.message });
      // The review rule then holds it in review, where an operator's verdict ends it. Histories from
      // before kept settling M-Pesa's evidence alone, which ignored the verdict.
      if (patched(REFUSED_SETTLEMENT_IN_REVIEW)) state.holdForReview(failure.message);
      return { status: 'needs_review', lateFeeDue: false };
    }
  }

  /** Delivers a webhook for the whole retry window; a delivery that never got through is marked given up. */
  async function deliver(event: WebhookEvent): Promise<void> {
    try {
      await webhook.deliverWebhook({ transactionId, event });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await db.markWebhookGivenUp({ transactionId, event });
    }
  }
}

/** The events a payment's webhook tells (db/entities/webhook.ts), as the activities take them. */
type WebhookEvent = Parameters<PaymentActivities['deliverWebhook']>[0]['event'];

/** The webhook event that tells a status: completed, failed, or review started. */
function eventOf(status: PaymentWorkflowResult['status']): WebhookEvent {
  return status === 'needs_review' ? 'payment.review_started' : `payment.${status}`;
}

/** The patch after which a payment in review keeps its workflow open for more evidence or an operator. */
const REVIEW_STAYS_OPEN = 'review-stays-open';

/** The patch after which an operator's approved verdict is evidence that ends a review. */
const OPERATOR_VERDICT = 'operator-verdict';

/** The patch after which a payment whose settlement was refused on its data is held in review by the review rule. */
const REFUSED_SETTLEMENT_IN_REVIEW = 'refused-settlement-in-review';

/** The ApplicationFailure an activity raised, if that is what `err` carries. */
function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  // A local activity's failure arrives as the ApplicationFailure itself, not wrapped.
  if (err instanceof ApplicationFailure) return err;
  return undefined;
}
