import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { normalizeMsisdn } from '../../domain/phone';
import type { KycDocumentKind, KycStatus, Merchant } from '../../db/entities';
import { latestKycSubmission, recordKycSubmission } from '../../db/kyc';
import { freshMerchant } from '../../db/merchants';
import { decodeKycDocument, KYC_CONTENT_TYPES, KYC_DOCUMENT_MAX_BYTES } from './kycDocuments';
import { documentsOf, submissionBody, type KycSubmissionBody } from './kycViews';

const DOCUMENT_KINDS = [
  'id_front',
  'id_back',
  'business_certificate',
  'kra_pin_certificate',
] as const satisfies readonly KycDocumentKind[];
const MAX_DOCUMENTS = 3;
/**
 * The JSON body POST /api/kyc needs room for: three 2 MB documents as base64 (4/3 larger) plus
 * the details. The app's default JSON limit is far smaller, so this route needs its own.
 */
export const KYC_REQUEST_MAX_BYTES = MAX_DOCUMENTS * Math.ceil((KYC_DOCUMENT_MAX_BYTES * 4) / 3) + 64 * 1024;

const text = (field: string, min: number, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(min, `${field} must be at least ${min} characters`)
    .max(max, `${field} must be at most ${max} characters`);

const documentSchema = z.object({
  kind: z.enum(DOCUMENT_KINDS, { error: `kind must be one of ${DOCUMENT_KINDS.join(', ')}` }),
  content_type: z.enum(KYC_CONTENT_TYPES, { error: `content_type must be one of ${KYC_CONTENT_TYPES.join(', ')}` }),
  content_base64: z.string({ error: 'content_base64 must be the file encoded as a base64 string' }),
});

/** The body of POST /api/kyc: the business's and its owner's details, and 1–3 documents. */
export const kycSubmissionRequestSchema = z
  .object({
    full_name: text('full_name', 2, 200),
    id_type: z.enum(['national_id', 'passport', 'alien_id'], {
      error: 'id_type must be one of national_id, passport, alien_id',
    }),
    id_number: z
      .string({ error: 'id_number must be a string' })
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9]{5,20}$/, 'id_number must be 5 to 20 letters or digits'),
    business_name: text('business_name', 2, 200),
    business_registration_number: text('business_registration_number', 1, 50).nullish(),
    kra_pin: z
      .string({ error: 'kra_pin must be a string' })
      .trim()
      .toUpperCase()
      .regex(/^[AP]\d{9}[A-Z]$/, 'kra_pin must be a KRA PIN such as A012345678Z')
      .nullish(),
    phone_number: z.string({ error: 'phone_number must be a string such as 0712345678' }),
    documents: z
      .array(documentSchema, { error: 'documents must be a list of files' })
      .min(1, 'documents must contain at least one file (the front of your ID)')
      .max(MAX_DOCUMENTS, `documents may contain at most ${MAX_DOCUMENTS} files`),
  })
  .superRefine((request, ctx) => {
    // Kenyan national and alien ID numbers are digits only; passports carry letters.
    if (request.id_type !== 'passport' && !/^\d{5,10}$/.test(request.id_number)) {
      ctx.addIssue({
        code: 'custom',
        path: ['id_number'],
        message: `id_number of a ${request.id_type} is 5 to 10 digits`,
      });
    }
    const kinds = request.documents.map((d) => d.kind);
    if (!kinds.includes('id_front'))
      ctx.addIssue({
        code: 'custom',
        path: ['documents'],
        message: 'documents must include the front of your ID (kind id_front)',
      });
    kinds.forEach((kind, i) => {
      if (kinds.indexOf(kind) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['documents', i, 'kind'],
          message: `documents has more than one ${kind}`,
        });
    });
  });

/** What GET /api/kyc (and a submission) answers. */
/** A parsed POST /api/kyc body. */
export type KycSubmissionRequest = z.infer<typeof kycSubmissionRequestSchema>;

export interface KycStatusBody {
  kyc_status: KycStatus;
  /** The latest submission, without document bytes; null before the first one. */
  submission: KycSubmissionBody | null;
  /** Why the latest submission was rejected; null unless it was. */
  rejection_reason: string | null;
}

/**
 * POST /api/kyc: stores the submission and its documents and marks the merchant `pending`, in one
 * transaction. Refused while another submission is under review or once the merchant is verified.
 */
export async function submitKyc(
  em: EntityManager,
  merchant: Merchant,
  request: KycSubmissionRequest,
): Promise<KycStatusBody> {
  const phoneNumber = normalizeMsisdn(request.phone_number);
  const documents = request.documents.map((d, i) => ({
    ...d,
    ...decodeKycDocument(d.content_base64, d.content_type, `documents.${i}.content_base64`),
  }));

  const alreadyVerified = () => new AppError('conflict', 'Your identity is already verified');
  const underReview = () =>
    new AppError('conflict', 'Your KYC submission is being reviewed; you can submit again only if it is rejected');
  if (merchant.kycStatus === 'verified') throw alreadyVerified();

  const recorded = await recordKycSubmission(
    em,
    merchant.id,
    {
      fullName: request.full_name,
      idType: request.id_type,
      idNumber: request.id_number,
      businessName: request.business_name,
      businessRegistrationNumber: request.business_registration_number ?? null,
      kraPin: request.kra_pin ?? null,
      phoneNumber,
    },
    documents.map((d) => ({
      kind: d.kind,
      contentType: d.content_type,
      size: d.size,
      sha256: d.sha256,
      content: d.content,
    })),
  );
  if ('refused' in recorded) throw recorded.refused === 'under_review' ? underReview() : alreadyVerified();
  return kycStatusOf(em, merchant.id, recorded.id);
}

/** GET /api/kyc: the merchant's KYC status and its latest submission. */
export async function kycStatusOf(
  em: EntityManager,
  merchantId: number,
  submissionId?: number,
): Promise<KycStatusBody> {
  const merchant = await freshMerchant(em, merchantId);
  const latest = await latestKycSubmission(em, merchantId, submissionId);
  if (!latest) return { kyc_status: merchant.kycStatus, submission: null, rejection_reason: null };
  const documents = (await documentsOf(em, [latest.id])).get(latest.id) ?? [];
  return {
    kyc_status: merchant.kycStatus,
    submission: submissionBody(latest, documents),
    rejection_reason: latest.status === 'rejected' ? latest.rejectionReason : null,
  };
}
