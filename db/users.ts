import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MerchantSchema, SessionSchema, UserSchema, type Session, type User } from './entities';
import { createMerchant } from './merchants';

/**
 * Creates a merchant (unverified, with its service wallet) and its first user in one transaction.
 * Answers the user, or `email_taken` when a user or merchant already has the email (also when two
 * sign-ups race: the unique constraint decides).
 */
export async function createMerchantWithUser(
  em: EntityManager,
  fields: { email: string; businessName: string; passwordHash: string },
): Promise<User | 'email_taken'> {
  try {
    return await em.transactional(async (tx) => {
      const taken =
        (await tx.count(UserSchema, { email: fields.email })) ||
        (await tx.count(MerchantSchema, { email: fields.email }));
      if (taken) return 'email_taken' as const;
      const merchantId = await createMerchant(tx, {
        name: fields.businessName,
        email: fields.email,
        kycStatus: 'unverified',
      });
      const created = tx.create(UserSchema, {
        email: fields.email,
        passwordHash: fields.passwordHash,
        role: 'merchant',
        merchant: merchantId,
      });
      await tx.flush();
      return created;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return 'email_taken';
    throw err;
  }
}

/** The user with this (normalised) email, or null. */
export async function userByEmail(em: EntityManager, email: string): Promise<User | null> {
  return em.findOne(UserSchema, { email });
}

/** The session with this token hash; throws when there is none. */
export async function sessionByTokenHash(em: EntityManager, tokenHash: string): Promise<Session> {
  return em.findOneOrFail(SessionSchema, { tokenHash });
}

/** Saves the user's new password hash and revokes every other open session of theirs (all but `keepTokenHash`). */
export async function changePasswordHash(
  em: EntityManager,
  user: User,
  passwordHash: string,
  keepTokenHash: string,
): Promise<void> {
  // A native update, so the change joins the caller's transaction whichever EntityManager loaded the user.
  await em.nativeUpdate(UserSchema, { id: user.id }, { passwordHash });
  user.passwordHash = passwordHash;
  await em.nativeUpdate(
    SessionSchema,
    { user: user.id, revokedAt: null, tokenHash: { $ne: keepTokenHash } },
    { revokedAt: new Date() },
  );
}
