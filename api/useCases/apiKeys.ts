import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import type { ApiKey, Environment, Merchant } from '../../db/entities';
import { apiKeyById, countActiveApiKeys, merchantApiKeys, revokeMerchantApiKey } from '../../db/apiKeys';
import { issueApiKey } from '../../db/merchants';
import { assertVerified } from '../guards';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import type { AuditActor } from '../../domain/audit';

/** The body of POST /api/api-keys. */
export const createApiKeyRequestSchema = z.object({
  name: z
    .string({ error: 'name must be a string such as "Shop backend"' })
    .trim()
    .min(1, 'name cannot be empty')
    .max(100, 'name must be at most 100 characters'),
  environment: z
    .enum(['sandbox', 'production'], { error: "environment must be 'sandbox' or 'production'" })
    .default('sandbox'),
});

/** A parsed POST /api/api-keys body. */
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

/** A key as listed: never its secret, nor the secret's hash. */
export interface ApiKeyBody {
  id: number;
  name: string;
  api_username: string;
  /** The merchant account the key acts for. */
  account_id: number;
  environment: Environment;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A new key: the only answer that ever contains the password. */
export interface CreatedApiKeyBody {
  id: number;
  name: string;
  api_username: string;
  api_password: string;
  /** Ready `Authorization` header value. */
  authorization: string;
  environment: Environment;
  account_id: number;
  created_at: string;
}

export interface ApiKeyDeps {
  em: EntityManager;
  pepper: string;
}

/** How many unrevoked keys one merchant may hold: plenty for every system it runs, not a way around per-key limits. */
export const MAX_ACTIVE_API_KEYS = 20;

/** POST /api/api-keys: only a verified merchant may hold keys, at most MAX_ACTIVE_API_KEYS unrevoked at once (409 past that). */
export async function createApiKey(
  { em, pepper }: ApiKeyDeps,
  merchant: Merchant,
  request: CreateApiKeyRequest,
  actor: AuditActor,
): Promise<CreatedApiKeyBody> {
  assertVerified(merchant, 'create API keys');
  if ((await countActiveApiKeys(em, merchant.id)) >= MAX_ACTIVE_API_KEYS) {
    throw new AppError(
      'conflict',
      `You already have ${MAX_ACTIVE_API_KEYS} active API keys: revoke one you no longer use first`,
    );
  }
  const issued = await withAudit(em, async (tx) => {
    const key = await issueApiKey(tx, pepper, merchant.id, request.name, request.environment);
    await appendAuditEvent(tx, {
      ...actor,
      merchantId: merchant.id,
      action: 'api_key.created',
      subjectType: 'api_key',
      subjectId: String(key.id),
      // The username names the key; its password exists only in this answer, never in the log.
      details: { name: request.name, environment: request.environment, api_username: key.username },
    });
    return key;
  });
  const row = await apiKeyById(em, issued.id);
  return {
    id: issued.id,
    name: row.name,
    api_username: issued.username,
    api_password: issued.password,
    authorization: `Basic ${Buffer.from(`${issued.username}:${issued.password}`).toString('base64')}`,
    environment: row.environment,
    account_id: merchant.id,
    created_at: row.createdAt.toISOString(),
  };
}

/** GET /api/api-keys: the merchant's keys, newest first, revoked ones included (with revoked_at). */
export async function listApiKeys(em: EntityManager, merchant: Merchant): Promise<ApiKeyBody[]> {
  return (await merchantApiKeys(em, merchant.id)).map(apiKeyBody);
}

/** DELETE /api/api-keys/:id: the key stops working at once (every request looks it up). Revoking twice is harmless. */
export async function revokeApiKey(
  em: EntityManager,
  merchant: Merchant,
  keyId: string,
  actor: AuditActor,
): Promise<ApiKeyBody> {
  const id = /^\d{1,9}$/.test(keyId) ? Number(keyId) : null;
  const notFound = () => new AppError('not_found', `API key ${keyId} does not exist`);
  if (id === null) throw notFound();
  // Scoped by merchant: another merchant's key answers exactly like a missing one.
  const revoked = await withAudit(em, async (tx) => {
    const found = await revokeMerchantApiKey(tx, merchant.id, id);
    // Revoking a key that already was changes nothing, so it is not an action to record.
    if (found?.revokedNow) {
      await appendAuditEvent(tx, {
        ...actor,
        merchantId: merchant.id,
        action: 'api_key.revoked',
        subjectType: 'api_key',
        subjectId: String(id),
        details: { name: found.key.name, environment: found.key.environment, api_username: found.key.username },
      });
    }
    return found;
  });
  if (!revoked) throw notFound();
  return apiKeyBody(revoked.key);
}

function apiKeyBody(key: ApiKey): ApiKeyBody {
  return {
    id: key.id,
    name: key.name,
    api_username: key.username,
    account_id: key.merchant,
    environment: key.environment,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}
