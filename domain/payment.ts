import type { Kes } from './money';

/**
 * What merchants see: pending, completed, failed, and needs_review when M-Pesa's evidence is in
 * doubt (a success whose amount differs from the push, or whose items break Daraja's rules): the
 * fee stays reserved and ImaraPay's operators decide.
 */
export type PaymentStatus = 'pending' | 'completed' | 'failed' | 'needs_review';

/** Where a payment is in its workflow; finer than PaymentStatus, shown to ops. */
export type PaymentStage =
  | 'created'
  | 'reserving_fee'
  | 'refused'
  | 'pushing'
  | 'push_rejected'
  | 'awaiting_callback'
  | 'querying'
  | 'completed'
  | 'failed'
  | 'needs_review';

export type ChannelType = 'till' | 'paybill' | 'bank';

/** A Daraja callback reduced to the facts a payment decision needs. */
export interface CallbackOutcome {
  /** Id of the stored raw callback, the dedupe key for repeated deliveries. */
  callbackId: number;
  checkoutRequestId: string | null;
  /** ResultCode as text: Daraja sends numbers and strings ("SFC_IC0003"). */
  resultCode: string;
  resultDesc: string;
  receipt: string | null;
  amount: Kes | null;
  phoneNumber: string | null;
  transactionDate: string | null;
  /** Metadata items that broke their rule and were dropped (domain/callback.ts); absent in older signals. */
  problems?: string[];
}

export const isSuccessCode = (resultCode: string) => resultCode === '0';

/** The final decision on a payment. */
export interface PaymentDecision {
  status: 'completed' | 'failed';
  resultCode: string | null;
  resultDesc: string;
  receipt: string | null;
  /**
   * What decided it: the callback, the STK query, M-Pesa's own record, no answer at all, or an
   * operator's verdict approved by a second admin (domain/review.ts), which ends a review.
   */
  source: 'callback' | 'query' | 'mpesa_record' | 'no_answer' | 'push_rejected' | 'operator';
  /**
   * Set when the review rule (domain/evidence.ts `decidePayment`) found the evidence in doubt: the
   * payment goes to `needs_review` with this reason, its fee held. Absent in older histories.
   */
  reviewReason?: string;
  /**
   * With `reviewReason`: the other success callbacks whose receipt, amount or items disagree with
   * this decision's, so that each is recorded beside it as a conflict. Absent in older histories.
   */
  disagreeing?: Array<CallbackEvidence & { receipt: string | null }>;
  /** M-Pesa's own facts from the deciding callback; absent for other sources and in older histories. */
  evidence?: CallbackEvidence;
}

/** What a callback says about the money, kept as M-Pesa sent it for the record, the webhook and review. */
export interface CallbackEvidence {
  callbackId: number;
  amount: Kes | null;
  phoneNumber: string | null;
  /** YYYYMMDDHHmmss, Nairobi time, as M-Pesa wrote it. */
  transactionDate: string | null;
  problems: string[];
}

/** M-Pesa's facts from a callback, for the record, the webhook and review. */
export function evidenceOf(callback: CallbackOutcome): CallbackEvidence {
  return {
    callbackId: callback.callbackId,
    amount: callback.amount,
    phoneNumber: callback.phoneNumber,
    transactionDate: callback.transactionDate,
    problems: callback.problems ?? [],
  };
}

/** What is known of the push a callback must match: its own CheckoutRequestID, amount and (API side only) phone. */
export interface PushIdentity {
  /** Daraja's id for the push; null while the push has none (its answer timed out). */
  checkoutRequestId: string | null;
  /** Whole KES pushed. */
  amount: Kes;
  /** The MSISDN pushed (2547…); absent where it is not known (the workflow keeps no phone numbers). */
  phoneNumber?: string | null;
}

/**
 * Whether a callback may speak for the push it reached.
 * - A push with its own CheckoutRequestID is matched only by a callback naming that same id.
 * - A push without one (its answer timed out) is matched by a callback naming any id (it learns its
 *   id from it; the CallBackURL's secret path already vouches for the sender), or by a callback naming
 *   none only when its Amount is the pushed amount and its PhoneNumber, when both are known, agrees
 *   digit for digit where it is not masked. The phone can only refuse a match, never make one:
 *   Safaricom may mask it (DARAJA.md "Masking").
 * A callback for another push (misrouted, replayed or forged with this payment's path) never decides
 * the payment and never completes it.
 */
export function callbackMatchesPush(
  callback: Pick<CallbackOutcome, 'checkoutRequestId' | 'amount' | 'phoneNumber'>,
  push: PushIdentity,
): boolean {
  if (push.checkoutRequestId !== null) return callback.checkoutRequestId === push.checkoutRequestId;
  if (callback.checkoutRequestId !== null) return true;
  if (callback.amount === null || callback.amount !== push.amount) return false;
  return phoneAgrees(callback.phoneNumber, push.phoneNumber ?? null);
}

/**
 * Whether a callback's PhoneNumber (`2547…`, possibly with `*` for masked digits) can be the pushed
 * number: true when either is unknown or every unmasked digit is the same.
 */
export function phoneAgrees(reported: string | null, pushed: string | null): boolean {
  if (reported === null || pushed === null) return true;
  if (reported.length !== pushed.length) return false;
  return [...reported].every((digit, i) => digit === '*' || digit === pushed[i]);
}

/**
 * The callback that decides a payment, in order of arrival: the first success among those that match
 * the push (a success always wins over a failure, since M-Pesa took the money), else the first
 * matching failure; undefined while no matching callback has arrived.
 */
export function decisiveCallback(
  callbacks: readonly CallbackOutcome[],
  push: PushIdentity,
): CallbackOutcome | undefined {
  const matching = callbacks.filter((c) => callbackMatchesPush(c, push));
  return matching.find((c) => isSuccessCode(c.resultCode)) ?? matching[0];
}

/** The decision a callback carries: completed on ResultCode 0 with its receipt and evidence, failed otherwise. */
export function decisionFromCallback(callback: CallbackOutcome): PaymentDecision {
  return {
    status: isSuccessCode(callback.resultCode) ? 'completed' : 'failed',
    resultCode: callback.resultCode,
    resultDesc: callback.resultDesc,
    receipt: callback.receipt,
    source: 'callback',
    evidence: evidenceOf(callback),
  };
}

/**
 * The decision of a final STK query answer: it proves the outcome but carries no receipt (a callback
 * may bring it later).
 */
export function decisionFromQuery(answer: { resultCode: string; resultDesc: string }): PaymentDecision {
  return {
    status: isSuccessCode(answer.resultCode) ? 'completed' : 'failed',
    resultCode: answer.resultCode,
    resultDesc: answer.resultDesc,
    receipt: null,
    source: 'query',
  };
}

/** A failure with no M-Pesa result code: the push was refused or rejected, or no answer came in time. */
export function failedDecision(source: 'no_answer' | 'push_rejected', resultDesc: string): PaymentDecision {
  return { status: 'failed', resultCode: null, resultDesc, receipt: null, source };
}
