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
  /** What decided it: the callback, the STK query, or no answer at all. */
  source: 'callback' | 'query' | 'no_answer' | 'push_rejected';
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
