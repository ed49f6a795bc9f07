import { z } from 'zod';

/**
 * Query-string pieces shared by the list endpoints. Query values arrive as strings; a repeated
 * parameter arrives as an array and is refused like any other bad value.
 */

/** `limit`: a whole number from 1 to `max`, `fallback` when absent. */
export const limitParam = (fallback: number, max: number) =>
  z.coerce
    .number({ error: `limit must be a whole number from 1 to ${max}` })
    .int(`limit must be a whole number from 1 to ${max}`)
    .min(1, `limit must be a whole number from 1 to ${max}`)
    .max(max, `limit must be at most ${max}; follow the X-Next-Cursor header for more`)
    .default(fallback);

/** A serial id in the query string (account_id, merchant_id). */
export const idParam = (field: string) =>
  z.coerce
    .number({ error: `${field} must be a positive whole number` })
    .int(`${field} must be a positive whole number`)
    .positive(`${field} must be a positive whole number`)
    .max(2_147_483_647, `${field} is not a valid id`);

/** An optional single string parameter. */
export const textParam = (field: string, max = 100) =>
  z
    .string({ error: `${field} must be given once, as text` })
    .trim()
    .min(1, `${field} cannot be empty`)
    .max(max, `${field} must be at most ${max} characters`);

/** The response header that carries the next page's cursor; absent on the last page. */
export const NEXT_CURSOR_HEADER = 'X-Next-Cursor';

/** Cursors of lists ordered by a growing id (ledger, customers): the last id seen, opaque to clients. */
export const encodeIdCursor = (id: number) => Buffer.from(`id:${id}`).toString('base64url');
export function decodeIdCursor(text: string): number | null {
  const match = /^id:([1-9]\d{0,9})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const id = match ? Number(match[1]) : NaN;
  return id <= 2_147_483_647 ? id : null;
}
