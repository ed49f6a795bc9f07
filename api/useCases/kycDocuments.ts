import { createHash } from 'node:crypto';
import { AppError } from '../../domain/errors';
import type { KycContentType } from '../../db/entities';

export const KYC_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'application/pdf',
] as const satisfies readonly KycContentType[];
export const KYC_DOCUMENT_MAX_BYTES = 2 * 1024 * 1024;
/** Longest base64 text that can decode to KYC_DOCUMENT_MAX_BYTES, checked before decoding anything. */
const MAX_BASE64_CHARS = Math.ceil(KYC_DOCUMENT_MAX_BYTES / 3) * 4;
/** Strict standard base64 (padding included); Buffer.from would silently skip anything else. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** What browsers' FileReader.readAsDataURL produces; accepted so dashboards can send it as is. */
const DATA_URL = /^data:([\w/+.-]+);base64,/;

/** Each type's first bytes: a file whose content is not what it claims to be is refused. */
const SIGNATURES: Record<KycContentType, Buffer> = {
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
  'application/pdf': Buffer.from('%PDF-', 'latin1'),
};

export interface DecodedDocument {
  content: Buffer;
  size: number;
  sha256: string;
}

/**
 * Decodes one uploaded document and checks it: valid base64, not empty, at most 2 MB, and content
 * that matches its declared type. Errors name the field (`documents.<i>.content_base64`).
 */
export function decodeKycDocument(base64Text: string, contentType: KycContentType, field: string): DecodedDocument {
  const invalid = (message: string) => new AppError('validation_failed', message, { field });
  let text = base64Text;
  const dataUrl = DATA_URL.exec(text);
  if (dataUrl) {
    if (dataUrl[1] !== contentType)
      throw invalid(`${field} is a data URL of ${dataUrl[1]}, but content_type is ${contentType}`);
    text = text.slice(dataUrl[0].length);
  }
  text = text.replace(/\s+/g, '');
  if (text.length === 0) throw invalid(`${field} is empty`);
  if (text.length > MAX_BASE64_CHARS) throw invalid(`${field} is larger than 2 MB; upload a smaller scan or photo`);
  if (!BASE64.test(text)) throw invalid(`${field} is not valid base64`);
  const content = Buffer.from(text, 'base64');
  if (content.length > KYC_DOCUMENT_MAX_BYTES)
    throw invalid(`${field} is larger than 2 MB; upload a smaller scan or photo`);
  const signature = SIGNATURES[contentType];
  if (content.length < signature.length || !content.subarray(0, signature.length).equals(signature)) {
    throw invalid(`${field} is not a ${contentType} file`);
  }
  return { content, size: content.length, sha256: createHash('sha256').update(content).digest('hex') };
}

const EXTENSIONS: Record<KycContentType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'application/pdf': 'pdf',
};

/** A download name that says what the file is, e.g. kyc-12-id_front.png. */
export const kycDocumentFileName = (submissionId: number, kind: string, contentType: KycContentType) =>
  `kyc-${submissionId}-${kind}.${EXTENSIONS[contentType]}`;
