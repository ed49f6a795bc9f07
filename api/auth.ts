import type { Context } from 'koa';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../domain/errors';
import { parseBasicAuth, verifyApiSecret } from '../domain/apiKeySecrets';
import { readActiveApiKey } from '../db/apiKeyReads';
import type { RunSql } from '../db/sqlPool';
import type { ApiKey, Environment, Merchant, User } from '../db/entities';
import { merchantById } from '../db/merchants';
import { userOfLiveSession } from '../db/sessions';
import type { RecordApiKeyUse } from './apiKeyUsage';
import { hashSessionToken } from './sessions';
import { SESSION_COOKIE } from './browserSession';

/**
 * Who is calling a merchant endpoint: a system with an API key (Basic auth), or a person signed in
 * to the dashboard (Bearer session token). Either way, one merchant and one environment.
 */
export interface ApiCaller {
  merchant: Merchant;
  apiKey: ApiKey | null;
  user: User | null;
  /** API keys carry their environment; dashboard sessions act in the sandbox unless asked otherwise. */
  environment: Environment;
}

/** A merchant's person in the dashboard (never an API key). */
export type DashboardCaller = ApiCaller & { user: User; apiKey: null };

/** Any signed-in person, merchant or admin, with the session token they presented. */
export interface SignedInUser {
  user: User;
  token: string;
}

/**
 * The credentials a request presents, before they are checked: none, a dashboard session token,
 * or an API key pair. Malformed headers count as the credential they try to be, so that a broken
 * Basic header is answered "invalid credentials", not "missing".
 */
export type PresentedCredentials =
  | { kind: 'none' }
  | { kind: 'session'; token: string; source: 'bearer' | 'cookie' }
  | { kind: 'apiKey'; username: string; password: string }
  | { kind: 'malformed' };

export interface AuthDeps {
  pepper: string;
  em: () => EntityManager;
  /** The hot reads' prepared statements (db/sqlPool.ts). */
  runSql: RunSql;
  recordUse: RecordApiKeyUse;
}

/** The one answer to a wrong, unknown or revoked API key: which of the three is not revealed. */
export const invalidApiCredentials = () => new AppError('unauthorized', 'Invalid API credentials');
export const sessionEnded = () => new AppError('unauthorized', 'Your session has expired or was ended; sign in again');

/**
 * Reads the Authorization header (RFC 7617 Basic for API keys, RFC 6750 Bearer for sessions) or,
 * without one, the dashboard's session cookie. A header always wins, so a program is never judged
 * by a cookie its HTTP client happens to keep.
 */
export function presentedCredentials(ctx: Pick<Context, 'get' | 'cookies'>): PresentedCredentials {
  const header = ctx.get('authorization');
  if (header === '') {
    const cookie = ctx.cookies.get(SESSION_COOKIE);
    return cookie ? { kind: 'session', token: cookie, source: 'cookie' } : { kind: 'none' };
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return { kind: 'session', token: bearer[1]!, source: 'bearer' };
  if (/^Basic\s/i.test(header)) {
    const basic = parseBasicAuth(header);
    return basic ? { kind: 'apiKey', ...basic } : { kind: 'malformed' };
  }
  return { kind: 'malformed' };
}

/** The user of a live session token, or null when unknown, expired or revoked. */
export async function userOfSession(em: EntityManager, token: string): Promise<User | null> {
  return userOfLiveSession(em, hashSessionToken(token));
}

/**
 * The merchant and key of an API key pair, or null when the username is unknown, the key revoked
 * or the secret wrong. Looked up on every request (no cache), so a revoked key stops at once: one
 * prepared statement (db/apiKeyReads.ts), since every API-key request pays for it.
 */
export async function callerOfApiKey(deps: AuthDeps, username: string, password: string): Promise<ApiCaller | null> {
  const found = await readActiveApiKey(deps.runSql, username);
  if (!found || !verifyApiSecret(deps.pepper, password, found.apiKey.secretHash)) return null;
  deps.recordUse(found.apiKey.id);
  return { merchant: found.merchant, apiKey: found.apiKey, user: null, environment: found.apiKey.environment };
}

/** A merchant user's dashboard caller: the sandbox unless the request asks for production. */
export async function callerOfMerchantUser(
  em: EntityManager,
  user: User,
  ctx: Pick<Context, 'get'>,
): Promise<DashboardCaller | null> {
  if (user.merchant === null) return null;
  const merchant = await merchantById(em, user.merchant);
  if (!merchant) throw new Error(`User ${user.id}'s merchant ${user.merchant} does not exist`);
  const environment = ctx.get('x-imarapay-environment') === 'production' ? 'production' : 'sandbox';
  return { merchant, apiKey: null, user, environment };
}
