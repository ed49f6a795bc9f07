import type { Middleware } from 'koa';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../domain/errors';
import { parseBasicAuth, verifyApiSecret } from '../domain/apiKeySecrets';
import { ApiKeySchema, MerchantSchema, SessionSchema, UserSchema, type ApiKey, type Environment, type Merchant, type User } from '../db/entities';
import type { RecordApiKeyUse } from './apiKeyUsage';
import { hashSessionToken } from './sessions';
import { sessionTokenOf, type RequestCredentials } from './browserSession';

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

export interface AuthDeps {
  pepper: string;
  em: () => EntityManager;
  recordUse: RecordApiKeyUse;
}

/** The one answer to a wrong, unknown or revoked API key: which of the three is not revealed. */
export const invalidApiCredentials = () => new AppError('unauthorized', 'Invalid API credentials');

/** Resolves a session (Bearer header, or the dashboard's cookie) to its user, or null when missing, expired or revoked. */
export async function userFromSession(em: EntityManager, request: RequestCredentials): Promise<{ user: User; token: string } | null> {
  const token = sessionTokenOf(request)?.token;
  if (!token) return null;
  const session = await em.findOne(SessionSchema, { tokenHash: hashSessionToken(token), revokedAt: null, expiresAt: { $gt: new Date() } });
  if (!session) return null;
  const user = await em.findOne(UserSchema, session.user);
  return user ? { user, token } : null;
}

/**
 * Merchant endpoints: Basic auth with an API key pair, or a dashboard session. Looked up on every
 * request (no cache), so a revoked key or ended session stops working at once. Sets `ctx.state.caller`.
 */
export function requireMerchant({ pepper, em, recordUse }: AuthDeps): Middleware {
  return async (ctx, next) => {
    const db = em();
    const header = ctx.get('authorization');
    if (/^Bearer\s/i.test(header) || sessionTokenOf(ctx)) {
      const session = await userFromSession(db, ctx);
      if (!session) throw new AppError('unauthorized', 'Your session has expired or was ended; sign in again');
      if (session.user.merchant === null) throw new AppError('forbidden', 'This endpoint is for merchant accounts');
      const merchant = await db.findOneOrFail(MerchantSchema, session.user.merchant);
      const environment = ctx.get('x-imarapay-environment') === 'production' ? 'production' : 'sandbox';
      ctx.state.caller = { merchant, apiKey: null, user: session.user, environment } satisfies ApiCaller;
      return next();
    }
    const credentials = parseBasicAuth(header);
    if (!credentials) {
      throw new AppError('unauthorized', 'Missing API credentials: send Authorization: Basic base64(API_USERNAME:API_PASSWORD)');
    }
    const apiKey = await db.findOne(ApiKeySchema, { username: credentials.username, revokedAt: null });
    if (!apiKey || !verifyApiSecret(pepper, credentials.password, apiKey.secretHash)) {
      throw invalidApiCredentials();
    }
    const merchant = await db.findOneOrFail(MerchantSchema, apiKey.merchant);
    ctx.state.caller = { merchant, apiKey, user: null, environment: apiKey.environment } satisfies ApiCaller;
    recordUse(apiKey.id);
    return next();
  };
}

/** Admin endpoints: a dashboard session of a user with the admin role. Sets `ctx.state.admin`. */
export function requireAdmin({ em }: Pick<AuthDeps, 'em'>): Middleware {
  return async (ctx, next) => {
    const session = await userFromSession(em(), ctx);
    if (!session) throw new AppError('unauthorized', 'Sign in as an admin: send Authorization: Bearer <session token>');
    if (session.user.role !== 'admin') throw new AppError('forbidden', 'This endpoint is for ImaraPay admins');
    ctx.state.admin = session.user;
    return next();
  };
}
