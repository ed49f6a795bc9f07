import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { insertSession, revokeSessionByTokenHash } from '../db/sessions';

/** Bearer tokens are random 256-bit strings; only their SHA-256 is stored, so a database leak opens no session. */
export const hashSessionToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Starts a dashboard session and returns the bearer token (shown once). */
export async function createSession(
  em: EntityManager,
  userId: number,
  ttlHours: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = `sess_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await insertSession(em, { tokenHash: hashSessionToken(token), userId, expiresAt });
  return { token, expiresAt };
}

/** Ends a session at once. */
export async function revokeSession(em: EntityManager, token: string): Promise<void> {
  await revokeSessionByTokenHash(em, hashSessionToken(token));
}
