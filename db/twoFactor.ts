import type { EntityManager } from '@mikro-orm/postgresql';
import { RecoveryCodeSchema, UserSchema } from './entities';

/** A user's two-step sign-in as stored: sealed secrets (domain/secretBox.ts), never plain. */
export interface StoredTwoFactor {
  secretCiphertext: string | null;
  pendingCiphertext: string | null;
  enabledAt: Date | null;
  /** The last TOTP time step accepted, or null. */
  lastStep: number | null;
}

/** The user's two-step sign-in as stored now (not as an earlier read of the user had it). */
export async function storedTwoFactor(em: EntityManager, userId: number): Promise<StoredTwoFactor> {
  const user = await em.findOneOrFail(UserSchema, userId, { disableIdentityMap: true });
  return {
    secretCiphertext: user.totpSecretCiphertext ?? null,
    pendingCiphertext: user.totpPendingCiphertext ?? null,
    enabledAt: user.totpEnabledAt ?? null,
    lastStep: user.totpLastStep == null ? null : Number(user.totpLastStep),
  };
}

/** Keeps a secret being enrolled until its first code confirms it (replacing any earlier one). */
export async function saveTotpPending(em: EntityManager, userId: number, sealed: string): Promise<void> {
  await em.nativeUpdate(UserSchema, { id: userId }, { totpPendingCiphertext: sealed });
}

/**
 * Turns two-step sign-in on with the confirmed secret, and replaces the user's recovery codes with
 * `codeHashes`. Only while the pending secret is still `sealed` (a second setup meanwhile wins):
 * answers whether it was turned on.
 */
export async function enableTotp(
  em: EntityManager,
  userId: number,
  { sealed, step, codeHashes }: { sealed: string; step: number; codeHashes: string[] },
): Promise<boolean> {
  const changed = await em.nativeUpdate(
    UserSchema,
    { id: userId, totpPendingCiphertext: sealed },
    {
      totpSecretCiphertext: sealed,
      totpPendingCiphertext: null,
      totpEnabledAt: new Date(),
      totpLastStep: String(step),
    },
  );
  if (changed === 0) return false;
  await em.nativeDelete(RecoveryCodeSchema, { user: userId });
  for (const codeHash of codeHashes) em.create(RecoveryCodeSchema, { user: userId, codeHash, usedAt: null });
  await em.flush();
  return true;
}

/** Turns two-step sign-in off: the secret, any pending one and every recovery code go. */
export async function disableTotp(em: EntityManager, userId: number): Promise<void> {
  await em.nativeUpdate(
    UserSchema,
    { id: userId },
    { totpSecretCiphertext: null, totpPendingCiphertext: null, totpEnabledAt: null, totpLastStep: null },
  );
  await em.nativeDelete(RecoveryCodeSchema, { user: userId });
}

/**
 * Records `step` as the last TOTP step used, only if it is later than the one stored: two sign-ins
 * racing with the same code cannot both pass. Answers whether this one did.
 */
export async function claimTotpStep(em: EntityManager, userId: number, step: number): Promise<boolean> {
  const [row] = await em.getConnection().execute<{ id: number }[]>(
    `update users set totp_last_step = ? where id = ? and totp_secret_ciphertext is not null
         and (totp_last_step is null or totp_last_step < ?) returning id`,
    [step, userId, step],
    'all',
    em.getTransactionContext(),
  );
  return row !== undefined;
}

/** Uses up one of the user's recovery codes by its hash; answers whether it was there, unused. */
export async function claimRecoveryCode(em: EntityManager, userId: number, codeHash: string): Promise<boolean> {
  const changed = await em.nativeUpdate(
    RecoveryCodeSchema,
    { user: userId, codeHash, usedAt: null },
    { usedAt: new Date() },
  );
  return changed > 0;
}

/** How many of the user's recovery codes are still unused. */
export async function recoveryCodesLeft(em: EntityManager, userId: number): Promise<number> {
  return em.count(RecoveryCodeSchema, { user: userId, usedAt: null });
}
