import type { EntityManager } from '@mikro-orm/postgresql';
import { SessionSchema, UserSchema, type User } from './entities';

/** Records a dashboard session under its token's hash (the token itself is never stored). */
export async function insertSession(
  em: EntityManager,
  session: { tokenHash: string; userId: number; expiresAt: Date },
): Promise<void> {
  em.create(SessionSchema, {
    tokenHash: session.tokenHash,
    user: session.userId,
    expiresAt: session.expiresAt,
    revokedAt: null,
  });
  await em.flush();
}

/** Revokes the session with this token hash now (nothing when it is unknown or already revoked). */
export async function revokeSessionByTokenHash(em: EntityManager, tokenHash: string): Promise<void> {
  await em.nativeUpdate(SessionSchema, { tokenHash, revokedAt: null }, { revokedAt: new Date() });
}

/** The user of the live (unexpired, unrevoked) session with this token hash, or null. */
export async function userOfLiveSession(em: EntityManager, tokenHash: string): Promise<User | null> {
  const session = await em.findOne(SessionSchema, { tokenHash, revokedAt: null, expiresAt: { $gt: new Date() } });
  return session ? em.findOne(UserSchema, session.user) : null;
}
