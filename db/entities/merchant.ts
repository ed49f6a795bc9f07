import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

export type KycStatus = 'unverified' | 'pending' | 'verified' | 'rejected';
export type Environment = 'sandbox' | 'production';

/** A business that takes payments through ImaraPay. */
export interface Merchant {
  /** Filled in on insert (`onCreate`), so `em.create` does not ask for it. */
  [OptionalProps]?: 'createdAt';
  id: number;
  name: string;
  email: string;
  kycStatus: KycStatus;
  /** Where payment results are POSTed (Daraja-shaped body); null means no webhook. */
  callbackUrl: string | null;
  /** The webhook signing secret, AES-256-GCM encrypted under WEBHOOK_SECRET_KEY; null until first needed. */
  webhookSecretCiphertext: string | null;
  createdAt: Date;
}

export const MerchantSchema = new EntitySchema<Merchant>({
  name: 'Merchant',
  tableName: 'merchants',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    name: { type: 'string', length: 200 },
    email: { type: 'string', length: 320, unique: true },
    kycStatus: { type: 'string', length: 20, default: 'unverified' },
    callbackUrl: { type: 'text', nullable: true },
    webhookSecretCiphertext: { type: 'text', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});

/** An API credential pair. Only a keyed hash of the secret is kept. */
export interface ApiKey {
  /** Filled in on insert (`onCreate`), so `em.create` does not ask for it. */
  [OptionalProps]?: 'createdAt';
  id: number;
  merchant: number;
  name: string;
  /** The public half of the pair, sent as the Basic-auth username. */
  username: string;
  /** HMAC-SHA256 of the secret under the server's API_KEY_PEPPER, hex. */
  secretHash: string;
  environment: Environment;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const ApiKeySchema = new EntitySchema<ApiKey>({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true, index: true },
    name: { type: 'string', length: 100 },
    username: { type: 'string', length: 64, unique: true },
    secretHash: { type: 'string', length: 64 },
    environment: { type: 'string', length: 20, default: 'sandbox' },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
    lastUsedAt: { type: 'datetime', nullable: true },
    revokedAt: { type: 'datetime', nullable: true },
  },
});
