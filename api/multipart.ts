import busboy from 'busboy';
import type { Context } from 'koa';
import { AppError } from '../domain/errors';
import { findUnstorableText } from '../domain/controlCharacters';
import { hasBody } from './jsonBody';

/**
 * Streamed `multipart/form-data` (RFC 7578), read with busboy: every bound is enforced while the
 * bytes arrive, so a request is refused as soon as it breaks one and never costs more than the
 * bounds allow (at most `maxFiles × maxFileBytes` of file content plus `maxFields × maxFieldBytes`
 * of text, held in memory until the handler stores it).
 */

/** One uploaded file: the form field it came in, its declared media type and its bytes. */
export interface UploadedFile {
  field: string;
  contentType: string;
  content: Buffer;
}

/** The text fields (one value each) and the files of a multipart form. */
export interface MultipartForm {
  fields: Record<string, string>;
  files: UploadedFile[];
}

export interface MultipartRules {
  /** The names of the text fields the form has; any other text field is refused. */
  textFields: readonly string[];
  /** Longest text field, in bytes. */
  maxFieldBytes: number;
  /** The names file parts may carry; any other is refused. Each may appear once. */
  fileFields: readonly string[];
  /** How many files one form may carry. */
  maxFiles: number;
  /** Largest file, in bytes. */
  maxFileBytes: number;
  /** The media types a file may declare, each with the bytes its content must begin with. */
  fileTypes: Readonly<Record<string, Buffer>>;
  /** What an oversized file is called in the error, e.g. "2 MB". */
  maxFileText: string;
}

const refused = (message: string, field?: string) =>
  new AppError('validation_failed', message, field ? { field } : undefined);

/**
 * Reads the request's multipart form under `rules`. Throws AppError `unsupported_media_type` (415)
 * for a body that is not `multipart/form-data`, `validation_failed` (400, naming the field) for an
 * unknown or repeated field, a text field too long or holding control characters, too many files,
 * a file of another type, whose first bytes are not its type's, or larger than allowed, and for a
 * malformed body. A request refused part-way is answered with `Connection: close`, so the rest of
 * its body is never read. An aborted upload rejects with busboy's error, logged as a client abort.
 */
export async function readMultipart(ctx: Context, rules: MultipartRules): Promise<MultipartForm> {
  if (!hasBody(ctx.req) || !ctx.request.is('multipart/form-data')) {
    throw new AppError(
      'unsupported_media_type',
      `This endpoint reads a multipart/form-data body (a browser's FormData)${ctx.get('content-type') ? `, not ${ctx.get('content-type')}` : ''}`,
    );
  }
  try {
    return await parse(ctx, rules);
  } catch (err) {
    // Stop reading: whatever the client still sends goes nowhere, and the connection ends with the answer.
    ctx.req.unpipe();
    ctx.set('Connection', 'close');
    throw err;
  }
}

function parse(ctx: Context, rules: MultipartRules): Promise<MultipartForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: ctx.req.headers,
        defParamCharset: 'utf8',
        limits: {
          fieldNameSize: 100,
          fieldSize: rules.maxFieldBytes,
          fields: rules.textFields.length,
          // busboy signals the limit on reaching it: one byte more tells a file of exactly maxFileBytes from a larger one.
          fileSize: rules.maxFileBytes + 1,
          files: rules.maxFiles,
          parts: rules.textFields.length + rules.maxFiles,
          headerPairs: 20,
        },
      });
    } catch {
      reject(refused('The multipart body has no boundary in its Content-Type'));
      return;
    }
    const fields: Record<string, string> = {};
    const files: UploadedFile[] = [];
    const seenFiles = new Set<string>();
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      reject(err);
    };

    parser.on('field', (name, value, info) => {
      if (failed) return;
      if (!rules.textFields.includes(name)) return fail(refused(`${name} is not a field of this form`, name));
      if (name in fields) return fail(refused(`${name} is sent more than once`, name));
      if (info.valueTruncated) return fail(refused(`${name} is longer than ${rules.maxFieldBytes} bytes`, name));
      const unstorable = findUnstorableText(value);
      if (unstorable) return fail(refused(`${name} ${unstorable.problem}`, name));
      fields[name] = value;
    });

    parser.on('file', (name, stream, info) => {
      if (failed) return void stream.resume();
      const check = fileProblem(name, info.mimeType, seenFiles, rules);
      if (check) {
        stream.resume();
        return fail(refused(check, name));
      }
      seenFiles.add(name);
      const signature = rules.fileTypes[info.mimeType]!;
      const chunks: Buffer[] = [];
      let size = 0;
      let signatureChecked = false;
      stream.on('data', (chunk: Buffer) => {
        if (failed) return;
        chunks.push(chunk);
        size += chunk.length;
        if (!signatureChecked && size >= signature.length) {
          signatureChecked = true;
          // The first bytes decide: a file whose content is not what it claims is refused before the rest arrives.
          if (!Buffer.concat(chunks).subarray(0, signature.length).equals(signature)) {
            fail(refused(`${name} is not a ${info.mimeType} file`, name));
          }
        }
      });
      stream.on('limit', () =>
        fail(refused(`${name} is larger than ${rules.maxFileText}; upload a smaller scan or photo`, name)),
      );
      stream.on('end', () => {
        if (failed) return;
        if (size === 0) return fail(refused(`${name} is empty`, name));
        if (!signatureChecked) return fail(refused(`${name} is not a ${info.mimeType} file`, name));
        files.push({ field: name, contentType: info.mimeType, content: Buffer.concat(chunks, size) });
      });
    });

    parser.on('filesLimit', () => fail(refused(`A submission carries at most ${rules.maxFiles} files`)));
    parser.on('fieldsLimit', () => fail(refused('The form has more fields than it takes')));
    parser.on('partsLimit', () => fail(refused('The form has more parts than it takes')));
    parser.on('error', (err: Error) => {
      // An aborted request surfaces here; anything else is a malformed body.
      if (!ctx.req.complete && (ctx.req.destroyed || /aborted|Unexpected end/i.test(err.message))) return fail(abort());
      fail(refused(`The multipart body could not be read: ${err.message}`));
    });
    parser.on('close', () => {
      if (!failed) resolve({ fields, files });
    });
    ctx.req.on('aborted', () => fail(abort()));
    ctx.req.pipe(parser);
  });
}

/** The client went away mid-upload: the same shape raw-body gives, so errors.ts logs it as an abort. */
function abort(): Error {
  return Object.assign(new Error('request aborted'), { code: 'ECONNABORTED', type: 'request.aborted' });
}

function fileProblem(name: string, mimeType: string, seen: Set<string>, rules: MultipartRules): string | null {
  if (!rules.fileFields.includes(name))
    return `${name} is not a document this form takes (one of ${rules.fileFields.join(', ')})`;
  if (seen.has(name)) return `${name} is sent more than once`;
  if (!Object.hasOwn(rules.fileTypes, mimeType))
    return `${name} must be one of ${Object.keys(rules.fileTypes).join(', ')} (it is ${mimeType})`;
  return null;
}
