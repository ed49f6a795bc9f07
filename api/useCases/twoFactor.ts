import { z } from 'zod';
import QRCode from 'qrcode';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import type { AuditActor } from '../../domain/audit';
import { verifyPassword } from '../../domain/passwords';
import { open, seal } from '../../domain/secretBox';
import {
  acceptedTotpStep,
  looksLikeRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  recoveryCodeHash,
  totpSealingKey,
  totpUrl,
} from '../../domain/twoFactor';
import type { User } from '../../db/entities';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import {
  claimRecoveryCode,
  claimTotpStep,
  disableTotp,
  enableTotp,
  recoveryCodesLeft,
  saveTotpPending,
  storedTwoFactor,
} from '../../db/twoFactor';

/** What the two-step sign-in use cases need: the request's EntityManager and the server pepper (API_KEY_PEPPER). */
export interface TwoFactorDeps {
  em: EntityManager;
  pepper: string;
}

const code = z
  .string({ error: 'code must be the 6-digit code from your authenticator app, or a recovery code' })
  .trim()
  .min(1, 'code is required')
  .max(20, 'code must be at most 20 characters');

/** The body of POST /api/me/two-factor/enable: the first code the app shows, which proves it holds the secret. */
export const enableTwoFactorRequestSchema = z.object({ code });

/** The body of POST /api/me/two-factor/disable: the password and a current code (or a recovery code). */
export const disableTwoFactorRequestSchema = z.object({
  password: z.string({ error: 'password is required' }).min(1, 'password is required').max(200),
  code,
});

/** GET /api/me/two-factor's answer. */
export interface TwoFactorStatusBody {
  enabled: boolean;
  enabled_at: string | null;
  /** Unused recovery codes; 0 when two-step sign-in is off. */
  recovery_codes_left: number;
}

/** GET /api/me/two-factor: whether two-step sign-in is on, since when, and how many recovery codes are left. */
export async function twoFactorStatus(em: EntityManager, user: User): Promise<TwoFactorStatusBody> {
  const stored = await storedTwoFactor(em, user.id);
  return {
    enabled: stored.secretCiphertext !== null,
    enabled_at: stored.enabledAt?.toISOString() ?? null,
    recovery_codes_left: stored.secretCiphertext === null ? 0 : await recoveryCodesLeft(em, user.id),
  };
}

/** POST /api/me/two-factor/setup's answer: the new secret three ways (typed, as a URL, as a QR code). */
export interface TwoFactorSetupBody {
  /** Base32, for typing into the app by hand. */
  secret: string;
  /** The otpauth:// URL (Key Uri Format). */
  otpauth_url: string;
  /** A PNG data: URL of a QR code of `otpauth_url`. */
  qr_code: string;
}

/**
 * POST /api/me/two-factor/setup: draws a new TOTP secret and keeps it, sealed, as pending until
 * POST /api/me/two-factor/enable confirms it with a code. Errors: 409 conflict when two-step
 * sign-in is already on (turn it off first).
 */
export async function startTwoFactorSetup({ em, pepper }: TwoFactorDeps, user: User): Promise<TwoFactorSetupBody> {
  const stored = await storedTwoFactor(em, user.id);
  if (stored.secretCiphertext !== null)
    throw new AppError('conflict', 'Two-step sign-in is already on: turn it off first to set up another app');
  const secret = newTotpSecret();
  await saveTotpPending(em, user.id, seal(secret, totpSealingKey(pepper)));
  const url = totpUrl(secret, user.email);
  return {
    secret,
    otpauth_url: url,
    qr_code: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
  };
}

/**
 * POST /api/me/two-factor/enable: checks the app's first code against the pending secret, turns
 * two-step sign-in on and answers ten recovery codes, shown this once (only their keyed hashes are
 * stored). Recorded as `two_factor.enabled` in the same transaction. Errors: 400 validation_failed
 * (field `code`) for a wrong code; 409 conflict when no setup is pending or it is already on.
 */
export async function enableTwoFactor(
  { em, pepper }: TwoFactorDeps,
  user: User,
  request: z.infer<typeof enableTwoFactorRequestSchema>,
  actor: AuditActor,
): Promise<{ recovery_codes: string[] }> {
  const stored = await storedTwoFactor(em, user.id);
  if (stored.secretCiphertext !== null) throw new AppError('conflict', 'Two-step sign-in is already on');
  if (stored.pendingCiphertext === null)
    throw new AppError('conflict', 'Start with POST /api/me/two-factor/setup: no authenticator app is being set up');
  const secret = open(stored.pendingCiphertext, totpSealingKey(pepper));
  const step = acceptedTotpStep(secret, request.code, Date.now(), null);
  if (step === null)
    throw new AppError('validation_failed', 'code is not the current code of the authenticator app', { field: 'code' });
  const codes = newRecoveryCodes();
  const enabled = await withAudit(em, async (tx) => {
    const done = await enableTotp(tx, user.id, {
      sealed: stored.pendingCiphertext!,
      step,
      codeHashes: codes.map((c) => recoveryCodeHash(c, pepper)),
    });
    if (done) {
      await appendAuditEvent(tx, {
        ...actor,
        merchantId: user.merchant,
        action: 'two_factor.enabled',
        subjectType: 'user',
        subjectId: String(user.id),
        details: { method: 'totp', recovery_codes: codes.length },
      });
    }
    return done;
  });
  if (!enabled) throw new AppError('conflict', 'The setup changed meanwhile: start it again');
  return { recovery_codes: codes };
}

/**
 * POST /api/me/two-factor/disable: the password and a current code (or a recovery code) turn
 * two-step sign-in off and void every recovery code. Recorded as `two_factor.disabled`. Errors:
 * 400 validation_failed (field `password` or `code`); 409 conflict when it is not on.
 */
export async function disableTwoFactor(
  deps: TwoFactorDeps,
  user: User,
  request: z.infer<typeof disableTwoFactorRequestSchema>,
  actor: AuditActor,
): Promise<void> {
  const { em } = deps;
  const stored = await storedTwoFactor(em, user.id);
  if (stored.secretCiphertext === null) throw new AppError('conflict', 'Two-step sign-in is not on');
  if (!(await verifyPassword(request.password, user.passwordHash)))
    throw new AppError('validation_failed', 'password is not your password', { field: 'password' });
  await withAudit(em, async (tx) => {
    const used = await useSecondFactor({ em: tx, pepper: deps.pepper }, user.id, request.code);
    if (used === null)
      throw new AppError('validation_failed', 'code is not a current code or an unused recovery code', {
        field: 'code',
      });
    await disableTotp(tx, user.id);
    await appendAuditEvent(tx, {
      ...actor,
      merchantId: user.merchant,
      action: 'two_factor.disabled',
      subjectType: 'user',
      subjectId: String(user.id),
      details: { confirmed_with: used },
    });
  });
}

/** Whether the user has two-step sign-in on. */
export async function hasTwoFactor(em: EntityManager, userId: number): Promise<boolean> {
  return (await storedTwoFactor(em, userId)).secretCiphertext !== null;
}

/**
 * Checks and uses up a second factor: a current TOTP code (its step claimed, so it works once) or an
 * unused recovery code (marked used). Answers which kind it was, or null when it is neither.
 */
export async function useSecondFactor(
  { em, pepper }: TwoFactorDeps,
  userId: number,
  typed: string,
): Promise<'totp' | 'recovery_code' | null> {
  const stored = await storedTwoFactor(em, userId);
  if (stored.secretCiphertext === null) return null;
  if (looksLikeRecoveryCode(typed)) {
    return (await claimRecoveryCode(em, userId, recoveryCodeHash(typed, pepper))) ? 'recovery_code' : null;
  }
  const secret = open(stored.secretCiphertext, totpSealingKey(pepper));
  const step = acceptedTotpStep(secret, typed, Date.now(), stored.lastStep);
  if (step === null) return null;
  return (await claimTotpStep(em, userId, step)) ? 'totp' : null;
}
