import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReviewAction } from '../domain/review';
import {
  MpesaRecordSchema,
  ReviewProposalSchema,
  StkStatusQuerySchema,
  TransactionSchema,
  UserSchema,
  type MpesaRecordRow,
  type ReviewProposal,
  type StkStatusQuery,
  type Transaction,
} from './entities';

/** The payment a proposal is about, locked for the rest of `tem`'s transaction (proposals of one payment take turns). */
export async function paymentLockedForReview(tem: EntityManager, transactionId: number): Promise<Transaction | null> {
  return tem.findOne(TransactionSchema, transactionId, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

/**
 * For an approval that completes `transactionId` with `receipt`: holds, until the transaction ends,
 * every other approval naming the same receipt (so two payments approved at once cannot both take it),
 * then answers whether the receipt already proves another payment: another transaction holds it,
 * M-Pesa's record gave it to another, or another payment's approved completion names it.
 */
export async function receiptTakenForApproval(
  tem: EntityManager,
  receipt: string,
  transactionId: number,
): Promise<boolean> {
  const context = tem.getTransactionContext();
  await tem
    .getConnection()
    .execute('select pg_advisory_xact_lock(hashtext(?))', [`mpesa-receipt:${receipt}`], 'all', context);
  const rows = await tem.getConnection().execute<{ taken: number }[]>(
    `select 1 as taken from transactions where mpesa_receipt = ? and id <> ?
     union all select 1 from mpesa_records where receipt = ? and transaction_id <> ? and disposition = 'evidence'
     union all select 1 from review_proposals where receipt = ? and transaction_id <> ? and status = 'approved'
     limit 1`,
    [receipt, transactionId, receipt, transactionId, receipt, transactionId],
    'all',
    context,
  );
  return rows.length > 0;
}

/** Whether the payment's reserved fee was captured (a completed payment's fee is never released). */
export async function feeCaptured(em: EntityManager, transactionId: number): Promise<boolean> {
  const rows = await em
    .getConnection()
    .execute<{ n: number }[]>(
      `select count(*)::int as n from wallet_ledger where transaction_id = ? and kind in ('fee_capture', 'late_fee_capture')`,
      [transactionId],
      'all',
      em.getTransactionContext(),
    );
  return (rows[0]?.n ?? 0) > 0;
}

/** A new proposal's fields. */
export interface NewReviewProposal {
  transactionId: number;
  action: ReviewAction;
  receipt: string | null;
  reason: string;
  proposedBy: number;
}

/**
 * Records a pending proposal; `{ pendingExists: true }` when the payment already has one waiting
 * (the unique index `review_proposals_one_pending`), changing nothing.
 */
export async function insertReviewProposal(
  tem: EntityManager,
  input: NewReviewProposal,
): Promise<{ proposal: ReviewProposal } | { pendingExists: true }> {
  const proposal = tem.create(ReviewProposalSchema, {
    transaction: input.transactionId,
    action: input.action,
    receipt: input.receipt,
    reason: input.reason,
    status: 'pending',
    proposedBy: input.proposedBy,
    proposedAt: new Date(),
    decidedBy: null,
    decidedAt: null,
    decisionReason: null,
    handedOverAt: null,
    handedOverVia: null,
  });
  try {
    await tem.flush();
    return { proposal };
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return { pendingExists: true };
    throw err;
  }
}

/** The proposal, locked for the rest of `tem`'s transaction (two admins deciding it take turns); null when missing. */
export async function reviewProposalLocked(tem: EntityManager, id: number): Promise<ReviewProposal | null> {
  return tem.findOne(ReviewProposalSchema, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

/**
 * Records the checker's decision on a locked pending proposal. False, changing nothing, when approving
 * it would make a second approved proposal of its payment (`review_proposals_one_approved`).
 */
export async function decideReviewProposal(
  tem: EntityManager,
  proposal: ReviewProposal,
  decision: { status: 'approved' | 'rejected'; decidedBy: number; reason: string | null },
): Promise<boolean> {
  const decided = {
    status: decision.status,
    decidedBy: decision.decidedBy,
    decidedAt: new Date(),
    decisionReason: decision.reason,
  };
  try {
    // A savepoint, so that a refused approval leaves the caller's transaction usable.
    await tem.transactional((inner) => inner.nativeUpdate(ReviewProposalSchema, { id: proposal.id }, decided));
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return false;
    throw err;
  }
  Object.assign(proposal, decided);
  return true;
}

/** Notes that an approved proposal reached its payment, and how. */
export async function markProposalHandedOver(
  em: EntityManager,
  id: number,
  via: 'signal' | 'resolution_workflow',
): Promise<void> {
  await em.fork().nativeUpdate(ReviewProposalSchema, { id }, { handedOverAt: new Date(), handedOverVia: via });
}

/** The proposal as committed now; null when missing. */
export async function reviewProposalById(em: EntityManager, id: number): Promise<ReviewProposal | null> {
  return em.fork().findOne(ReviewProposalSchema, id);
}

/** Every proposal of these payments, oldest first. */
export async function proposalsOf(em: EntityManager, transactionIds: number[]): Promise<ReviewProposal[]> {
  if (transactionIds.length === 0) return [];
  return em.find(ReviewProposalSchema, { transaction: { $in: transactionIds } }, { orderBy: { id: 'asc' } });
}

/** The e-mail of each of these users, by id (who proposed and who decided). */
export async function userEmails(em: EntityManager, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const users = await em.find(UserSchema, { id: { $in: [...new Set(ids)] } });
  return new Map(users.map((u) => [u.id, u.email]));
}

/** Every STK status query of these payments, oldest first. */
export async function statusQueriesOf(em: EntityManager, transactionIds: number[]): Promise<StkStatusQuery[]> {
  if (transactionIds.length === 0) return [];
  return em.find(StkStatusQuerySchema, { transaction: { $in: transactionIds } }, { orderBy: { id: 'asc' } });
}

/** Every M-Pesa record stored for these payments, oldest first. */
export async function mpesaRecordsOf(em: EntityManager, transactionIds: number[]): Promise<MpesaRecordRow[]> {
  if (transactionIds.length === 0) return [];
  return em.find(MpesaRecordSchema, { transaction: { $in: transactionIds } }, { orderBy: { id: 'asc' } });
}

/** The payment with this id as committed now, or null. */
export async function paymentById(em: EntityManager, id: number): Promise<Transaction | null> {
  return em.fork().findOne(TransactionSchema, id);
}
