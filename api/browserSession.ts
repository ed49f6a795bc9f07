import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

/**
 * Browser sessions: the dashboard keeps its session token in an HttpOnly cookie, so page scripts
 * (and anything injected into them) never hold it. Programs keep sending `Authorization: Bearer`
 * or Basic API keys; those are not ambient credentials, so they need no CSRF token.
 *
 * Cross-site request forgery is refused with a double-submit token that cannot be forged: the
 * JS-readable `imarapay_csrf` cookie holds an HMAC of the session token, and every unsafe request
 * authenticated by the cookie must send it back in `X-CSRF-Token` (checked by the access rules,
 * api/access.ts). Another site can make the
 * browser send the cookies but can read neither of them, and cannot compute the HMAC without the
 * session token and the server's key.
 */
export const SESSION_COOKIE = 'imarapay_session';
export const CSRF_COOKIE = 'imarapay_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

/** What a request carries: headers and cookies (a Koa context, or a part of one in tests). */
export type RequestCredentials = Pick<Context, 'get' | 'cookies'>;

export interface BrowserSessionOptions {
  /** Key of the CSRF HMAC (the API key pepper, domain-separated below). */
  secret: string;
  /** Secure cookies: only over HTTPS (APP_ENV=production). */
  secure: boolean;
}

/** The CSRF token of a session: HMAC-SHA256 under a key used for nothing else. */
export function csrfTokenFor(secret: string, sessionToken: string): string {
  return createHmac('sha256', `imarapay-csrf:${secret}`).update(sessionToken).digest('base64url');
}

/** Sets the session cookie and its CSRF cookie after sign-up or login; both expire with the session. */
export function setSessionCookies(
  ctx: Context,
  session: { token: string; expiresAt: Date },
  { secret, secure }: BrowserSessionOptions,
): void {
  const common = { secure, sameSite: 'lax' as const, path: '/', expires: session.expiresAt, overwrite: true };
  ctx.cookies.set(SESSION_COOKIE, session.token, { ...common, httpOnly: true });
  ctx.cookies.set(CSRF_COOKIE, csrfTokenFor(secret, session.token), { ...common, httpOnly: false });
}

/** Removes both cookies (logout). */
export function clearSessionCookies(ctx: Context, { secure }: Pick<BrowserSessionOptions, 'secure'>): void {
  const gone = { secure, sameSite: 'lax' as const, path: '/', expires: new Date(0), overwrite: true };
  ctx.cookies.set(SESSION_COOKIE, '', { ...gone, httpOnly: true });
  ctx.cookies.set(CSRF_COOKIE, '', { ...gone, httpOnly: false });
}

/** True when a cookie-authenticated request may change something: its X-CSRF-Token matches its session. */
export function csrfTokenMatches(ctx: RequestCredentials, secret: string, sessionToken: string): boolean {
  const sent = Buffer.from(ctx.get(CSRF_HEADER.toLowerCase()));
  const expected = Buffer.from(csrfTokenFor(secret, sessionToken));
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}
