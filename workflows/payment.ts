import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/types';
import { FailureType } from '../domain/failureTypes';
import { isSuccessCode, type CallbackOutcome, type PaymentDecision, type PaymentStage } from '../domain/payment';
import {
  darajaCallbackSignal,
  progressQuery,
  pushOutcomeUpdate,
  type PaymentWorkflowInput,
  type PaymentWorkflowResult,
  type PushOutcome,
} from './definitions';
import { CHECKOUT_REQUEST_ID, PAYMENT_STATUS } from './searchAttributes';

/** Database work: short, and retried until Postgres answers (the decision must be recorded). */
const databaseProfile: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s' },
};

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
  const db = proxyActivities<PaymentActivities>(databaseProfile);
  const query = proxyActivities<PaymentActivities>(queryProfile);
  const push = proxyActivities<PaymentActivities>({
    // The HTTP client gives up well before this; a worker that dies mid-call is caught by the activity's `sending` guard.
    startToCloseTimeout: '60s',
    scheduleToCloseTimeout: timings.pushDeadlineMs,
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: '10s',
      nonRetryableErrorTypes: [FailureType.DarajaTerminal, FailureType.DarajaIndeterminate],
    },
  });
  const webhook = proxyActivities<PaymentActivities>({
    startToCloseTimeout: '60s',
    scheduleToCloseTimeout: timings.webhookRetryWindowMs,
    retry: {
      initialInterval: timings.webhookInitialRetryMs,
      backoffCoefficient: 2,
      maximumInterval: timings.webhookMaxRetryMs,
    },
  });
  const lateFee = proxyActivities<PaymentActivities>({
    startToCloseTimeout: '15s',
    // Retried until the merchant's wallet covers the fee; visible in the UI as a retrying activity.
    retry: { initialInterval: '30s', backoffCoefficient: 2, maximumInterval: '1h' },
  });

  let stage: PaymentStage = 'reserving_fee';
  let pushOutcome: PushOutcome | null = null;
  let decision: PaymentDecision | null = null;
  const callbacks: CallbackOutcome[] = [];
  const seenCallbacks = new Set<number>();

  // Handlers first, so that an early callback or a waiting API request is never lost.
  setHandler(darajaCallbackSignal, (callback) => {
    if (seenCallbacks.has(callback.callbackId)) return; // Temporal may redeliver; Daraja may repeat.
    seenCallbacks.add(callback.callbackId);
    callbacks.push(callback);
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
  const pending: Promise<void>[] = [];

  const finish = async (final: PaymentDecision): Promise<PaymentWorkflowResult> => {
    decision = final;
    const settled = await db.settlePayment({ transactionId, decision: final });
    if (settled.lateFeeDue) pending.push(lateFee.chargeLateFee({ transactionId }));
    enterStage(settled.status);
    return { status: settled.status, decidedBy: final.source, receipt: final.receipt };
  };

  // 1. Reserve the fee. A wallet that cannot cover it refuses the push: nothing goes to Daraja.
  try {
    await db.reserveFee({ transactionId });
  } catch (err) {
    const failure = applicationFailureOf(err);
    if (failure?.type !== FailureType.InsufficientBalance) throw err;
    const { fee, balance } = (failure.details?.[0] ?? {}) as { fee: number; balance: number };
    pushOutcome = { outcome: 'refused', code: 'insufficient_balance', message: failure.message, fee, balance };
    enterStage('refused');
    return finish(failedDecision('push_rejected', failure.message));
  }

  // 2. Send the push, exactly once.
  enterStage('pushing');
  let checkoutRequestId: string | null = null;
  try {
    const accepted = await push.sendStkPush({ transactionId });
    checkoutRequestId = accepted.checkoutRequestId;
    pushOutcome = { outcome: 'accepted', ...accepted };
    upsertSearchAttributes([{ key: CHECKOUT_REQUEST_ID, value: checkoutRequestId }]);
  } catch (err) {
    const failure = applicationFailureOf(err);
    if (failure?.type === FailureType.DarajaIndeterminate) {
      // The prompt may be on the phone: wait for its callback instead of pushing again.
      pushOutcome = { outcome: 'unconfirmed', message: failure.message };
    } else {
      const terminal = failure?.type === FailureType.DarajaTerminal;
      const message = terminal
        ? `M-Pesa rejected the request: ${failure!.message}`
        : 'M-Pesa is busy and did not accept the request; no prompt was sent. Try again shortly.';
      pushOutcome = { outcome: 'rejected', code: terminal ? 'daraja_rejected' : 'daraja_unavailable', message };
      enterStage('push_rejected');
      return finish(failedDecision('push_rejected', message));
    }
  }

  // 3. Wait for the callback; if it stays silent, ask Daraja.
  enterStage('awaiting_callback');
  let result = await finish(await awaitDecision());

  // 4. Tell the merchant, and meanwhile keep listening for a success that arrives after a failure.
  pending.push(deliver(result.status === 'completed' ? 'payment.completed' : 'payment.failed'));
  if (result.status === 'failed') {
    const successCallback = () => callbacks.find((c) => isSuccessCode(c.resultCode));
    if (await condition(() => successCallback() !== undefined, timings.lateCallbackWindowMs)) {
      result = await finish(decisionFromCallback(successCallback()!));
      pending.push(deliver('payment.completed'));
    }
  }
  await Promise.all(pending);
  return result;

  async function awaitDecision(): Promise<PaymentDecision> {
    if (await condition(() => callbacks.length > 0, timings.callbackTimeoutMs)) return decisionFromCallback(callbacks[0]!);
    if (checkoutRequestId === null) {
      return failedDecision('no_answer', 'M-Pesa did not confirm the request and no result arrived. The customer was not charged.');
    }
    enterStage('querying');
    const deadline = Date.now() + timings.queryWindowMs;
    let pause = timings.queryIntervalMs;
    for (;;) {
      // A query that keeps failing is no answer, not a failed payment: keep asking until the window closes.
      const answer = await query.queryStkStatus({ transactionId, checkoutRequestId }).catch(() => null);
      // A callback that arrived while we asked wins: it carries the receipt.
      if (callbacks.length > 0) return decisionFromCallback(callbacks[0]!);
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
      if (await condition(() => callbacks.length > 0, pause)) return decisionFromCallback(callbacks[0]!);
      pause = Math.min(pause * 2, timings.queryMaxIntervalMs);
    }
    return failedDecision('no_answer', 'M-Pesa could not confirm the payment in time. The customer was not charged.');
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
  };
}

function failedDecision(source: PaymentDecision['source'], resultDesc: string): PaymentDecision {
  return { status: 'failed', resultCode: null, resultDesc, receipt: null, source };
}

/** The ApplicationFailure an activity raised, if that is what `err` carries. */
function applicationFailureOf(err: unknown): ApplicationFailure | undefined {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return err.cause;
  return undefined;
}
