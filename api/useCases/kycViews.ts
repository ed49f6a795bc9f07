import type { EntityManager } from '@mikro-orm/postgresql';
import type { KycDocument, KycSubmission } from '../../db/entities';
import { kycDocumentsOf } from '../../db/kyc';

/** A document as listed: metadata only, never its bytes. */
export interface KycDocumentBody {
  id: number;
  kind: KycDocument['kind'];
  content_type: KycDocument['contentType'];
  size: number;
  sha256: string;
  created_at: string;
}

/** A submission as the merchant and the admin see it. */
export interface KycSubmissionBody {
  id: number;
  status: KycSubmission['status'];
  full_name: string;
  id_type: KycSubmission['idType'];
  id_number: string;
  business_name: string;
  business_registration_number: string | null;
  kra_pin: string | null;
  phone_number: string;
  created_at: string;
  reviewed_at: string | null;
  rejection_reason: string | null;
  documents: KycDocumentBody[];
}

/** Metadata of a submission's documents; the `content` column is lazy and stays in the database. */
export async function documentsOf(em: EntityManager, submissionIds: number[]): Promise<Map<number, KycDocumentBody[]>> {
  const byId = new Map<number, KycDocumentBody[]>(submissionIds.map((id) => [id, []]));
  if (submissionIds.length === 0) return byId;
  const documents = await kycDocumentsOf(em, submissionIds);
  for (const document of documents) byId.get(document.submission)?.push(documentBody(document));
  return byId;
}

export function documentBody(document: KycDocument): KycDocumentBody {
  return {
    id: document.id,
    kind: document.kind,
    content_type: document.contentType,
    size: document.size,
    sha256: document.sha256,
    created_at: document.createdAt.toISOString(),
  };
}

export function submissionBody(submission: KycSubmission, documents: KycDocumentBody[]): KycSubmissionBody {
  return {
    id: submission.id,
    status: submission.status,
    full_name: submission.fullName,
    id_type: submission.idType,
    id_number: submission.idNumber,
    business_name: submission.businessName,
    business_registration_number: submission.businessRegistrationNumber,
    kra_pin: submission.kraPin,
    phone_number: submission.phoneNumber,
    created_at: submission.createdAt.toISOString(),
    reviewed_at: submission.reviewedAt?.toISOString() ?? null,
    rejection_reason: submission.rejectionReason,
    documents,
  };
}
