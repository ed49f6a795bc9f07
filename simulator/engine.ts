import type { AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import { maskMsisdn } from '../domain/phone';
import { buildCallbackBody, deliverCallback, type CallbackDelivery } from './callbacks';
import { newCheckoutRequestId, newMerchantRequestId, newReceiptNumber } from './ids';
import {
  RESULT_DESCRIPTIONS,
  describeResult,
  outcomeById,
  outcomeForAmount,
  type CallbackBehaviour,
  type Outcome,
  type OutcomeId,
} from './outcomes';
import type { Scheduler } from './scheduler';
import type { ValidPush } from './validation';

export interface SimulatedResult {
  resultCode: string;
  resultDesc: string;
}

/** One push the simulator accepted: what it received, what the customer did, what was delivered. */
export interface PushRecord {
  checkoutRequestId: string;
  merchantRequestId: string;
  receivedAt: string;
  /** The processrequest body exactly as received. */
  body: unknown;
  amount: number;
  phoneNumber: string;
  callbackUrl: string;
  outcome: OutcomeId;
  /** The customer's answer, as callbacks report it; null while the prompt is open. */
  result: SimulatedResult | null;
  answeredAt: string | null;
  /** What the STK query reports; null while it says "being processed". Differs from `result` for callback_late. */
  queryResult: SimulatedResult | null;
  queryCount: number;
  receipt: string | null;
  callbacks: CallbackDelivery[];
  /**
   * What of M-Pesa's answers this push loses (the control API's lost-answers mode when it was
   * accepted): null for none; `callbacks`: its callbacks never reach ImaraPay and its STK query says
   * "being processed" for good; `callbacks_and_push_answer`: also its processrequest answer comes
   * only after the push timeout. Its payment is still in M-Pesa's record (Pull Transactions,
   * Transaction Status) as the customer answered it.
   */
  lost: LostAnswers | null;
}

/** What the control API makes M-Pesa's answers lose for the pushes accepted from now on. */
export type LostAnswers = 'callbacks' | 'callbacks_and_push_answer';

export interface SimulatorStats {
  tokensIssued: number;
  oauthRejected: number;
  /** Calls refused with 404.001.03 (missing, expired or superseded token). */
  invalidTokens: number;
  pushesAccepted: number;
  pushesRejected: number;
  spikeArrests: number;
  queries: number;
  callbacksDelivered: number;
  callbacksFailed: number;
}

/** The time- and count-based knobs of the magic outcomes. */
export interface EngineSettings {
  callbackDelayMs: number;
  lateCallbackDelayMs: number;
  queryPendingCount: number;
  spikeArrestRejections: number;
  pushHangMs: number;
  callbackTimeoutMs: number;
}

export type PushDecision = { type: 'accepted'; record: PushRecord; holdMs: number } | { type: 'spike_arrest' };

export type QueryAnswer =
  { type: 'unknown' } | { type: 'pending' } | { type: 'final'; record: PushRecord; result: SimulatedResult };

/** A control API request that cannot be honoured; `status` is the HTTP status to answer with. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

const emptyStats = (): SimulatorStats => ({
  tokensIssued: 0,
  oauthRejected: 0,
  invalidTokens: 0,
  pushesAccepted: 0,
  pushesRejected: 0,
  spikeArrests: 0,
  queries: 0,
  callbacksDelivered: 0,
  callbacksFailed: 0,
});

const resultOf = (outcome: Outcome): SimulatedResult => ({
  resultCode: String(outcome.resultCode),
  resultDesc: outcome.resultDesc,
});

/** What the query reports for callback_late while the customer has in fact paid: the sandbox bug. */
const QUERY_SAYS_UNREACHABLE: SimulatedResult = { resultCode: '1037', resultDesc: RESULT_DESCRIPTIONS['1037'] ?? '' };

export interface EngineDeps {
  settings: EngineSettings;
  scheduler: Scheduler;
  http: AxiosInstance;
  now: () => Date;
  logger: Logger;
}

/** The simulated customer and M-Pesa back end: accepts pushes, answers them per the outcome table, sends callbacks. */
export function createEngine({ settings, scheduler, http, now, logger }: EngineDeps) {
  const pushes = new Map<string, PushRecord>();
  const spikeAttempts = new Map<string, number>();
  const stats = emptyStats();
  let losing: LostAnswers | null = null;

  function sendCallbacks(record: PushRecord, times: number): void {
    if (!record.result || !record.answeredAt) return;
    if (record.lost) {
      // Lost on the way, as a callback Safaricom never delivered: recorded, never sent.
      for (let i = 0; i < times; i += 1)
        record.callbacks.push({ at: now().toISOString(), status: null, error: `lost (${record.lost})` });
      stats.callbacksFailed += times;
      return;
    }
    // Built once: a duplicate delivery carries exactly the same body, as Daraja's do.
    const body = buildCallbackBody({
      merchantRequestId: record.merchantRequestId,
      checkoutRequestId: record.checkoutRequestId,
      resultCode: record.result.resultCode,
      resultDesc: record.result.resultDesc,
      amount: record.amount,
      receipt: record.receipt,
      phoneNumber: record.phoneNumber,
      answeredAt: new Date(record.answeredAt),
    });
    const deliver = async () => {
      for (let i = 0; i < times; i += 1) {
        const delivery = await deliverCallback(http, record.callbackUrl, body, settings.callbackTimeoutMs, now());
        record.callbacks.push(delivery);
        const ok = delivery.status !== null && delivery.status < 300;
        if (ok) stats.callbacksDelivered += 1;
        else stats.callbacksFailed += 1;
        logger.info(
          { checkoutRequestId: record.checkoutRequestId, status: delivery.status, error: delivery.error },
          'callback sent',
        );
      }
    };
    scheduler.track(deliver());
  }

  /** The customer answers (once): records the result and sends the callbacks the behaviour asks for. */
  function settle(record: PushRecord, result: SimulatedResult, callbacks: CallbackBehaviour): void {
    if (record.result) return;
    record.result = result;
    record.answeredAt = now().toISOString();
    if (outcomeById(record.outcome).answer !== 'query_stays_pending') record.queryResult ??= result;
    if (result.resultCode === '0') record.receipt = newReceiptNumber();
    if (callbacks === 'once') sendCallbacks(record, 1);
    if (callbacks === 'twice') sendCallbacks(record, 2);
  }

  function schedule(record: PushRecord, outcome: Outcome): void {
    const result = resultOf(outcome);
    if (outcome.answer === 'after_delay' || outcome.answer === 'query_stays_pending') {
      scheduler.after(settings.callbackDelayMs, () => settle(record, result, outcome.callback));
    }
    if (outcome.answer === 'query_reports_unreachable') {
      scheduler.after(settings.callbackDelayMs, () => {
        if (!record.queryResult) record.queryResult = QUERY_SAYS_UNREACHABLE;
      });
    }
    if (outcome.callback === 'late') {
      scheduler.after(settings.lateCallbackDelayMs, () => {
        settle(record, result, 'never');
        sendCallbacks(record, 1);
      });
    }
    // 'after_queries' settles inside query(); 'manual' waits for complete().
  }

  return {
    stats,

    acceptPush(push: ValidPush, rawBody: unknown): PushDecision {
      const outcome = outcomeForAmount(push.amount);
      if (outcome.push === 'spike_arrest') {
        const key = `${push.amount}:${push.phoneNumber}`;
        const attempts = (spikeAttempts.get(key) ?? 0) + 1;
        spikeAttempts.set(key, attempts);
        if (attempts <= settings.spikeArrestRejections) {
          stats.spikeArrests += 1;
          return { type: 'spike_arrest' };
        }
      }
      const at = now();
      const record: PushRecord = {
        checkoutRequestId: newCheckoutRequestId(at),
        merchantRequestId: newMerchantRequestId(),
        receivedAt: at.toISOString(),
        body: rawBody,
        amount: push.amount,
        phoneNumber: push.phoneNumber,
        callbackUrl: push.callbackUrl,
        outcome: outcome.id,
        result: null,
        answeredAt: null,
        queryResult: null,
        queryCount: 0,
        receipt: null,
        callbacks: [],
        lost: losing,
      };
      pushes.set(record.checkoutRequestId, record);
      stats.pushesAccepted += 1;
      logger.info(
        {
          checkoutRequestId: record.checkoutRequestId,
          amount: push.amount,
          phone: maskMsisdn(push.phoneNumber),
          outcome: outcome.id,
        },
        'push accepted',
      );
      schedule(record, outcome);
      const hang = outcome.push === 'hang' || record.lost === 'callbacks_and_push_answer';
      return { type: 'accepted', record, holdMs: hang ? settings.pushHangMs : 0 };
    },

    query(checkoutRequestId: string): QueryAnswer {
      stats.queries += 1;
      const record = pushes.get(checkoutRequestId);
      if (!record) return { type: 'unknown' };
      record.queryCount += 1;
      const outcome = outcomeById(record.outcome);
      if (outcome.answer === 'after_queries' && record.queryCount > settings.queryPendingCount) {
        settle(record, resultOf(outcome), outcome.callback);
      }
      if (record.lost) return { type: 'pending' };
      return record.queryResult ? { type: 'final', record, result: record.queryResult } : { type: 'pending' };
    },

    /** Resolves an open prompt by hand: the query then reports this result and one callback is sent (none for callback_never_sent / query_pending_then_success). */
    complete(checkoutRequestId: string, resultCode: string, resultDesc?: string): PushRecord {
      const record = pushes.get(checkoutRequestId);
      if (!record) throw new ControlError(404, `No push with CheckoutRequestID ${checkoutRequestId}`);
      if (record.result)
        throw new ControlError(
          409,
          `Push ${checkoutRequestId} was already answered with ResultCode ${record.result.resultCode}`,
        );
      const result = { resultCode, resultDesc: resultDesc ?? describeResult(resultCode) };
      record.queryResult = result;
      const behaviour = outcomeById(record.outcome).callback;
      settle(record, result, behaviour === 'never' ? 'never' : behaviour === 'twice' ? 'twice' : 'once');
      return record;
    },

    /** From now on, every accepted push loses these answers (null: none); pushes already accepted keep theirs. */
    loseAnswers(mode: LostAnswers | null): void {
      losing = mode;
    },

    get: (checkoutRequestId: string) => pushes.get(checkoutRequestId),
    list: () => [...pushes.values()],

    /** Forgets every push and counter and cancels pending timers; issued tokens stay valid. */
    reset(): void {
      scheduler.cancelAll();
      pushes.clear();
      spikeAttempts.clear();
      losing = null;
      Object.assign(stats, emptyStats());
    },
  };
}

export type Engine = ReturnType<typeof createEngine>;
