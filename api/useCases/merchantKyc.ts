import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { normalizeMsisdn } from '../../domain/phone';
import type { KycContentType, KycDocumentKind, KycStatus, Merchant } from '../../db/entities';
import { latestKycSubmission, recordKycSubmission } from '../../db/kyc';
import { freshMerchant } from '../../db/merchants';
import type { MultipartForm, MultipartRules } from '../multipart';
import { parseInput } from '../validate';
import { KYC_CONTENT_TYPES, KYC_DOCUMENT_MAX_BYTES, KYC_SIGNATURES, kycDocumentDigest } from './kycDocuments';
import { documentsOf, submissionBody, type KycSubmissionBody } from './kycViews';

/** The documents a submission may carry, each as the form field of that name. */
export const KYC_DOCUMENT_KINDS = [
  'id_front',
  'id_back',
  'business_certificate',
  'kra_pin_certificate',
] as const satisfies readonly KycDocumentKind[];
const MAX_DOCUMENTS = 3;

const text = (field: string, min: number, max: number) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(min, `${field} must be at least ${min} characters`)
    .max(max, `${field} must be at most ${max} characters`);

/** The business's and its owner's details: the text fields of the KYC form. */
const kycDetailsObject = z.object({
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
  phone_number: z.string({ error: 'phone_number must be a string such as 0712345678' }).max(20),
});

/** The text fields of the KYC form, validated. */
export const kycDetailsSchema = kycDetailsObject.superRefine((request, ctx) => {
  // Kenyan national and alien ID numbers are digits only; passports carry letters.
  if (request.id_type !== 'passport' && !/^\d{5,10}$/.test(request.id_number)) {
    ctx.addIssue({
      code: 'custom',
      path: ['id_number'],
      message: `id_number of a ${request.id_type} is 5 to 10 digits`,
    });
  }
});

/** The names of the KYC form's text fields. */
export const KYC_TEXT_FIELDS = Object.keys(kycDetailsObject.shape) as ReadonlyArray<keyof KycDetails>;

const documentField = (what: string) =>
  z.string().meta({
    format: 'binary',
    description: `${what}: a JPEG, PNG or PDF file of at most 2 MB, sent with its Content-Type.`,
  });

/**
 * POST /api/kyc as documented: a multipart/form-data form of the text fields above and one file
 * part per document, named by its kind. (Only the OpenAPI document uses this schema; the route
 * reads the form as a stream, api/multipart.ts.)
 */
export const kycSubmissionFormSchema = kycDetailsObject.extend({
  id_front: documentField('The front of your ID (required)'),
  id_back: documentField('The back of your ID').optional(),
  business_certificate: documentField('Your business registration certificate').optional(),
  kra_pin_certificate: documentField('Your KRA PIN certificate').optional(),
});

/**
 * How the KYC form is read while it streams in: its text fields (1 kB each at most, far more than
 * any of them holds), 1–3 documents of at most 2 MB each, each of a KYC type whose first bytes
 * match it. So one submission costs at most about 6 MB.
 */
export const KYC_FORM_RULES: MultipartRules = {
  textFields: KYC_TEXT_FIELDS,
  maxFieldBytes: 1024,
  fileFields: KYC_DOCUMENT_KINDS,
  maxFiles: MAX_DOCUMENTS,
  maxFileBytes: KYC_DOCUMENT_MAX_BYTES,
  maxFileText: '2 MB',
  fileTypes: Object.fromEntries(KYC_CONTENT_TYPES.map((type) => [type, KYC_SIGNATURES[type]])),
};

/** The text fields of a KYC submission, parsed. */
export type KycDetails = z.infer<typeof kycDetailsObject>;

/** One document of a submission, already checked for size and type while it was read. */
export interface KycUpload {
  kind: KycDocumentKind;
  contentType: KycContentType;
  content: Buffer;
}

/** A parsed POST /api/kyc form. */
export interface KycSubmissionRequest {
  details: KycDetails;
  documents: KycUpload[];
}

/**
 * Turns the multipart form (read under KYC_FORM_RULES, so its files are known kinds and types)
 * into a submission. Empty text fields count as absent (a browser sends an empty input as "").
 * Throws `validation_failed` naming the field, or `documents` when the front of the ID is missing.
 */
export function kycSubmissionOf(form: MultipartForm): KycSubmissionRequest {
  const fields = Object.fromEntries(Object.entries(form.fields).filter(([, value]) => value !== ''));
  const details = parseInput(kycDetailsSchema, fields);
  if (!form.files.some((file) => file.field === 'id_front')) {
    throw new AppError('validation_failed', 'The front of your ID (id_front) is required', { field: 'id_front' });
  }
  const documents = form.files.map((file) => ({
    kind: file.field as KycDocumentKind,
    contentType: file.contentType as KycContentType,
    content: file.content,
  }));
  return { details, documents };
}

/** What GET /api/kyc (and a submission) answers. */
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
  const { details } = request;
  const phoneNumber = normalizeMsisdn(details.phone_number);

  const alreadyVerified = () => new AppError('conflict', 'Your identity is already verified');
  const underReview = () =>
    new AppError('conflict', 'Your KYC submission is being reviewed; you can submit again only if it is rejected');
  if (merchant.kycStatus === 'verified') throw alreadyVerified();

  const recorded = await recordKycSubmission(
    em,
    merchant.id,
    {
      fullName: details.full_name,
      idType: details.id_type,
      idNumber: details.id_number,
      businessName: details.business_name,
      businessRegistrationNumber: details.business_registration_number ?? null,
      kraPin: details.kra_pin ?? null,
      phoneNumber,
    },
    request.documents.map((d) => ({
      kind: d.kind,
      contentType: d.contentType,
      ...kycDocumentDigest(d.content),
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
