import type { EntityManager } from '@mikro-orm/postgresql';
import { MerchantSchema } from './entities';

/** Sets (or, with null, clears) the URL the merchant's payment results are POSTed to. */
export async function setCallbackUrl(em: EntityManager, merchantId: number, callbackUrl: string | null): Promise<void> {
  await em.nativeUpdate(MerchantSchema, { id: merchantId }, { callbackUrl });
}
