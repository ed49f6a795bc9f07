import type { StkQueryResult } from '../daraja/types';
import type { PaymentDecision } from '../domain/payment';
import type { WebhookEvent } from '../db/entities/webhook';
import type { Finding } from '../db/entities/reconciliationRun';

export type { Finding };
import type { PaymentTimings } from '../workflows/definitions';

/** The payment activities, as workflows see them (workflows import this file as types only). */
export interface PaymentActivities {
  /** Takes the fee out of the merchant's wallet; fails with InsufficientBalance when it cannot. */
  reserveFee(input: { transactionId: number }): Promise<{ balance: number }>;
  /**
   * Sends the STK push at most once and records Daraja's ids on the payment before answering (it
   * retries that write until Postgres takes it); fails with DarajaTerminal, DarajaIndeterminate,
   * DarajaRetryable, or DarajaUnavailable once `deadline` (epoch ms) has passed with nothing sent.
   */
  sendStkPush(input: {
    transactionId: number;
    deadline: number;
  }): Promise<{ checkoutRequestId: string; merchantRequestId: string }>;
  /** Asks Daraja how a push ended; transient errors answer "pending". */
  queryStkStatus(input: { transactionId: number; checkoutRequestId: string }): Promise<StkQueryResult>;
  /** Records the decision and captures or releases the fee, once. A completed payment is never failed. */
  settlePayment(input: { transactionId: number; decision: PaymentDecision }): Promise<SettleResult>;
  /** Ends a payment whose settlement failed on its data in `needs_review` (never a completed one), fee untouched. */
  markNeedsReview(input: { transactionId: number; reason: string }): Promise<void>;
  /** Charges the fee of a late success whose fee had been released; fails with LateFeeUncovered until the wallet covers it. */
  chargeLateFee(input: { transactionId: number }): Promise<void>;
  /**
   * POSTs the payment result to the merchant's callback URL, signed (ImaraPay-Signature), recording the
   * attempt; fails with WebhookRejected. In production a URL that is or resolves to a non-public address
   * is refused at every attempt (recorded as the attempt's error).
   * A `payment.failed` delivery whose payment has since completed is superseded, never sent.
   */
  deliverWebhook(input: {
    transactionId: number;
    event: WebhookEvent;
  }): Promise<{ delivered: boolean; skippedReason: string | null }>;
  /** Marks a webhook delivery as given up after its retry window. */
  markWebhookGivenUp(input: { transactionId: number; event: WebhookEvent }): Promise<void>;
  /**
   * POSTs a recorded delivery's payload again, signed afresh, to the merchant's current callback URL,
   * recording the attempt on the same delivery; fails with WebhookRejected (not retryable when the
   * merchant has no callback URL any more). Sends nothing once the delivery was accepted after
   * `requestedAt` (epoch ms; another attempt got there first): `attemptNo` is then null.
   */
  redeliverWebhook(input: {
    deliveryId: number;
    requestedAt: number;
  }): Promise<{ delivered: true; attemptNo: number | null }>;
  /** Marks a redelivery as given up after its retry window (pending → failed). */
  markRedeliveryGivenUp(input: { deliveryId: number }): Promise<void>;
}

export interface SettleResult {
  /** The status the transaction now has (a completed payment stays completed; needs_review waits for an operator). */
  status: 'completed' | 'failed' | 'needs_review';
  /** True when a late success found its fee released and must charge it again. */
  lateFeeDue: boolean;
  /** True when this call changed the status (false on a repeat). */
  changed: boolean;
  /** How many disagreements with the recorded evidence this call recorded (absent in older histories). */
  conflicts?: number;
}

/** What the reconciliation needs from its input: the grace and windows it applies, and the payments' timings. */
export interface ReconciliationWindows {
  /** Rows and callbacks younger than this are left to their own request (ms). */
  orphanGraceMs: number;
  /** An orphan row younger than this is started; an older one is ended failed (ms). */
  orphanStartWindowMs: number;
  /** A payment still pending after this is overdue (ms). */
  overdueAfterMs: number;
  timings: PaymentTimings;
}

/** The reconciliation's activities (activities/reconciliation.ts). Each answers what it found as findings. */
export interface ReconciliationActivities {
  /** Opens the run's row in `reconciliation_runs`. */
  beginReconciliationRun(input: { workflowId: string }): Promise<{ runId: number }>;
  /** Hands every stored callback not yet handed over to its workflow again (or the late path). */
  redriveStoredCallbacks(input: ReconciliationWindows): Promise<Finding[]>;
  /** Starts (young) or ends (old) every payment row that has no workflow. */
  recoverOrphanPayments(input: ReconciliationWindows): Promise<Finding[]>;
  /** Finds what only ops can settle: overdue payments, webhooks given up, wallets off their ledger. */
  auditPayments(input: ReconciliationWindows): Promise<Finding[]>;
  /** Records the findings on the run's row and logs one warning per kind found. */
  finishReconciliationRun(input: { runId: number; findings: Finding[] }): Promise<void>;
  /** Ends a never-started payment failed (no prompt, no fee); false when it had moved on meanwhile. */
  endUnstartedPayment(input: { transactionId: number }): Promise<{ ended: boolean }>;
}
