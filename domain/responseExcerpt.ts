/**
 * What is kept of a webhook receiver's answer for the delivery log. The log is shown to the
 * merchant, so a long answer would turn it into a way to read whatever a callback URL returns: only
 * a short, printable excerpt is kept, enough to recognise an error page.
 */

/** Most characters (code points) kept of a receiver's answer. */
export const RESPONSE_EXCERPT_LIMIT = 200;

/**
 * The answer's first RESPONSE_EXCERPT_LIMIT printable characters: every run of whitespace (newlines,
 * tabs) becomes one space, control, format and other non-printable characters are dropped, and the
 * ends are trimmed. Null when nothing printable is left.
 */
export function responseExcerptOf(body: string): string | null {
  const printable = body
    .slice(0, RESPONSE_EXCERPT_LIMIT * 8) // enough to fill the excerpt; the rest is never scanned
    .replace(/\s+/gu, ' ')
    .replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu, '')
    .trim();
  const excerpt = Array.from(printable).slice(0, RESPONSE_EXCERPT_LIMIT).join('').trimEnd();
  return excerpt === '' ? null : excerpt;
}
