import { createHash, timingSafeEqual } from 'node:crypto';

export { isLoopbackHost } from '../config/loopback';

/**
 * Whether an `Authorization` header carries `Bearer <token>` for the configured metrics token; the
 * scheme name is matched case-insensitively (RFC 7235), the token exactly.
 * With no token configured every caller is accepted (the listener is then meant for loopback or a
 * private network). Both sides are hashed first, so the comparison takes the same time whatever
 * the lengths, and nothing about the token leaks through timing.
 */
export function metricsCallerAccepted(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? '');
  if (!match) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}
