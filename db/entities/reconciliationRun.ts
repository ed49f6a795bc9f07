import { EntitySchema } from '@mikro-orm/core';

/** The kinds of thing a reconciliation run looks for. */
export type FindingKind =
  | 'callback_redriven'
  | 'orphan_started'
  | 'orphan_ended'
  /** A recorded reversal whose workflow had not been started (its request ended first): started. */
  | 'reversal_orphan_started'
  | 'payment_overdue'
  | 'webhook_given_up'
  | 'wallet_ledger_mismatch'
  /** M-Pesa's own record (Pull Transactions) holds a payment ImaraPay had no final word on; handed to the payment. */
  | 'mpesa_record_found'
  /** M-Pesa's record of a payment disagrees with it (another amount): handed over, for review. */
  | 'mpesa_record_disagrees'
  /** M-Pesa's record could not be asked (Daraja refused or unreachable) for these payments. */
  | 'mpesa_record_unreachable'
  /** A statement credit for a payment ImaraPay has as failed: M-Pesa's record says the customer paid. */
  | 'statement_credit_for_failed_payment'
  /** Other statement credits ImaraPay has no completed payment for (never pushed, pending, in review, uncertain). */
  | 'statement_mpesa_only'
  /** Payments ImaraPay reported completed that the statement never credited. */
  | 'statement_imarapay_only'
  /** Payments credited for another amount than ImaraPay's. */
  | 'statement_amount_differs';

/**
 * What one run found of one kind: how many, up to 20 of their ids (transactions, callbacks,
 * merchants or statement report lines, as `idKind` says), and whether the run repaired them (`repaired`) or leaves them to ops.
 */
export interface Finding {
  kind: FindingKind;
  count: number;
  repaired: boolean;
  idKind: 'transaction' | 'callback' | 'merchant' | 'statement_line';
  ids: number[];
}

/** One run of the reconciliation schedule and what it found. */
export interface ReconciliationRun {
  id: number;
  workflowId: string;
  startedAt: Date;
  finishedAt: Date | null;
  findings: Finding[];
}

export const ReconciliationRunSchema = new EntitySchema<ReconciliationRun>({
  name: 'ReconciliationRun',
  tableName: 'reconciliation_runs',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    workflowId: { type: 'string', length: 255 },
    startedAt: { type: 'datetime', defaultRaw: 'now()', index: true },
    finishedAt: { type: 'datetime', nullable: true },
    findings: { type: 'json', defaultRaw: `'[]'` },
  },
});
