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
  /** What decided it: the callback, the STK query, no answer at all, or M-Pesa's own record (Transaction Status, Pull Transactions). */
  source: 'callback' | 'query' | 'no_answer' | 'push_rejected' | 'mpesa_record';
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

/**
 * Whether a callback may speak for the push it reached: true unless both the push and the callback
 * name a CheckoutRequestID and the two differ. A callback for another push (misrouted, replayed or
 * forged with this payment's path) never decides the payment and never completes it.
 * `pushCheckoutRequestId` is null while the push has none (its answer timed out).
 */
export function callbackMatchesPush(
  callback: Pick<CallbackOutcome, 'checkoutRequestId'>,
  pushCheckoutRequestId: string | null,
): boolean {
  return (
    pushCheckoutRequestId === null ||
    callback.checkoutRequestId === null ||
    callback.checkoutRequestId === pushCheckoutRequestId
  );
}

/**
 * The callback that decides a payment, in order of arrival: the first success among those that match
 * the push (a success always wins over a failure, since M-Pesa took the money), else the first
 * matching failure; undefined while no matching callback has arrived.
 */
export function decisiveCallback(
  callbacks: readonly CallbackOutcome[],
  pushCheckoutRequestId: string | null,
): CallbackOutcome | undefined {
  const matching = callbacks.filter((c) => callbackMatchesPush(c, pushCheckoutRequestId));
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

/**
 * Whether a success callback changes a settled payment: it completes a failed one, or brings a
 * query-decided success the receipt the query could not give. `status` is the settled status.
 */
export function successChangesRecord(
  status: 'completed' | 'failed' | 'needs_review',
  decision: PaymentDecision,
  success: CallbackOutcome,
): boolean {
  if (!isSuccessCode(success.resultCode)) return false;
  if (status === 'failed') return true;
  return status === 'completed' && decision.source === 'query' && decision.receipt === null && success.receipt !== null;
}

/**
 * Whether a further success callback disagrees with the callback-decided success recorded in
 * `decision` (another receipt, another amount, or items that broke their rule): it is then recorded
 * beside the first as a conflict, never applied. False for the deciding callback itself.
 */
export function contradictsDecision(decision: PaymentDecision, callback: CallbackOutcome): boolean {
  const { evidence } = decision;
  if (decision.status !== 'completed' || decision.source !== 'callback' || !evidence) return false;
  if (!isSuccessCode(callback.resultCode) || callback.callbackId === evidence.callbackId) return false;
  return (
    callback.receipt !== decision.receipt || callback.amount !== evidence.amount || (callback.problems?.length ?? 0) > 0
  );
}
