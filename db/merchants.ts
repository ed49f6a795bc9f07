import type { EntityManager } from '@mikro-orm/postgresql';
import { generateApiKey } from '../domain/apiKeySecrets';
import type { ChannelType } from '../domain/payment';
import {
  ApiKeySchema,
  ChannelSchema,
  MerchantSchema,
  type Environment,
  type KycStatus,
  type Merchant,
} from './entities';
import { ensureWallet, topUp } from './ledger';

export interface NewMerchant {
  name: string;
  email: string;
  kycStatus?: KycStatus;
  callbackUrl?: string | null;
}

export async function createMerchant(em: EntityManager, fields: NewMerchant): Promise<number> {
  const merchant = em.create(MerchantSchema, {
    name: fields.name,
    email: fields.email,
    kycStatus: fields.kycStatus ?? 'unverified',
    callbackUrl: fields.callbackUrl ?? null,
  });
  await em.flush();
  await ensureWallet(em, merchant.id);
  return merchant.id;
}

export interface NewChannel {
  merchantId: number;
  accountType: ChannelType;
  accountNumber: string;
  accountReference?: string;
  bankName?: string | null;
  /** For bank channels: the bank's paybill. Tills and paybills push to their own number. */
  partyB?: string;
}

export async function createChannel(em: EntityManager, c: NewChannel): Promise<number> {
  const label = { till: 'Till', paybill: 'Paybill', bank: c.bankName ?? 'Bank' }[c.accountType];
  const channel = em.create(ChannelSchema, {
    merchant: c.merchantId,
    name: `${label} ${c.accountNumber}`,
    accountType: c.accountType,
    accountNumber: c.accountNumber,
    accountReference: c.accountReference ?? c.accountNumber.slice(0, 12),
    bankName: c.bankName ?? null,
    partyB: c.partyB ?? c.accountNumber,
    isActive: true,
  });
  await em.flush();
  return channel.id;
}

export interface IssuedApiKey {
  id: number;
  username: string;
  password: string;
}

/** Creates an API key; the password exists only in the return value. */
export async function issueApiKey(
  em: EntityManager,
  pepper: string,
  merchantId: number,
  name: string,
  environment: Environment = 'sandbox',
): Promise<IssuedApiKey> {
  const key = generateApiKey(pepper, environment);
  const row = em.create(ApiKeySchema, {
    merchant: merchantId,
    name,
    username: key.username,
    secretHash: key.secretHash,
    environment,
  });
  await em.flush();
  return { id: row.id, username: key.username, password: key.password };
}

export { topUp };

/** The merchant with this id, or null. */
export async function merchantById(em: EntityManager, id: number): Promise<Merchant | null> {
  return em.findOne(MerchantSchema, id);
}

/** The merchant as stored now, past the request's identity map; throws when it does not exist. */
export async function freshMerchant(em: EntityManager, merchantId: number): Promise<Merchant> {
  return em.findOneOrFail(MerchantSchema, merchantId, { disableIdentityMap: true });
}
