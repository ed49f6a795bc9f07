import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

export type KycSubmissionStatus = 'pending' | 'approved' | 'rejected';
export type KycIdType = 'national_id' | 'passport' | 'alien_id';
export type KycDocumentKind = 'id_front' | 'id_back' | 'business_certificate' | 'kra_pin_certificate';
export type KycContentType = 'image/jpeg' | 'image/png' | 'application/pdf';

/** One identity verification request of a merchant, reviewed by an admin. Resubmitting after a rejection adds a new one. */
export interface KycSubmission {
  /** Filled in on insert (`onCreate`), so `em.create` does not ask for it. */
  [OptionalProps]?: 'createdAt';
  id: number;
  merchant: number;
  status: KycSubmissionStatus;
  fullName: string;
  idType: KycIdType;
  idNumber: string;
  businessName: string;
  businessRegistrationNumber: string | null;
  kraPin: string | null;
  /** 2547XXXXXXXX or 2541XXXXXXXX. */
  phoneNumber: string;
  /** The admin who approved or rejected it. */
  reviewedBy: number | null;
  reviewedAt: Date | null;
  rejectionReason: string | null;
  createdAt: Date;
}

export const KycSubmissionSchema = new EntitySchema<KycSubmission>({
  name: 'KycSubmission',
  tableName: 'kyc_submissions',
  indexes: [{ properties: ['status', 'createdAt'] }],
  uniques: [
    // The database, not a read-then-write check, guarantees one submission under review per merchant.
    {
      name: 'kyc_submissions_one_pending_per_merchant',
      expression: `create unique index "kyc_submissions_one_pending_per_merchant" on "kyc_submissions" ("merchant_id") where status = 'pending'`,
    },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true, index: true },
    status: { type: 'string', length: 10, default: 'pending' },
    fullName: { type: 'string', length: 200 },
    idType: { type: 'string', length: 20 },
    idNumber: { type: 'string', length: 30 },
    businessName: { type: 'string', length: 200 },
    businessRegistrationNumber: { type: 'string', length: 50, nullable: true },
    kraPin: { type: 'string', length: 11, nullable: true },
    phoneNumber: { type: 'string', length: 12 },
    reviewedBy: { kind: 'm:1', entity: 'User', mapToPk: true, nullable: true },
    reviewedAt: { type: 'datetime', nullable: true },
    rejectionReason: { type: 'text', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});

/** A file attached to a KYC submission, stored in the database so it shares its backups and access rules. */
export interface KycDocument {
  /** Filled in on insert (`onCreate`), so `em.create` does not ask for it. */
  [OptionalProps]?: 'createdAt';
  id: number;
  submission: number;
  kind: KycDocumentKind;
  contentType: KycContentType;
  /** Bytes. */
  size: number;
  /** SHA-256 of the content, hex: lets a reviewer spot the same file reused across merchants. */
  sha256: string;
  content: Buffer;
  createdAt: Date;
}

export const KycDocumentSchema = new EntitySchema<KycDocument>({
  name: 'KycDocument',
  tableName: 'kyc_documents',
  checks: [{ name: 'kyc_documents_size_positive', expression: 'size > 0' }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    submission: { kind: 'm:1', entity: 'KycSubmission', mapToPk: true, index: true },
    kind: { type: 'string', length: 30 },
    contentType: { type: 'string', length: 30 },
    size: { type: 'integer' },
    sha256: { type: 'string', length: 64, index: true },
    // Lazy: listings never drag megabytes of files out of the database; only the download asks for them.
    content: { type: 'blob', lazy: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});
