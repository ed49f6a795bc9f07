import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/config';
import { normalizeEmail } from '../domain/email';
import { hashPassword } from '../domain/passwords';
import { UserSchema } from './entities';

/**
 * - created: the admin user was created now;
 * - exists: a user with ADMIN_EMAIL already exists (left untouched: its password may have been changed since);
 * - not_configured: ADMIN_EMAIL or ADMIN_PASSWORD is unset.
 */
export type EnsureAdminResult = 'created' | 'exists' | 'not_configured';

/**
 * Creates the bootstrap admin (role admin, no merchant) from ADMIN_EMAIL / ADMIN_PASSWORD when no
 * user has that email. Safe to run at every start-up and from several processes at once.
 */
export async function ensureAdmin(
  em: EntityManager,
  config: Pick<Config, 'ADMIN_EMAIL' | 'ADMIN_PASSWORD'>,
): Promise<EnsureAdminResult> {
  if (!config.ADMIN_EMAIL || !config.ADMIN_PASSWORD) return 'not_configured';
  const email = normalizeEmail(config.ADMIN_EMAIL);
  if (await em.count(UserSchema, { email })) return 'exists';
  em.create(UserSchema, {
    email,
    passwordHash: await hashPassword(config.ADMIN_PASSWORD),
    role: 'admin',
    merchant: null,
  });
  try {
    await em.flush();
    return 'created';
  } catch (err) {
    // Another API process created it between our check and our insert.
    if (err instanceof UniqueConstraintViolationException) return 'exists';
    throw err;
  }
}
