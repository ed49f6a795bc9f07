import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  KycDocumentSchema,
  KycSubmissionSchema,
  MerchantSchema,
  UserSchema,
  type KycDocument,
  type KycContentType,
  type KycDocumentKind,
  type KycStatus,
  type KycSubmission,
  type Merchant,
  type User,
} from './entities';
import { keysetAfterId } from './keyset';

/** A submission's identity details, already checked. */
export interface KycSubmissionFields {
  fullName: string;
  idType: KycSubmission['idType'];
  idNumber: string;
  businessName: string;
  businessRegistrationNumber: string | null;
  kraPin: string | null;
  /** Normalised 2547…/2541…. */
  phoneNumber: string;
}

/** One decoded document: its bytes and what they are. */
export interface KycDocumentFields {
  kind: KycDocumentKind;
  contentType: KycContentType;
  /** Bytes. */
  size: number;
  sha256: string;
  content: Buffer;
}

/**
 * Records a pending submission with its documents and sets the merchant's status to pending, in one
 * transaction. Answers the submission id, or why nothing was recorded: another submission is
 * pending (`under_review`, also when two submissions race: the one-pending-per-merchant index
 * decides) or the merchant is verified (`already_verified`, also when an approval landed meanwhile).
 */
export async function recordKycSubmission(
  em: EntityManager,
  merchantId: number,
  fields: KycSubmissionFields,
  documents: KycDocumentFields[],
): Promise<{ id: number } | { refused: 'under_review' | 'already_verified' }> {
  try {
    return await em.transactional(async (tx) => {
      if (await tx.count(KycSubmissionSchema, { merchant: merchantId, status: 'pending' })) {
        return { refused: 'under_review' as const };
      }
      // Conditional: an approval that landed since the request was authenticated is not undone.
      const updated = await tx.nativeUpdate(
        MerchantSchema,
        { id: merchantId, kycStatus: { $ne: 'verified' } },
        { kycStatus: 'pending' },
      );
      if (updated === 0) return { refused: 'already_verified' as const };
      const submission = tx.create(KycSubmissionSchema, {
        merchant: merchantId,
        status: 'pending',
        ...fields,
        reviewedBy: null,
        reviewedAt: null,
        rejectionReason: null,
      });
      await tx.flush();
      for (const d of documents) {
        tx.create(KycDocumentSchema, { submission: submission.id, ...d });
      }
      await tx.flush();
      return { id: submission.id };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return { refused: 'under_review' };
    throw err;
  }
}

/** The merchant's submission `submissionId`, or (without it) its latest; null when none. */
export async function latestKycSubmission(
  em: EntityManager,
  merchantId: number,
  submissionId?: number,
): Promise<KycSubmission | null> {
  return em.findOne(
    KycSubmissionSchema,
    submissionId ? { id: submissionId, merchant: merchantId } : { merchant: merchantId },
    { orderBy: { id: 'desc' }, disableIdentityMap: true },
  );
}

/** The documents (metadata only: `content` is lazy) of these submissions, oldest first. */
export async function kycDocumentsOf(em: EntityManager, submissionIds: number[]): Promise<KycDocument[]> {
  return em.find(
    KycDocumentSchema,
    { submission: { $in: submissionIds } },
    { orderBy: { id: 'asc' }, disableIdentityMap: true },
  );
}

/** Submissions in the review queue's order (oldest first), optionally of one status, after the id `afterId`. */
export async function kycSubmissionsPage(
  em: EntityManager,
  { status, afterId, limit }: { status?: KycSubmission['status']; afterId: number; limit: number },
): Promise<KycSubmission[]> {
  // Ids follow creation order, so they serve as both the sort key and the page cursor.
  return em.find(
    KycSubmissionSchema,
    { ...(status ? { status } : {}), ...keysetAfterId('asc', afterId) },
    { orderBy: { id: 'asc' }, limit, disableIdentityMap: true },
  );
}

/** The submission with this id, or null. */
export async function kycSubmissionById(em: EntityManager, id: number): Promise<KycSubmission | null> {
  return em.findOne(KycSubmissionSchema, { id }, { disableIdentityMap: true });
}

/** The document `documentId` of submission `submissionId` with its content, or null. */
export async function kycDocumentWithContent(
  em: EntityManager,
  submissionId: number,
  documentId: number,
): Promise<KycDocument | null> {
  return em.findOne(
    KycDocumentSchema,
    { id: documentId, submission: submissionId },
    { populate: ['content'], disableIdentityMap: true },
  );
}

/** A review decision on a pending submission. */
export interface KycSubmissionDecision {
  status: 'approved' | 'rejected';
  rejectionReason: string | null;
  /** What the merchant's KYC status becomes. */
  merchantStatus: KycStatus;
  reviewerId: number;
}

/**
 * Decides the submission if it is still pending and sets its merchant's status, in one transaction;
 * the row lock makes two reviewers' decisions take turns. Answers the decided submission, `missing`,
 * or the status it already had.
 */
export async function decideKycSubmission(
  em: EntityManager,
  id: number,
  decision: KycSubmissionDecision,
): Promise<{ decided: KycSubmission } | { missing: true } | { already: KycSubmission['status'] }> {
  return em.transactional(async (tx) => {
    const submission = await tx.findOne(KycSubmissionSchema, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!submission) return { missing: true as const };
    if (submission.status !== 'pending') return { already: submission.status };
    submission.status = decision.status;
    submission.rejectionReason = decision.rejectionReason;
    submission.reviewedBy = decision.reviewerId;
    submission.reviewedAt = new Date();
    await tx.nativeUpdate(MerchantSchema, { id: submission.merchant }, { kycStatus: decision.merchantStatus });
    return { decided: submission };
  });
}

/** The staff user with this id as stored now, or null. */
export async function userById(em: EntityManager, id: number): Promise<User | null> {
  return em.findOne(UserSchema, id, { disableIdentityMap: true });
}

/** The merchants with these ids (duplicates allowed), as stored now. */
export async function merchantsByIds(em: EntityManager, ids: number[]): Promise<Merchant[]> {
  if (ids.length === 0) return [];
  return em.find(MerchantSchema, { id: { $in: [...new Set(ids)] } }, { disableIdentityMap: true });
}
