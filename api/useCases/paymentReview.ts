import type { EntityManager } from '@mikro-orm/postgresql';
import type { EvidenceConflict } from '../../domain/evidence';
import { parseStkCallback, type ParsedCallback } from '../../domain/callback';
import { AppError } from '../../domain/errors';
import type { Transaction } from '../../db/entities';
import { callbacksOf, paymentsInDoubt } from '../../db/payments';
import { mpesaRecordsOf, paymentById, proposalsOf, statusQueriesOf } from '../../db/reviewProposals';
import { proposalBodies, type ReviewProposalBody } from './reviewResolution';
import { anyPaymentTimeline, type TimelineEvent } from './transactionTimeline';

/** One payment whose M-Pesa evidence an operator should look at, with all that evidence side by side. */
export interface PaymentReviewView {
  transaction_id: number;
  merchant_id: number;
  environment: string;
  status: Transaction['status'];
  /** Why the payment is needs_review; null when it completed and only later evidence disagrees. */
  review_reason: string | null;
  amount: number;
  fee: number;
  mpesa_amount: number | null;
  mpesa_receipt: string | null;
  checkout_request_id: string | null;
  evidence_conflicts: EvidenceConflict[];
  /** The push as ImaraPay sent it. */
  push: { phone_number: string; account_reference: string; push_state: string; created_at: string };
  /** Every stored raw callback for the payment, oldest first, with what ImaraPay read from it. */
  callbacks: Array<{
    id: number;
    received_at: string;
    disposition: string;
    result_code: string | null;
    problems: string | null;
    raw_body: string;
    /** The callback as the review rule reads it (domain/callback.ts); null when its body is not a Daraja callback. */
    parsed: Omit<ParsedCallback, 'merchantRequestId'> | null;
  }>;
  /** Each STK status query and Daraja's answer (or why it could not be asked), oldest first. */
  queries: Array<{
    asked_at: string;
    state: string;
    result_code: string | null;
    result_desc: string | null;
    error: string | null;
  }>;
  /** M-Pesa's own record (Transaction Status, Pull Transactions), oldest first. */
  mpesa_records: Array<{
    id: number;
    source: string;
    disposition: string;
    outcome: string | null;
    receipt: string | null;
    amount: number | null;
    completed_at: string | null;
    description: string;
    received_at: string;
  }>;
  /** Operators' proposals to end the review, oldest first; at most one is pending. */
  proposals: ReviewProposalBody[];
}

/** A payment in review with its timeline, for the review queue's detail. */
export type PaymentReviewDetail = PaymentReviewView & { timeline: TimelineEvent[] };

/**
 * GET /api/admin/payments/review: payments in `needs_review` and payments with conflicting evidence,
 * newest first (at most 100), each with all its evidence (push, callbacks raw and parsed, query
 * answers, M-Pesa's record, conflicts) and its proposals, so every admin sees what waits for approval.
 */
export async function paymentsForReview(em: EntityManager): Promise<PaymentReviewView[]> {
  return reviewViews(em, await paymentsInDoubt(em, 100));
}

/**
 * GET /api/admin/payments/review/:id: one payment's evidence, proposals and timeline, whatever its
 * status now (a resolved payment stays readable). 404 not_found when there is no such payment.
 */
export async function paymentReviewDetail(em: EntityManager, transactionId: number): Promise<PaymentReviewDetail> {
  const timeline = await anyPaymentTimeline(em, transactionId);
  const [payment] = timeline ? await paymentsById(em, transactionId) : [];
  if (!timeline || !payment) throw new AppError('not_found', `Transaction ${transactionId} does not exist`);
  const [view] = await reviewViews(em, [payment]);
  return { ...view!, timeline: timeline.events };
}

async function paymentsById(em: EntityManager, id: number): Promise<Transaction[]> {
  const found = await paymentById(em, id);
  return found ? [found] : [];
}

async function reviewViews(em: EntityManager, payments: Transaction[]): Promise<PaymentReviewView[]> {
  const ids = payments.map((p) => p.id);
  const [callbacks, queries, records, proposals] = await Promise.all([
    callbacksOf(em, ids),
    statusQueriesOf(em, ids),
    mpesaRecordsOf(em, ids),
    proposalsOf(em, ids).then((found) => proposalBodies(em, found)),
  ]);
  return payments.map((tx) => ({
    transaction_id: tx.id,
    merchant_id: tx.merchant,
    environment: tx.environment,
    status: tx.status,
    review_reason: tx.reviewReason,
    amount: tx.amount,
    fee: tx.fee,
    mpesa_amount: tx.mpesaAmount,
    mpesa_receipt: tx.mpesaReceipt,
    checkout_request_id: tx.checkoutRequestId,
    evidence_conflicts: tx.evidenceConflicts,
    push: {
      phone_number: tx.phoneNumber,
      account_reference: tx.accountReference,
      push_state: tx.pushState,
      created_at: new Date(tx.createdAt).toISOString(),
    },
    callbacks: callbacks
      .filter((c) => c.transaction === tx.id)
      .map((c) => ({
        id: c.id,
        received_at: c.receivedAt.toISOString(),
        disposition: c.disposition,
        result_code: c.resultCode,
        problems: c.problems,
        raw_body: c.rawBody,
        parsed: parsedCallback(c.rawBody),
      })),
    queries: queries
      .filter((q) => q.transaction === tx.id)
      .map((q) => ({
        asked_at: new Date(q.askedAt).toISOString(),
        state: q.state,
        result_code: q.resultCode,
        result_desc: q.resultDesc,
        error: q.error,
      })),
    mpesa_records: records
      .filter((r) => r.transaction === tx.id)
      .map((r) => ({
        id: r.id,
        source: r.source,
        disposition: r.disposition,
        outcome: r.outcome,
        receipt: r.receipt,
        amount: r.amount,
        completed_at: r.completedAt === null ? null : new Date(r.completedAt).toISOString(),
        description: r.description,
        received_at: new Date(r.receivedAt).toISOString(),
      })),
    proposals: proposals.filter((p) => p.transaction_id === tx.id),
  }));
}

/** What the review rule reads from a stored body; null when it is not JSON or not a Daraja callback. */
function parsedCallback(rawBody: string): PaymentReviewView['callbacks'][number]['parsed'] {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return null; // a malformed body is shown raw, with nothing read from it
  }
  const parsed = parseStkCallback(body);
  if (!parsed) return null;
  return {
    checkoutRequestId: parsed.checkoutRequestId,
    resultCode: parsed.resultCode,
    resultDesc: parsed.resultDesc,
    receipt: parsed.receipt,
    amount: parsed.amount,
    phoneNumber: parsed.phoneNumber,
    transactionDate: parsed.transactionDate,
    problems: parsed.problems,
    unusable: parsed.unusable,
  };
}
