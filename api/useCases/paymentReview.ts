import type { EntityManager } from '@mikro-orm/postgresql';
import type { EvidenceConflict } from '../../domain/evidence';
import type { Transaction } from '../../db/entities';
import { callbacksOf, paymentsInDoubt } from '../../db/payments';

/** One payment whose M-Pesa evidence an operator should look at, with that evidence. */
export interface PaymentReviewView {
  transaction_id: number;
  merchant_id: number;
  environment: string;
  status: Transaction['status'];
  /** Why the payment is needs_review; null when it completed and only later evidence disagrees. */
  review_reason: string | null;
  amount: number;
  mpesa_amount: number | null;
  mpesa_receipt: string | null;
  checkout_request_id: string | null;
  evidence_conflicts: EvidenceConflict[];
  /** Every stored raw callback for the payment, oldest first. */
  callbacks: Array<{
    id: number;
    received_at: string;
    disposition: string;
    result_code: string | null;
    problems: string | null;
    raw_body: string;
  }>;
}

/**
 * GET /api/admin/payments/review: payments in `needs_review` and payments with conflicting evidence,
 * newest first (at most 100), each with its raw callbacks so the operator sees what M-Pesa sent.
 */
export async function paymentsForReview(em: EntityManager): Promise<PaymentReviewView[]> {
  const payments = await paymentsInDoubt(em, 100);
  const callbacks = await callbacksOf(
    em,
    payments.map((p) => p.id),
  );
  return payments.map((tx) => ({
    transaction_id: tx.id,
    merchant_id: tx.merchant,
    environment: tx.environment,
    status: tx.status,
    review_reason: tx.reviewReason,
    amount: tx.amount,
    mpesa_amount: tx.mpesaAmount,
    mpesa_receipt: tx.mpesaReceipt,
    checkout_request_id: tx.checkoutRequestId,
    evidence_conflicts: tx.evidenceConflicts,
    callbacks: callbacks
      .filter((c) => c.transaction === tx.id)
      .map((c) => ({
        id: c.id,
        received_at: c.receivedAt.toISOString(),
        disposition: c.disposition,
        result_code: c.resultCode,
        problems: c.problems,
        raw_body: c.rawBody,
      })),
  }));
}
