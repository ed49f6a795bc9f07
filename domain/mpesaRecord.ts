import type { Kes } from './money';

/**
 * Where a piece of M-Pesa's own record came from:
 * - `transaction_status`: Daraja's Transaction Status API (`/mpesa/transactionstatus/v1/query`), whose
 *   result Safaricom posts to our ResultURL; Safaricom calls it "a secondary reconciliation mechanism
 *   when callbacks are not received".
 * - `pull_transactions`: Daraja's Pull Transactions API (`/pulltransactions/v1/query`), every credit to
 *   the shortcode in the last 48 hours.
 * - `statement`: a line of the M-Pesa organisation-portal statement a merchant uploaded.
 */
export type MpesaRecordSource = 'transaction_status' | 'pull_transactions' | 'statement';

/**
 * What M-Pesa's own record says about one payment, as evidence for the payment's decision
 * (beside its callbacks and STK query answers):
 * - `completed`: M-Pesa holds a completed credit that matches this payment (receipt and amount given);
 * - `failed`: M-Pesa holds the transaction as failed, cancelled or expired;
 * - `not_found`: M-Pesa has no such transaction (after the whole window it could appear in).
 */
export interface MpesaRecordEvidence {
  /** Stable id of the stored answer, the dedupe key when the same record is handed over twice. */
  recordId: string;
  source: MpesaRecordSource;
  outcome: 'completed' | 'failed' | 'not_found';
  /** The M-Pesa receipt (TransactionID / ReceiptNo), when M-Pesa gave one. */
  receipt: string | null;
  /** Whole KES as M-Pesa recorded it; null when the record did not say. */
  amount: Kes | null;
  /** The payer as M-Pesa gave it: may be masked (`07XX XXX 123`) or hashed; never used to overwrite the pushed number. */
  payer: string | null;
  /** When M-Pesa completed (or finalised) it, ISO 8601 with offset; null when unknown. */
  completedAt: string | null;
  /** M-Pesa's own words (ResultDesc, TransactionStatus, ReasonType), for the timeline. */
  description: string;
}
