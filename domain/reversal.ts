/**
 * Reversals: the rules every layer shares (pure, no I/O).
 *
 * A reversal returns the full amount of one completed payment to the customer through Daraja's
 * Reversal API. Its life (`ReversalState`, on the reversal row):
 * - requested: recorded; its workflow is starting;
 * - sending: written just before the request goes to Daraja, so that a retry after a crash knows the
 *   request may have reached M-Pesa and never sends a second one;
 * - accepted: Daraja acknowledged; the result is awaited on the ResultURL;
 * - reversed: M-Pesa moved the money back (its result, R000001 "already reversed", or its own record);
 * - failed: M-Pesa refused it (till lacks the funds, wrong initiator, …) or Daraja refused the request
 *   before anything happened: nothing moved;
 * - in_doubt: no result came and M-Pesa's own record did not show the reversal within the window: the
 *   money may or may not have moved. Ops check the M-Pesa portal; a late result still settles it.
 *
 * The payment shows `ReversalStatus`: requested (requested, sending, accepted), reversed, failed or in_doubt.
 */
export type ReversalState = 'requested' | 'sending' | 'accepted' | 'reversed' | 'failed' | 'in_doubt';

export type ReversalStatus = 'requested' | 'reversed' | 'failed' | 'in_doubt';

export const REVERSAL_STATUSES: readonly ReversalStatus[] = ['requested', 'reversed', 'failed', 'in_doubt'];

/** The payment-facing status of a reversal state. */
export function reversalStatusOf(state: ReversalState): ReversalStatus {
  return state === 'reversed' || state === 'failed' || state === 'in_doubt' ? state : 'requested';
}

/** Final states: nothing changes them, except a late result for an `in_doubt` one. */
export const isSettledReversal = (state: ReversalState) => state === 'reversed' || state === 'failed';

/** What decided a reversal: its result, M-Pesa's own record (Transaction Status), or Daraja's refusal of the request. */
export type ReversalDecidedBy = 'result' | 'mpesa_record' | 'request_refused';

/** The payment facts the eligibility rule reads. */
export interface ReversiblePayment {
  status: string;
  purpose: string;
  mpesaReceipt: string | null;
  channel: number | null;
  reversalStatus: ReversalStatus | null;
}

export type ReversalRefusal = { code: 'not_reversible'; message: string } | null;

/**
 * Whether a payment may be reversed: a customer payment (not a wallet top-up) that is `completed`,
 * has its M-Pesa receipt (Daraja's TransactionID) and a channel (the ReceiverParty), and has no
 * reversal yet. Returns null when it may, else why not (answered 409 `not_reversible`).
 */
export function reversalRefusal(payment: ReversiblePayment): ReversalRefusal {
  if (payment.purpose !== 'payment' || payment.channel === null)
    return { code: 'not_reversible', message: 'Only customer payments can be reversed; wallet top-ups cannot' };
  if (payment.status !== 'completed')
    return {
      code: 'not_reversible',
      message: `Only completed payments can be reversed; this one is ${payment.status}`,
    };
  if (!payment.mpesaReceipt)
    return {
      code: 'not_reversible',
      message: 'This payment has no M-Pesa receipt yet, which a reversal needs; try again once it has one',
    };
  return null;
}

/** What a result or M-Pesa's record says about a reversal, reduced to what the workflow decides on. */
export interface ReversalEvidence {
  /** The stored result row it came from (reversal_results.id), so repeats count once. */
  resultId: number;
  /** reversed: the money moved back; failed: M-Pesa refused it; unknown: says nothing final (queue timeout, not found yet). */
  verdict: 'reversed' | 'failed' | 'unknown';
  source: 'result' | 'queue_timeout' | 'mpesa_record';
  resultCode: string | null;
  description: string;
  /** The reversal's own M-Pesa transaction id, when known. */
  reversalReceipt: string | null;
}

/**
 * Reads a Transaction Status answer about a reversal. Only a positive record ends it: asked about the
 * reversal itself (its conversation id), the reversal's own transaction `Completed`; asked about the
 * original payment (`aboutOriginal`: the record names the payment's receipt), that payment `Reversed`
 * (its `Completed` only says the payment happened). "Does not exist", "pending" and failures of the
 * question say nothing final: the reversal may still be in M-Pesa's queue.
 */
export function reversalVerdictFromRecord(record: {
  resultCode: string;
  transactionStatus: string | null;
  aboutOriginal: boolean;
}): 'reversed' | 'unknown' {
  if (record.resultCode !== '0' || !record.transactionStatus) return 'unknown';
  const status = record.transactionStatus.trim();
  if (/^reversed$/i.test(status)) return 'reversed';
  return !record.aboutOriginal && /^completed$/i.test(status) ? 'reversed' : 'unknown';
}

/** ImaraPay's fee on a reversed payment: kept (the payment was taken and settled). Documented in the README. */
export const REVERSAL_FEE_RULE =
  "ImaraPay's fee for the payment is kept: a reversal returns the customer's money, not the fee, and costs no new fee.";
