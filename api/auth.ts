import type { Middleware } from 'koa';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../domain/errors';
import { parseBasicAuth, verifyApiSecret } from '../domain/apiKeySecrets';
import { ApiKeySchema, MerchantSchema, type ApiKey, type Merchant } from '../db/entities';
import type { Logger } from '../config/logger';

export interface ApiCaller {
  merchant: Merchant;
  apiKey: ApiKey;
}

export interface AuthDeps {
  pepper: string;
  em: () => EntityManager;
  logger: Logger;
}

/**
 * Basic-auth with an API key pair. Looked up on every request (no cache), so a revoked key
 * stops working at once. Sets `ctx.state.caller`.
 */
export function requireApiKey({ pepper, em, logger }: AuthDeps): Middleware {
  return async (ctx, next) => {
    const credentials = parseBasicAuth(ctx.get('authorization'));
    if (!credentials) {
      throw new AppError('unauthorized', 'Missing API credentials: send Authorization: Basic base64(API_USERNAME:API_PASSWORD)');
    }
    const db = em();
    const apiKey = await db.findOne(ApiKeySchema, { username: credentials.username, revokedAt: null });
    if (!apiKey || !verifyApiSecret(pepper, credentials.password, apiKey.secretHash)) {
      throw new AppError('unauthorized', 'Invalid API credentials');
    }
    const merchant = await db.findOneOrFail(MerchantSchema, apiKey.merchant);
    ctx.state.caller = { merchant, apiKey } satisfies ApiCaller;
    // Last-used is advisory: write it at most once a minute, off the request's critical path.
    db.getConnection()
      .execute(`update api_keys set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`, [apiKey.id])
      .catch((err) => logger.warn({ err, apiKeyId: apiKey.id }, 'could not record API key use'));
    await next();
  };
}
