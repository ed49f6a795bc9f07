import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/config';
import { normalizeEmail } from '../domain/email';
import { hashPassword, verifyPassword } from '../domain/passwords';
import { UserSchema } from './entities';
import { createOrm } from './orm';

export interface DemoLogins {
  email: string;
  password: string;
  admin_email: string;
  admin_password: string;
}

const DEMO_USER_EMAIL = 'demo@imarapay.test';
const DEMO_ADMIN_EMAIL = 'admin@imarapay.test';

/**
 * Dashboard logins for `npm start` (development only): a user of the demo merchant and an admin.
 * Idempotent: a restart keeps the passwords saved last time while they still work; otherwise the
 * demo user's password is set anew (these accounts exist only on a developer's machine).
 */
export async function ensureDemoLogins(
  config: Config,
  merchantId: number,
  previous: Partial<DemoLogins> | null,
): Promise<DemoLogins | null> {
  if (config.APP_ENV === 'production') return null;
  const orm = await createOrm({ databaseUrl: config.DATABASE_URL, poolSize: 2 });
  try {
    const em = orm.em.fork();
    const merchantUser = await ensureLogin(
      em,
      { email: DEMO_USER_EMAIL, role: 'merchant', merchant: merchantId },
      previous?.email === DEMO_USER_EMAIL ? previous.password : undefined,
    );
    // ADMIN_EMAIL / ADMIN_PASSWORD, when set, are the admin the API creates at start-up: use those.
    const adminEmail = config.ADMIN_EMAIL ? normalizeEmail(config.ADMIN_EMAIL) : DEMO_ADMIN_EMAIL;
    const knownAdminPassword = config.ADMIN_EMAIL
      ? config.ADMIN_PASSWORD
      : previous?.admin_email === adminEmail
        ? previous.admin_password
        : undefined;
    const admin = await ensureLogin(em, { email: adminEmail, role: 'admin', merchant: null }, knownAdminPassword);
    return {
      email: merchantUser.email,
      password: merchantUser.password,
      admin_email: admin.email,
      admin_password: admin.password,
    };
  } finally {
    await orm.close();
  }
}

async function ensureLogin(
  em: EntityManager,
  who: { email: string; role: 'merchant' | 'admin'; merchant: number | null },
  knownPassword: string | undefined,
): Promise<{ email: string; password: string }> {
  const user = await em.findOne(UserSchema, { email: who.email });
  if (user && knownPassword && (await verifyPassword(knownPassword, user.passwordHash)))
    return { email: who.email, password: knownPassword };
  const password = `demo-${randomBytes(9).toString('base64url')}`;
  if (user) {
    user.passwordHash = await hashPassword(password);
  } else {
    em.create(UserSchema, {
      email: who.email,
      passwordHash: await hashPassword(password),
      role: who.role,
      merchant: who.merchant,
    });
  }
  await em.flush();
  return { email: who.email, password };
}
