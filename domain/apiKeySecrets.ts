import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API passwords are long random secrets, so a keyed hash (HMAC-SHA256 under a server-side pepper)
 * is as strong as a slow password hash against guessing, and costs microseconds per request.
 * The pepper lives in configuration, never in the database: a stolen table alone verifies nothing.
 */
export function hashApiSecret(pepper: string, secret: string): string {
  return createHmac('sha256', pepper).update(secret).digest('hex');
}

/** Constant-time comparison of a presented secret against a stored hash. */
export function verifyApiSecret(pepper: string, secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiSecret(pepper, secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export interface NewApiKey {
  username: string;
  /** Shown to the merchant once; only its hash is stored. */
  password: string;
  secretHash: string;
}

/** A fresh credential pair: a readable public username and a 256-bit secret. */
export function generateApiKey(pepper: string, environment: 'sandbox' | 'production'): NewApiKey {
  const username = `ak_${environment === 'sandbox' ? 'test' : 'live'}_${randomBytes(8).toString('hex')}`;
  const password = randomBytes(32).toString('base64url');
  return { username, password, secretHash: hashApiSecret(pepper, password) };
}

/**
 * Reads `Authorization: Basic base64(username:password)` (RFC 7617); null when absent or malformed,
 * including credentials with control characters, which no key ImaraPay issues contains.
 */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || /[\u0000-\u001F\u007F-\u009F]/.test(decoded)) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
