import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signatures on merchant webhooks, so that a receiver can tell ImaraPay's deliveries from forgeries
 * and refuse replays. Header: `ImaraPay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, where the
 * HMAC key is the whole secret string (`whsec_…`, UTF-8) and the message is `<t>.<raw body>`.
 */
export const SIGNATURE_HEADER = 'ImaraPay-Signature';
export const SIGNATURE_ALGORITHM = 'hmac-sha256';
/** How old a signature may be before `verify` refuses it (replay protection). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A fresh signing secret: 32 random bytes, shown to merchants as `whsec_<base64url>`. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

const hmacHex = (secret: string, timestamp: number, body: string | Buffer) =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');

/** The header value for `body` (the exact bytes sent), signed at `timestamp` (unix seconds). */
export function sign({
  secret,
  body,
  timestamp,
}: {
  secret: string;
  body: string | Buffer;
  timestamp: number;
}): string {
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

export type VerifyResult =
  { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'expired' | 'mismatch' };

/**
 * Checks a signature header against the raw body. Every `v1=` value is tried (constant-time), so
 * a receiver accepts a header carrying more than one signature; the timestamp must lie within
 * `toleranceSeconds` of `now` (unix seconds) in either direction.
 */
export function verify({
  secret,
  header,
  body,
  now = Math.floor(Date.now() / 1000),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
}: {
  secret: string;
  header: string | undefined;
  body: string | Buffer;
  now?: number;
  toleranceSeconds?: number;
}): VerifyResult {
  const fields = (header ?? '').split(',').map((part) => part.trim().split('=') as [string, string | undefined]);
  const timestampText = fields.find(([k]) => k === 't')?.[1];
  const signatures = fields
    .filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/i.test(v))
    .map(([, v]) => Buffer.from(v!, 'hex'));
  if (!timestampText || !/^\d{1,12}$/.test(timestampText) || signatures.length === 0)
    return { ok: false, reason: 'malformed' };
  const timestamp = Number(timestampText);
  if (Math.abs(now - timestamp) > toleranceSeconds) return { ok: false, reason: 'expired' };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  // Compare against every candidate without stopping early, so timing reveals nothing.
  const matched = signatures.reduce((found, candidate) => timingSafeEqual(candidate, expected) || found, false);
  return matched ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
