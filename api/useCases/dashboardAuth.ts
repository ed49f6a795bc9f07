import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { normalizeEmail } from '../../domain/email';
import {
  decoyPasswordHash,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordProblem,
  verifyPassword,
} from '../../domain/passwords';
import type { Merchant, User } from '../../db/entities';
import { freshMerchant } from '../../db/merchants';
import { createMerchantWithUser, sessionByTokenHash, userByEmail } from '../../db/users';
import { createSession, hashSessionToken } from '../sessions';

const email = z
  .string({ error: 'email must be a string such as owner@shop.co.ke' })
  .trim()
  .toLowerCase()
  .max(320, 'email must be at most 320 characters')
  .pipe(z.email({ error: 'email must be a valid email address such as owner@shop.co.ke' }));

/** The body of POST /api/auth/signup. */
export const signUpRequestSchema = z.object({
  business_name: z
    .string({ error: 'business_name must be a string' })
    .trim()
    .min(2, 'business_name must be at least 2 characters')
    .max(200, 'business_name must be at most 200 characters'),
  email,
  password: z
    .string({ error: 'password must be a string' })
    // min/max repeat passwordProblem's limits so that the OpenAPI document shows them.
    .min(PASSWORD_MIN_LENGTH, `password must be at least ${PASSWORD_MIN_LENGTH} characters`)
    .max(PASSWORD_MAX_LENGTH, `password must be at most ${PASSWORD_MAX_LENGTH} characters`)
    .superRefine((password, ctx) => {
      const problem = passwordProblem(password);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
});

/** The body of POST /api/auth/login. Only presence is checked: any other problem is "invalid email or password". */
export const logInRequestSchema = z.object({
  email: z.string({ error: 'email must be a string' }).min(1, 'email is required'),
  password: z.string({ error: 'password must be a string' }).min(1, 'password is required'),
});

export interface SessionUserBody {
  user: { id: number; email: string; role: User['role'] };
  /** Null for admins, who belong to no merchant. */
  merchant: { id: number; name: string; kyc_status: Merchant['kycStatus'] } | null;
}

/** What sign-up and login answer: the bearer token (shown once) and who it signs in. */
export interface SessionBody extends SessionUserBody {
  token: string;
  expires_at: string;
}

export interface AuthDeps {
  em: EntityManager;
  sessionTtlHours: number;
}

/** One message for every login failure: it must not tell whether the email has an account. */
const INVALID_LOGIN = 'Invalid email or password';

/**
 * POST /api/auth/signup: creates the merchant (unverified, with its service wallet) and its first
 * user in one transaction, then signs the user in.
 */
export async function signUp(
  { em, sessionTtlHours }: AuthDeps,
  request: z.infer<typeof signUpRequestSchema>,
): Promise<SessionBody> {
  // Hashed before the transaction opens: tens of milliseconds of CPU should not hold a connection.
  const passwordHash = await hashPassword(request.password);
  const emailTaken = () =>
    new AppError('conflict', 'An account with this email already exists: sign in instead', { field: 'email' });

  const user = await createMerchantWithUser(em, {
    email: request.email,
    businessName: request.business_name,
    passwordHash,
  });
  if (user === 'email_taken') throw emailTaken();
  return startSession(em, user, sessionTtlHours);
}

/** POST /api/auth/login: merchants and admins alike. */
export async function logIn(
  { em, sessionTtlHours }: AuthDeps,
  request: z.infer<typeof logInRequestSchema>,
): Promise<SessionBody> {
  const user = await userByEmail(em, normalizeEmail(request.email));
  // An unknown email still pays for one scrypt run, so timing does not reveal which emails exist.
  const matches = await verifyPassword(request.password, user?.passwordHash ?? (await decoyPasswordHash()));
  if (!user || !matches) throw new AppError('unauthorized', INVALID_LOGIN);
  return startSession(em, user, sessionTtlHours);
}

/** GET /api/me: who the session belongs to and when it ends. */
export async function describeSession(
  em: EntityManager,
  user: User,
  token: string,
): Promise<SessionUserBody & { expires_at: string }> {
  const session = await sessionByTokenHash(em, hashSessionToken(token));
  return { ...(await sessionUser(em, user)), expires_at: session.expiresAt.toISOString() };
}

async function startSession(em: EntityManager, user: User, ttlHours: number): Promise<SessionBody> {
  const { token, expiresAt } = await createSession(em, user.id, ttlHours);
  return { token, expires_at: expiresAt.toISOString(), ...(await sessionUser(em, user)) };
}

async function sessionUser(em: EntityManager, user: User): Promise<SessionUserBody> {
  const merchant = user.merchant === null ? null : await freshMerchant(em, user.merchant);
  return {
    user: { id: user.id, email: user.email, role: user.role },
    merchant: merchant && { id: merchant.id, name: merchant.name, kyc_status: merchant.kycStatus },
  };
}
