import { createHmac, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * Two-step sign-in: time-based one-time passwords (TOTP, RFC 6238: HMAC-SHA-1, 6 digits, 30 s
 * steps, what Google Authenticator, Microsoft Authenticator and 1Password read from an otpauth://
 * URL), and single-use recovery codes for a lost phone. Pure: the clock is passed in.
 */

/** RFC 6238's defaults, the only ones every authenticator app supports. */
const TOTP_DIGITS = 6;
const TOTP_PERIOD_SECONDS = 30;
/** Codes one step before or after now are accepted too: a phone's clock may drift by some seconds. */
const TOTP_WINDOW_STEPS = 1;
/** 160-bit secrets, the length RFC 4226 section 4 recommends. */
const TOTP_SECRET_BYTES = 20;
const ISSUER = 'ImaraPay';

/** How many recovery codes a user gets when two-step sign-in is turned on. */
export const RECOVERY_CODE_COUNT = 10;

/** A new TOTP secret, base32 (RFC 4648) as authenticator apps take it typed in. */
export function newTotpSecret(): string {
  return new Secret({ size: TOTP_SECRET_BYTES }).base32;
}

const totpOf = (secretBase32: string, account: string) =>
  new TOTP({
    issuer: ISSUER,
    label: account,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });

/** The otpauth:// URL (Key Uri Format) an authenticator app scans from a QR code. */
export function totpUrl(secretBase32: string, account: string): string {
  return totpOf(secretBase32, account).toString();
}

/** The code for a moment (`nowMs`): for tests and the simulator-like tools that play the phone. */
export function totpCode(secretBase32: string, nowMs: number): string {
  return totpOf(secretBase32, '').generate({ timestamp: nowMs });
}

/**
 * Checks a 6-digit code at `nowMs` and answers its time step (RFC 6238 T), or null when it is not
 * a current code. A step at or before `lastStep` (one already used) is refused, so a code seen over
 * someone's shoulder cannot be replayed within its 30 seconds.
 */
export function acceptedTotpStep(
  secretBase32: string,
  code: string,
  nowMs: number,
  lastStep: number | null,
): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpOf(secretBase32, '').validate({ token, timestamp: nowMs, window: TOTP_WINDOW_STEPS });
  if (delta === null) return null;
  const step = Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

/** Recovery codes: 10 characters from a 32-letter alphabet without look-alikes (50 bits), shown `xxxxx-xxxxx`. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `count` new recovery codes, as the user is shown them (once). */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const chars = [...randomBytes(10)].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Whether a typed second factor looks like a recovery code rather than a 6-digit TOTP code. */
export const looksLikeRecoveryCode = (code: string) => /^[a-z0-9]{5}-?[a-z0-9]{5}$/i.test(code.trim());

/**
 * The stored form of a recovery code: HMAC-SHA-256 under the server's pepper of the code without
 * its dash, lower-cased. Codes are random (50 bits), so a keyed fast hash is enough: a database
 * leak alone cannot test guesses, and the login limits bound online guessing.
 */
export function recoveryCodeHash(code: string, pepper: string): string {
  const canonical = code.trim().toLowerCase().replace(/-/g, '');
  return createHmac('sha256', pepper).update(`recovery-code:${canonical}`).digest('hex');
}

/** The key material that seals TOTP secrets at rest: derived from the pepper, distinct from its other uses. */
export const totpSealingKey = (pepper: string) => `two-factor-totp\n${pepper}`;
