import type { ApiKey, Environment, KycStatus, Merchant } from './entities';
import type { RunSql } from './sqlPool';

interface RawKeyWithMerchant {
  key_id: number;
  key_name: string;
  username: string;
  secret_hash: string;
  environment: Environment;
  key_created_at: Date;
  last_used_at: Date | null;
  merchant_id: number;
  merchant_name: string;
  email: string;
  kyc_status: KycStatus;
  callback_url: string | null;
  webhook_secret_ciphertext: string | null;
  merchant_created_at: Date;
}

/**
 * The unrevoked API key with this username and its merchant, or null. One prepared statement and no
 * entity hydration: every API-key request runs it (status polling most of all), and it is not cached,
 * so a revoked key stops at once. The caller verifies the secret against `apiKey.secretHash`. Both
 * are plain rows, not entities of any EntityManager: read them, do not flush changes to them.
 */
export async function readActiveApiKey(
  runSql: RunSql,
  username: string,
): Promise<{ apiKey: ApiKey; merchant: Merchant } | null> {
  const [row] = await runSql<RawKeyWithMerchant>(
    `select k.id as key_id, k.name as key_name, k.username, k.secret_hash, k.environment,
            k.created_at as key_created_at, k.last_used_at,
            m.id as merchant_id, m.name as merchant_name, m.email, m.kyc_status, m.callback_url,
            m.webhook_secret_ciphertext, m.created_at as merchant_created_at
       from api_keys k
       join merchants m on m.id = k.merchant_id
      where k.username = ? and k.revoked_at is null`,
    [username],
  );
  if (!row) return null;
  return {
    apiKey: {
      id: row.key_id,
      merchant: row.merchant_id,
      name: row.key_name,
      username: row.username,
      secretHash: row.secret_hash,
      environment: row.environment,
      createdAt: row.key_created_at,
      lastUsedAt: row.last_used_at,
      revokedAt: null,
    },
    merchant: {
      id: row.merchant_id,
      name: row.merchant_name,
      email: row.email,
      kycStatus: row.kyc_status,
      callbackUrl: row.callback_url,
      webhookSecretCiphertext: row.webhook_secret_ciphertext,
      createdAt: row.merchant_created_at,
    },
  };
}

/**
 * Notes that an API key was used now, unless that was already noted within the last minute (the
 * dashboard's "last used" is advisory: the hot endpoints must not each pay a write).
 */
export async function recordApiKeyUse(runSql: RunSql, apiKeyId: number): Promise<void> {
  await runSql(
    `update api_keys set last_used_at = now() where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
    [apiKeyId],
  );
}
