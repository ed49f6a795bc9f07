import { createHash } from 'node:crypto';
import type { KycContentType } from '../../db/entities';

export const KYC_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'application/pdf',
] as const satisfies readonly KycContentType[];
export const KYC_DOCUMENT_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Each type's first bytes (PNG: ISO/IEC 15948 signature; JPEG: SOI marker and the next marker's
 * 0xFF; PDF: ISO 32000 header): a file whose content is not what it claims to be is refused.
 */
export const KYC_SIGNATURES: Readonly<Record<KycContentType, Buffer>> = {
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
  'application/pdf': Buffer.from('%PDF-', 'latin1'),
};

/** What is stored beside a document's bytes: its size and SHA-256 (hex). */
export function kycDocumentDigest(content: Buffer): { size: number; sha256: string } {
  return { size: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

const EXTENSIONS: Record<KycContentType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'application/pdf': 'pdf',
};

/** A download name that says what the file is, e.g. kyc-12-id_front.png. */
export const kycDocumentFileName = (submissionId: number, kind: string, contentType: KycContentType) =>
  `kyc-${submissionId}-${kind}.${EXTENSIONS[contentType]}`;
