import type { EntityManager } from '@mikro-orm/postgresql';
import { MerchantSchema } from './entities';

/** Sets (or, with null, clears) the URL the merchant's payment results are POSTed to. */
export async function setCallbackUrl(em: EntityManager, merchantId: number, callbackUrl: string | null): Promise<void> {
  await em.nativeUpdate(MerchantSchema, { id: merchantId }, { callbackUrl });
}

/** The merchant's callback URL as stored now (null when webhooks are off), locked until the transaction ends. */
export async function callbackUrlForUpdate(em: EntityManager, merchantId: number): Promise<string | null> {
  const [row] = await em
    .getConnection()
    .execute<{ callback_url: string | null }[]>(
      'select callback_url from merchants where id = ? for update',
      [merchantId],
      'all',
      em.getTransactionContext(),
    );
  return row?.callback_url ?? null;
}
