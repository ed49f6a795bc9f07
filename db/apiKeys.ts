import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKeySchema, type ApiKey } from './entities';

/** How many of the merchant's keys are not revoked. */
export async function countActiveApiKeys(em: EntityManager, merchantId: number): Promise<number> {
  return em.count(ApiKeySchema, { merchant: merchantId, revokedAt: null });
}

/** The key row by id; throws when it does not exist. */
export async function apiKeyById(em: EntityManager, id: number): Promise<ApiKey> {
  return em.findOneOrFail(ApiKeySchema, id);
}

/** The merchant's keys, newest first, revoked ones included. */
export async function merchantApiKeys(em: EntityManager, merchantId: number): Promise<ApiKey[]> {
  return em.find(ApiKeySchema, { merchant: merchantId }, { orderBy: { id: 'desc' }, disableIdentityMap: true });
}

/**
 * Revokes the merchant's key `id` now, unless it already is, and answers it as stored; null when
 * the merchant has no such key (another merchant's key included).
 */
export async function revokeMerchantApiKey(
  em: EntityManager,
  merchantId: number,
  id: number,
): Promise<{ key: ApiKey; revokedNow: boolean } | null> {
  const changed = await em.nativeUpdate(
    ApiKeySchema,
    { id, merchant: merchantId, revokedAt: null },
    { revokedAt: new Date() },
  );
  const key = await em.findOne(ApiKeySchema, { id, merchant: merchantId }, { disableIdentityMap: true });
  return key && { key, revokedNow: changed > 0 };
}
