import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config';
import { verifyApiSecret } from '../domain/apiKeySecrets';
import { ApiKeySchema, MerchantSchema } from './entities';
import { createChannel, createMerchant, issueApiKey, topUp } from './merchants';
import { createOrm } from './orm';
import { channelInitiator, upsertChannelInitiator } from './mpesaRecords';
import { seal } from '../domain/secretBox';

export interface DemoMerchantCredentials {
  base_url: string;
  api_username: string;
  api_password: string;
  account_id: number;
  merchant_id: number;
}

const DEMO_EMAIL = 'demo@imarapay.test';
const DEMO_TILL = '5123456';
const DEMO_WALLET_KES = 1000;
const DEMO_KEY_NAME = 'Demo sandbox key';
/** Where npm start writes the credentials by default; read back so that restarts keep the same key. */
export const DEMO_MERCHANT_FILE = join(__dirname, '..', '.data', 'demo-merchant.json');

/**
 * Makes sure a ready sandbox merchant exists: verified, with a till, a funded wallet and an API key.
 * Idempotent: on a restart the key from the last run (saved in `savedFile`) is reused while it is still valid.
 * With `initiator` (the simulator's, when the sandbox is the simulator), its till gets that Daraja
 * initiator unless it has one already, so that the reconciliation can ask Transaction Status.
 */
export async function ensureDemoMerchant(
  config: Config,
  savedFile: string = DEMO_MERCHANT_FILE,
  initiator?: { name: string; password: string },
): Promise<DemoMerchantCredentials> {
  const orm = await createOrm({ databaseUrl: config.DATABASE_URL, poolSize: 2 });
  try {
    const em = orm.em.fork();
    const baseUrl = `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/api`;
    let merchant = await em.findOne(MerchantSchema, { email: DEMO_EMAIL });
    if (!merchant) {
      const merchantId = await createMerchant(em, { name: 'Demo Duka', email: DEMO_EMAIL, kycStatus: 'verified' });
      await createChannel(em, { merchantId, accountType: 'till', accountNumber: DEMO_TILL });
      await topUp(em, { merchantId, amount: DEMO_WALLET_KES, reference: 'Demo merchant opening balance' });
      merchant = await em.findOneOrFail(MerchantSchema, merchantId);
    }
    const [channel] = await em
      .getConnection()
      .execute<{ id: number }[]>('select id from channels where merchant_id = ? and is_active order by id limit 1', [
        merchant.id,
      ]);

    if (initiator && !(await channelInitiator(em, channel!.id)))
      await upsertChannelInitiator(em, {
        channelId: channel!.id,
        initiatorName: initiator.name,
        passwordSealed: seal(initiator.password, config.WEBHOOK_SECRET_KEY),
      });

    const previous = readPrevious(savedFile);
    if (previous && previous.merchant_id === merchant.id) {
      const key = await em.findOne(ApiKeySchema, { username: previous.api_username, revokedAt: null });
      if (key && verifyApiSecret(config.API_KEY_PEPPER, previous.api_password, key.secretHash)) {
        return { ...previous, base_url: baseUrl, account_id: channel!.id };
      }
    }
    const key = await issueApiKey(em, config.API_KEY_PEPPER, merchant.id, DEMO_KEY_NAME, 'sandbox');
    return {
      base_url: baseUrl,
      api_username: key.username,
      api_password: key.password,
      account_id: channel!.id,
      merchant_id: merchant.id,
    };
  } finally {
    await orm.close();
  }
}

function readPrevious(file: string): DemoMerchantCredentials | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoMerchantCredentials;
  } catch {
    return null;
  }
}
