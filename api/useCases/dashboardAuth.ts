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
import type { AccountLockout } from '../rateLimits';
import { appendAuditEvent } from '../../db/auditLog';
import type { AuditActor } from '../../domain/audit';
import { hasTwoFactor, useSecondFactor } from './twoFactor';

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
  /** The authenticator app's 6-digit code, or a recovery code, when the account has two-step sign-in. */
  code: z.string({ error: 'code must be a string' }).max(20, 'code must be at most 20 characters').optional(),
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

/** What login needs beyond sign-up: the per-account limit and the pepper that keys second factors. */
export interface LogInDeps extends AuthDeps {
  lockout: AccountLockout;
  /** Wrong two-step codes per account: past it no code is checked at all. */
  codeLockout: AccountLockout;
  pepper: string;
}

/**
 * POST /api/auth/login: merchants and admins alike. Every attempt is recorded in the audit log
 * (`login.succeeded`, `login.failed` with why; never the password or code).
 *
 * - Wrong email or password: 401 unauthorized, one message either way, and one failure counted
 *   against the account (the per-account limit, api/rateLimits.ts `loginPerAccount`).
 * - Right password, two-step sign-in on, no code: 401 second_factor_required; a wrong code: 401
 *   unauthorized, counted as a failure and as a wrong code. Each code works once. Past
 *   `loginCodesPerAccount` wrong codes (10 an hour) no code is checked: 429, whatever the password.
 * - Past the per-account limit: 429 rate_limited whatever the password, unless the password AND a
 *   valid second factor come together: the owner gets in though someone else used the account's
 *   failures up. The answer is the same for a right and a wrong password, so the limit still stops
 *   password guessing.
 */
export async function logIn(
  deps: LogInDeps,
  request: z.infer<typeof logInRequestSchema>,
  actor: AuditActor,
): Promise<SessionBody> {
  const { em, sessionTtlHours, lockout } = deps;
  const email = normalizeEmail(request.email);
  const lockedFor = await lockout.lockedFor(email);
  const user = await userByEmail(em, email);
  // An unknown email still pays for one scrypt run, so timing does not reveal which emails exist.
  const matches = await verifyPassword(request.password, user?.passwordHash ?? (await decoyPasswordHash()));
  const failed = async (reason: string, error: AppError): Promise<never> => {
    await lockout.recordFailure(email);
    await appendAuditEvent(em, {
      ...actor,
      // Whoever tried is not known to be the account's user: the attempt is anonymous, about the account.
      actorType: 'anonymous',
      actorId: null,
      actorLabel: email.slice(0, 255),
      merchantId: user?.merchant ?? null,
      action: 'login.failed',
      subjectType: user ? 'user' : null,
      subjectId: user ? String(user.id) : null,
      details: { reason, ...(lockedFor === null ? {} : { account_limit_reached: true }) },
    });
    throw error;
  };
  const locked = () =>
    new AppError(
      'rate_limited',
      `Too many failed sign-ins to this account. Retry after ${lockedFor} s, or sign in with your password and ` +
        'the code from your authenticator app (or a recovery code) if you have turned on two-step sign-in.',
      { retry_after: lockedFor },
    );

  if (!user || !matches) {
    return failed(user ? 'wrong_password' : 'unknown_email', lockedFor === null ? invalidLogin() : locked());
  }
  let secondFactor: 'totp' | 'recovery_code' | null = null;
  if (await hasTwoFactor(em, user.id)) {
    if (request.code === undefined || request.code.trim() === '') {
      // Past the limit, "the password was right" must not be told apart from a wrong one.
      if (lockedFor !== null) return failed('second_factor_missing', locked());
      throw new AppError(
        'second_factor_required',
        'Enter the 6-digit code from your authenticator app, or one of your recovery codes',
        { field: 'code' },
      );
    }
    // Checked before the code, and never lifted by the right password: whoever holds the password
    // must not get unlimited guesses at a 6-digit code from many addresses.
    const codesLockedFor = await deps.codeLockout.lockedFor(email);
    if (codesLockedFor !== null) {
      return failed(
        'second_factor_limit_reached',
        new AppError(
          'rate_limited',
          `Too many wrong two-step codes for this account. Retry after ${codesLockedFor} s.`,
          { retry_after: codesLockedFor },
        ),
      );
    }
    secondFactor = await useSecondFactor(deps, user.id, request.code);
    if (secondFactor === null) {
      await deps.codeLockout.recordFailure(email);
      return failed('wrong_code', lockedFor === null ? new AppError('unauthorized', INVALID_CODE) : locked());
    }
  } else if (lockedFor !== null) {
    return failed('account_limit_reached', locked());
  }
  const session = await startSession(em, user, sessionTtlHours);
  await appendAuditEvent(em, {
    ...actor,
    actorType: user.role === 'admin' ? 'admin' : 'merchant',
    actorId: user.id,
    actorLabel: user.email,
    merchantId: user.merchant,
    action: 'login.succeeded',
    subjectType: 'user',
    subjectId: String(user.id),
    details: { second_factor: secondFactor, ...(lockedFor === null ? {} : { account_limit_reached: true }) },
  });
  return session;
}

const invalidLogin = () => new AppError('unauthorized', INVALID_LOGIN);
const INVALID_CODE = 'Invalid authentication code: enter the current code from your app, or an unused recovery code';

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
