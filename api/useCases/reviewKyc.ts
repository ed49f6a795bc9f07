import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import type { KycStatus, KycSubmission, User } from '../../db/entities';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import type { AuditActor } from '../../domain/audit';
import {
  decideKycSubmission,
  kycDocumentWithContent,
  kycSubmissionById,
  kycSubmissionsPage,
  merchantsByIds,
  userById,
} from '../../db/kyc';
import { kycDocumentFileName } from './kycDocuments';
import { documentsOf, submissionBody, type KycSubmissionBody } from './kycViews';
import { MAX_SERIAL_ID } from '../../domain/ids';

/** The query of GET /api/admin/kyc. */
export const kycQueueQuerySchema = z.object({
  status: z
    .enum(['pending', 'approved', 'rejected'], { error: 'status must be one of pending, approved, rejected' })
    .optional(),
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(500, 'limit must be at most 500')
    .default(100),
  /** Cursor: the last id of the previous page. */
  after_id: z.coerce
    .number({ error: 'after_id must be a number' })
    .int('after_id must be a whole number')
    .min(0, 'after_id cannot be negative')
    .max(MAX_SERIAL_ID, 'after_id is not a valid id')
    .default(0),
});

/** The body of POST /api/admin/kyc/:id/reject. */
export const rejectKycRequestSchema = z.object({
  reason: z
    .string({ error: 'reason must be a string' })
    .trim()
    .min(3, 'reason must say why, in at least 3 characters')
    .max(1000, 'reason must be at most 1000 characters'),
});

interface MerchantSummary {
  id: number;
  name: string;
  email: string;
  kyc_status: KycStatus;
}

/** A submission in the admin's review queue. */
export interface KycQueueItem extends KycSubmissionBody {
  merchant: MerchantSummary;
}

/** A submission with who reviewed it. */
export interface KycReviewBody extends KycQueueItem {
  reviewed_by: { id: number; email: string } | null;
}

/** GET /api/admin/kyc: submissions, oldest first (the review queue's order), each with its merchant. */
export async function listKycSubmissions(
  em: EntityManager,
  { status, limit, after_id }: z.infer<typeof kycQueueQuerySchema>,
): Promise<KycQueueItem[]> {
  const submissions = await kycSubmissionsPage(em, { status, afterId: after_id, limit });
  const merchants = await merchantsById(
    em,
    submissions.map((s) => s.merchant),
  );
  const documents = await documentsOf(
    em,
    submissions.map((s) => s.id),
  );
  return submissions.map((s) => ({
    ...submissionBody(s, documents.get(s.id) ?? []),
    merchant: merchants.get(s.merchant)!,
  }));
}

/** GET /api/admin/kyc/:id: the submission, its merchant, its documents' metadata and its reviewer. */
export async function kycSubmissionDetails(em: EntityManager, submissionId: string): Promise<KycReviewBody> {
  const submission = await kycSubmissionById(em, parseId(submissionId, 'KYC submission'));
  if (!submission) throw new AppError('not_found', `KYC submission ${submissionId} does not exist`);
  return reviewBody(em, submission);
}

/** GET /api/admin/kyc/:id/documents/:documentId: the file itself. */
export async function kycDocumentFile(em: EntityManager, submissionId: string, documentId: string) {
  const document = await kycDocumentWithContent(
    em,
    parseId(submissionId, 'KYC submission'),
    parseId(documentId, 'Document'),
  );
  if (!document)
    throw new AppError('not_found', `Document ${documentId} of KYC submission ${submissionId} does not exist`);
  return {
    content: document.content,
    contentType: document.contentType,
    fileName: kycDocumentFileName(document.submission, document.kind, document.contentType),
  };
}

export interface KycDecision {
  admin: User;
  submissionId: string;
  /** Who decides and from where, for the audit log (`kyc.approved`, `kyc.rejected`). */
  actor: AuditActor;
}

/** POST /api/admin/kyc/:id/approve: the merchant becomes verified. */
export async function approveKyc(
  em: EntityManager,
  { admin, submissionId, actor }: KycDecision,
): Promise<KycReviewBody> {
  return decide(em, admin, actor, submissionId, {
    status: 'approved',
    rejectionReason: null,
    merchantStatus: 'verified',
  });
}

/** POST /api/admin/kyc/:id/reject: the merchant sees the reason and may submit again. */
export async function rejectKyc(
  em: EntityManager,
  decision: KycDecision,
  { reason }: { reason: string },
): Promise<KycReviewBody> {
  return decide(em, decision.admin, decision.actor, decision.submissionId, {
    status: 'rejected',
    rejectionReason: reason,
    merchantStatus: 'rejected',
  });
}

interface Outcome {
  status: 'approved' | 'rejected';
  rejectionReason: string | null;
  merchantStatus: KycStatus;
}

/**
 * Decides a pending submission, updates its merchant and records the decision in the audit log in
 * one transaction; the row lock makes two admins' decisions take turns.
 */
async function decide(
  em: EntityManager,
  admin: User,
  actor: AuditActor,
  submissionId: string,
  outcome: Outcome,
): Promise<KycReviewBody> {
  const id = parseId(submissionId, 'KYC submission');
  const result = await withAudit(em, async (tx) => {
    const decided = await decideKycSubmission(tx, id, { ...outcome, reviewerId: admin.id });
    if ('decided' in decided) {
      await appendAuditEvent(tx, {
        ...actor,
        merchantId: decided.decided.merchant,
        action: outcome.status === 'approved' ? 'kyc.approved' : 'kyc.rejected',
        subjectType: 'kyc_submission',
        subjectId: String(id),
        details: {
          submission_status: { before: 'pending', after: outcome.status },
          merchant_kyc_status: { after: outcome.merchantStatus },
          ...(outcome.rejectionReason === null ? {} : { reason: outcome.rejectionReason }),
        },
      });
    }
    return decided;
  });
  if ('missing' in result) throw new AppError('not_found', `KYC submission ${submissionId} does not exist`);
  if ('already' in result) {
    throw new AppError(
      'conflict',
      `KYC submission ${submissionId} was already ${result.already}; only a pending submission can be decided`,
    );
  }
  return reviewBody(em, result.decided);
}

async function reviewBody(em: EntityManager, submission: KycSubmission): Promise<KycReviewBody> {
  const merchants = await merchantsById(em, [submission.merchant]);
  const documents = await documentsOf(em, [submission.id]);
  const reviewer = submission.reviewedBy === null ? null : await userById(em, submission.reviewedBy);
  return {
    ...submissionBody(submission, documents.get(submission.id) ?? []),
    merchant: merchants.get(submission.merchant)!,
    reviewed_by: reviewer && { id: reviewer.id, email: reviewer.email },
  };
}

async function merchantsById(em: EntityManager, ids: number[]): Promise<Map<number, MerchantSummary>> {
  if (ids.length === 0) return new Map();
  const merchants = await merchantsByIds(em, ids);
  return new Map(merchants.map((m) => [m.id, { id: m.id, name: m.name, email: m.email, kyc_status: m.kycStatus }]));
}

/** Path ids: anything but a positive integer names nothing, so it answers 404 like a missing id. */
function parseId(value: string, what: string): number {
  if (/^\d{1,9}$/.test(value) && Number(value) > 0) return Number(value);
  throw new AppError('not_found', `${what} ${value} does not exist`);
}
