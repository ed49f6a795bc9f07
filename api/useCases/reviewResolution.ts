import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import type { ReviewProposal, Transaction, User } from '../../db/entities';
import {
  decideReviewProposal,
  feeCaptured,
  insertReviewProposal,
  markProposalHandedOver,
  paymentLockedForReview,
  reviewProposalById,
  receiptTakenForApproval,
  reviewProposalLocked,
  userEmails,
} from '../../db/reviewProposals';
import { receiptsClaimedElsewhere } from '../../db/mpesaRecords';
import type { AuditActor } from '../../domain/audit';
import { isMpesaReceipt } from '../../domain/callback';
import { AppError } from '../../domain/errors';
import { mayApprove, type OperatorVerdict, type ReviewAction } from '../../domain/review';
import { operatorVerdictSignal, type PaymentTimings } from '../../workflows/definitions';
import { reviewResolutionWorkflow, reviewResolutionWorkflowId } from '../../workflows/reviewResolution';

const reason = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(3, `${what} must say why, in at least 3 characters`)
    .max(1000, `${what} must be at most 1000 characters`);

/** The body of POST /api/admin/payments/:id/review/proposals. */
export const proposeResolutionSchema = z
  .object({
    action: z.enum(['complete', 'fail'], { error: 'action must be complete or fail' }),
    receipt: z
      .string({ error: 'receipt must be a string' })
      .trim()
      .refine(isMpesaReceipt, 'receipt must be an M-Pesa receipt: 8 to 20 upper-case letters and digits (R33MVBMXSF)')
      .nullish()
      .describe('The M-Pesa receipt that proves the payment; required to complete, absent to fail'),
    reason: reason('reason'),
  })
  .superRefine((body, ctx) => {
    if (body.action === 'complete' && !body.receipt)
      ctx.addIssue({ code: 'custom', path: ['receipt'], message: 'receipt is required to complete a payment' });
    if (body.action === 'fail' && body.receipt)
      ctx.addIssue({ code: 'custom', path: ['receipt'], message: 'receipt must be left out to fail a payment' });
  });

/** The body of POST /api/admin/review-proposals/:id/approve: an optional note. */
export const approveProposalSchema = z.object({ reason: reason('reason').optional() });

/** The body of POST /api/admin/review-proposals/:id/reject: why. */
export const rejectProposalSchema = z.object({ reason: reason('reason') });

/** A proposal as the API answers it. */
export interface ReviewProposalBody {
  id: number;
  transaction_id: number;
  action: ReviewAction;
  receipt: string | null;
  reason: string;
  status: ReviewProposal['status'];
  proposed_by: { id: number; email: string | null };
  proposed_at: string;
  decided_by: { id: number; email: string | null } | null;
  decided_at: string | null;
  decision_reason: string | null;
  /** When the approved verdict reached the payment; null while it has not (approve again to retry). */
  handed_over_at: string | null;
}

/** Who acts, for every action here: the signed-in admin and the audit log's view of the request. */
export interface AdminAction {
  admin: User;
  actor: AuditActor;
}

/** What approving needs beyond the database: where the payment's workflow runs, and the deployment's mode. */
export interface ApproveDeps {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  timings: PaymentTimings;
  /** REVIEW_SELF_APPROVAL: whether an admin may approve their own proposal (never in production). */
  selfApprovalAllowed: boolean;
}

/**
 * POST /api/admin/payments/:id/review/proposals: proposes to end a payment's review, completed with an
 * M-Pesa receipt or failed with its fee released; nothing moves until a second admin approves. Audited
 * as `review.proposed`. Errors: 404 not_found (no such payment); 409 conflict when the payment is not in
 * `needs_review`, already has a proposal waiting, names a receipt another payment holds, or (to fail)
 * its fee was captured when it completed (a fee is captured once or released once, never both).
 */
export async function proposeResolution(
  em: EntityManager,
  { admin, actor }: AdminAction,
  transactionId: number,
  body: z.infer<typeof proposeResolutionSchema>,
): Promise<ReviewProposalBody> {
  const proposal = await withAudit(em, async (tx) => {
    const payment = await paymentLockedForReview(tx, transactionId);
    if (!payment) throw new AppError('not_found', `Transaction ${transactionId} does not exist`);
    assertInReview(payment);
    if (body.action === 'fail' && (await feeCaptured(tx, transactionId)))
      throw new AppError(
        'conflict',
        `The fee of payment ${transactionId} was captured when it completed; it cannot be released, so the payment can only be completed`,
      );
    if (body.action === 'complete' && (await receiptsClaimedElsewhere(tx, [body.receipt!], transactionId)).size > 0)
      throw new AppError(
        'conflict',
        `M-Pesa receipt ${body.receipt} belongs to another payment: one receipt proves one payment`,
      );
    const inserted = await insertReviewProposal(tx, {
      transactionId,
      action: body.action,
      receipt: body.action === 'complete' ? body.receipt! : null,
      reason: body.reason,
      proposedBy: admin.id,
    });
    if ('pendingExists' in inserted)
      throw new AppError(
        'conflict',
        `Payment ${transactionId} already has a proposal waiting for approval; approve or reject it first`,
      );
    await appendAuditEvent(tx, {
      ...actor,
      merchantId: payment.merchant,
      action: 'review.proposed',
      subjectType: 'transaction',
      subjectId: String(transactionId),
      details: {
        proposal_id: inserted.proposal.id,
        proposed_action: body.action,
        receipt: inserted.proposal.receipt,
        reason: body.reason,
      },
    });
    return inserted.proposal;
  });
  return proposalBody(em, proposal);
}

/**
 * POST /api/admin/review-proposals/:id/approve: a second admin approves a pending proposal (audited as
 * `review.approved`), and the verdict goes to the payment's workflow, which settles it once: the fee
 * captured or released and the merchant's `payment.completed` or `payment.failed` webhook. A workflow
 * that had closed (older payments) is replaced by `reviewResolutionWorkflow` under
 * `payment-<id>-review-resolution-<proposalId>`. Approving an approved proposal again answers it as it
 * stands, and hands it over if it had not reached its payment (a retry after Temporal was
 * unreachable); nothing settles twice.
 * Errors: 404 not_found; 403 forbidden when the approver proposed it (outside development); 409
 * conflict when it was rejected, or its payment is no longer in review; 503 temporarily_unavailable
 * when Temporal could not be reached (the approval stands: approve again).
 */
export async function approveProposal(
  deps: ApproveDeps,
  { admin, actor }: AdminAction,
  proposalId: number,
  body: z.infer<typeof approveProposalSchema>,
): Promise<ReviewProposalBody> {
  const { proposal, payment } = await withAudit(deps.em, async (tx) => {
    const found = await reviewProposalLocked(tx, proposalId);
    if (!found) throw new AppError('not_found', `Review proposal ${proposalId} does not exist`);
    if (
      !mayApprove({ proposerId: found.proposedBy, approverId: admin.id, selfApprovalAllowed: deps.selfApprovalAllowed })
    )
      throw new AppError(
        'forbidden',
        'A resolution moves money: a second admin must approve it, not the one who proposed it',
      );
    const locked = (await paymentLockedForReview(tx, found.transaction))!;
    if (found.status === 'approved') return { proposal: found, payment: locked };
    if (found.status === 'rejected')
      throw new AppError('conflict', `Review proposal ${proposalId} was rejected; propose again`);
    assertInReview(locked);
    // What held when it was proposed may not hold now: the fee captured meanwhile, or the receipt given
    // to another payment (by its callback, M-Pesa's record, or another approved completion).
    if (found.action === 'fail' && (await feeCaptured(tx, locked.id)))
      throw new AppError(
        'conflict',
        `The fee of payment ${locked.id} has been captured since this was proposed; it cannot be released. Reject this proposal and propose completing it`,
      );
    if (found.action === 'complete' && (await receiptTakenForApproval(tx, found.receipt!, locked.id)))
      throw new AppError(
        'conflict',
        `M-Pesa receipt ${found.receipt} now proves another payment: one receipt proves one payment. Reject this proposal`,
      );
    if (
      !(await decideReviewProposal(tx, found, { status: 'approved', decidedBy: admin.id, reason: body.reason ?? null }))
    )
      throw new AppError(
        'conflict',
        `Payment ${locked.id} already has an approved resolution; it is being settled by its workflow`,
      );
    await appendAuditEvent(tx, {
      ...actor,
      merchantId: locked.merchant,
      action: 'review.approved',
      subjectType: 'transaction',
      subjectId: String(locked.id),
      details: {
        proposal_id: found.id,
        proposed_action: found.action,
        receipt: found.receipt,
        proposed_by: found.proposedBy,
        ...(body.reason === undefined ? {} : { reason: body.reason }),
      },
    });
    return { proposal: found, payment: locked };
  });
  if (proposal.status === 'approved' && proposal.handedOverAt === null) await handOver(deps, payment, proposal);
  return proposalBody(deps.em, (await reviewProposalById(deps.em, proposal.id))!);
}

/**
 * POST /api/admin/review-proposals/:id/reject: another admin rejects a pending proposal with a reason
 * (audited as `review.rejected`); nothing moves, and a new proposal may be made. The proposer may
 * reject their own (a withdrawal moves no money). Errors: 404 not_found; 409 conflict when it was
 * already approved or rejected.
 */
export async function rejectProposal(
  em: EntityManager,
  { admin, actor }: AdminAction,
  proposalId: number,
  body: z.infer<typeof rejectProposalSchema>,
): Promise<ReviewProposalBody> {
  const proposal = await withAudit(em, async (tx) => {
    const found = await reviewProposalLocked(tx, proposalId);
    if (!found) throw new AppError('not_found', `Review proposal ${proposalId} does not exist`);
    if (found.status !== 'pending')
      throw new AppError('conflict', `Review proposal ${proposalId} was already ${found.status}`);
    await decideReviewProposal(tx, found, { status: 'rejected', decidedBy: admin.id, reason: body.reason });
    const payment = (await paymentLockedForReview(tx, found.transaction))!;
    await appendAuditEvent(tx, {
      ...actor,
      merchantId: payment.merchant,
      action: 'review.rejected',
      subjectType: 'transaction',
      subjectId: String(payment.id),
      details: { proposal_id: found.id, proposed_action: found.action, receipt: found.receipt, reason: body.reason },
    });
    return found;
  });
  return proposalBody(em, proposal);
}

/**
 * Hands an approved verdict to its payment: `operatorVerdictSignal` while its workflow runs (the
 * workflow dedupes by proposal id and settles through the review rule), else `reviewResolutionWorkflow`
 * under a stable ID, started once. Throws 503 when Temporal cannot be reached.
 */
async function handOver(deps: ApproveDeps, payment: Transaction, proposal: ReviewProposal): Promise<void> {
  const verdict: OperatorVerdict = {
    proposalId: proposal.id,
    action: proposal.action,
    receipt: proposal.receipt,
    reason: proposal.reason,
  };
  try {
    try {
      await deps.temporal.workflow.getHandle(payment.workflowId).signal(operatorVerdictSignal, verdict);
      await markProposalHandedOver(deps.em, proposal.id, 'signal');
      return;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    try {
      await deps.temporal.workflow.start(reviewResolutionWorkflow, {
        workflowId: reviewResolutionWorkflowId(payment.id, proposal.id),
        taskQueue: deps.taskQueue,
        // One settlement per proposal, ever: a closed run under this ID is never started again.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ transactionId: payment.id, verdict, timings: deps.timings }],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    await markProposalHandedOver(deps.em, proposal.id, 'resolution_workflow');
  } catch {
    throw new AppError(
      'temporarily_unavailable',
      `The approval of proposal ${proposal.id} is recorded, but the payment could not be reached: approve it again shortly`,
    );
  }
}

/** Only a payment in `needs_review` may be proposed or approved; otherwise 409. */
function assertInReview(payment: Transaction): void {
  if (payment.status !== 'needs_review')
    throw new AppError(
      'conflict',
      `Payment ${payment.id} is ${payment.status}, not in review: only a payment in needs_review can be resolved`,
    );
}

/** Proposals as the API answers them, with who proposed and decided each. */
export async function proposalBodies(em: EntityManager, proposals: ReviewProposal[]): Promise<ReviewProposalBody[]> {
  const emails = await userEmails(
    em,
    proposals.flatMap((p) => (p.decidedBy === null ? [p.proposedBy] : [p.proposedBy, p.decidedBy])),
  );
  return proposals.map((p) => ({
    id: p.id,
    transaction_id: p.transaction,
    action: p.action,
    receipt: p.receipt,
    reason: p.reason,
    status: p.status,
    proposed_by: { id: p.proposedBy, email: emails.get(p.proposedBy) ?? null },
    proposed_at: new Date(p.proposedAt).toISOString(),
    decided_by: p.decidedBy === null ? null : { id: p.decidedBy, email: emails.get(p.decidedBy) ?? null },
    decided_at: p.decidedAt === null ? null : new Date(p.decidedAt).toISOString(),
    decision_reason: p.decisionReason,
    handed_over_at: p.handedOverAt === null ? null : new Date(p.handedOverAt).toISOString(),
  }));
}

async function proposalBody(em: EntityManager, proposal: ReviewProposal): Promise<ReviewProposalBody> {
  return (await proposalBodies(em, [proposal]))[0]!;
}
