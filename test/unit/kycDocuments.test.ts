import { createHash } from 'node:crypto';
import { AppError } from '../../domain/errors';
import { decodeKycDocument, KYC_DOCUMENT_MAX_BYTES } from '../../api/useCases/kycDocuments';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (size: number) => Buffer.concat([PNG_SIGNATURE, Buffer.alloc(size - PNG_SIGNATURE.length, 7)]);
const FIELD = 'documents.0.content_base64';

function failure(run: () => unknown): AppError {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a validation error');
}

describe('KYC document decoding', () => {
  it('When a PNG is sent as base64, then its bytes, size and SHA-256 come back', () => {
    const file = png(100);
    const decoded = decodeKycDocument(file.toString('base64'), 'image/png', FIELD);
    expect(decoded.content.equals(file)).toBe(true);
    expect(decoded.size).toBe(100);
    expect(decoded.sha256).toBe(createHash('sha256').update(file).digest('hex'));
  });

  it('When the browser’s data URL form is sent, then the prefix is removed; a prefix of another type is refused', () => {
    const file = png(50);
    expect(decodeKycDocument(`data:image/png;base64,${file.toString('base64')}`, 'image/png', FIELD).size).toBe(50);
    const err = failure(() =>
      decodeKycDocument(`data:image/jpeg;base64,${file.toString('base64')}`, 'image/png', FIELD),
    );
    expect(err.details).toEqual({ field: FIELD });
  });

  it('When a file is exactly 2 MB, then it is accepted; one byte more is refused naming the field', () => {
    expect(decodeKycDocument(png(KYC_DOCUMENT_MAX_BYTES).toString('base64'), 'image/png', FIELD).size).toBe(
      KYC_DOCUMENT_MAX_BYTES,
    );
    const err = failure(() =>
      decodeKycDocument(png(KYC_DOCUMENT_MAX_BYTES + 1).toString('base64'), 'image/png', FIELD),
    );
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual({ field: FIELD });
    expect(err.message).toMatch(/larger than 2 MB/);
  });

  it.each([
    ['not base64 at all', 'this is not base64!', /not valid base64/],
    ['bad padding', 'iVBORw0KGgo=A', /not valid base64/],
    ['empty', '', /is empty/],
  ])('When the content is %s, then 400 names the field', (_label, content, message) => {
    const err = failure(() => decodeKycDocument(content, 'image/png', FIELD));
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual({ field: FIELD });
    expect(err.message).toMatch(message);
  });

  it('When the bytes are not of the declared type, then they are refused (a PDF labelled as PNG, a text file as JPEG)', () => {
    const pdf = Buffer.from('%PDF-1.7\n...');
    expect(decodeKycDocument(pdf.toString('base64'), 'application/pdf', FIELD).size).toBe(pdf.length);
    expect(failure(() => decodeKycDocument(pdf.toString('base64'), 'image/png', FIELD)).message).toMatch(
      /not a image\/png file/,
    );
    expect(
      failure(() => decodeKycDocument(Buffer.from('hello world').toString('base64'), 'image/jpeg', FIELD)).message,
    ).toMatch(/not a image\/jpeg file/);
    expect(
      decodeKycDocument(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]).toString('base64'), 'image/jpeg', FIELD).size,
    ).toBe(6);
  });
});
