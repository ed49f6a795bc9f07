import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import type { Context, Middleware } from 'koa';
import { AppError } from '../domain/errors';
import { MAX_NESTING_DEPTH } from '../domain/controlCharacters';

/**
 * Reading a JSON request body with bounded cost: the media type is checked before a byte is read
 * (415 for anything but JSON), at most `limitBytes` are read (a larger Content-Length is refused
 * unread, a chunked body is cut off at the limit), and nesting deeper than MAX_NESTING_DEPTH is
 * refused by a single pass over the text before `JSON.parse` builds anything. So a request costs at
 * most `limitBytes` of memory and one linear scan, however it is built.
 */

/** A request whose body is not JSON on a route that reads JSON: HTTP 415. */
export class UnsupportedMediaType extends AppError {
  constructor(contentType: string | undefined) {
    super(
      'unsupported_media_type',
      contentType
        ? `This endpoint reads a JSON body: send it with Content-Type: application/json (not ${contentType})`
        : 'This endpoint reads a JSON body: send it with Content-Type: application/json',
    );
  }
}

/**
 * True when JSON `text` opens more than `maxDepth` arrays or objects inside one another. One pass,
 * no allocation; it stops at the first bracket past the limit, so a body of a million `[` costs
 * no more than reading it. Brackets inside strings (escapes included) do not count. The text need
 * not be valid JSON: whatever is not refused here still goes through `JSON.parse`.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character, a quote included
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Whether the request carries a body at all (a Content-Length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * Reads and parses the JSON body of the request (`{}` when there is none). Throws AppError
 * `unsupported_media_type` (415) when a body is sent as anything but `application/json` (or a
 * `+json` type) in UTF-8, `validation_failed` (400) when it is larger than `limitBytes`, not JSON,
 * or nested deeper than MAX_NESTING_DEPTH. An aborted upload rejects with raw-body's own error
 * (`type: 'request.aborted'`), which the error middleware logs as a client abort.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const { req } = ctx;
  if (!hasBody(req)) return {};
  const contentType = req.headers['content-type'];
  if (!ctx.request.is('application/json', '+json')) throw new UnsupportedMediaType(contentType);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError('unsupported_media_type', `JSON bodies are read as UTF-8, not ${charset}`);
  }
  const tooLarge = () =>
    new AppError('validation_failed', `Request body is larger than ${Math.round(limitBytes / 1024)} kB`);
  let text: string;
  try {
    text = await getRawBody(req, {
      length: req.headers['content-length'],
      limit: limitBytes,
      encoding: 'utf8',
    });
  } catch (err) {
    const { type } = err as { type?: string };
    if (type === 'entity.too.large') throw tooLarge();
    if (type === 'request.size.invalid')
      throw new AppError('validation_failed', 'Request body is shorter or longer than its Content-Length');
    throw err;
  }
  if (nestsDeeperThan(text, MAX_NESTING_DEPTH)) {
    throw new AppError('validation_failed', `Request body nests deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('validation_failed', 'Request body is not valid JSON');
  }
}

/** The middleware form of readJsonBody: sets `ctx.request.body`. */
export function jsonBody(limitBytes: number): Middleware {
  return async (ctx, next) => {
    (ctx.request as { body?: unknown }).body = await readJsonBody(ctx, limitBytes);
    return next();
  };
}
