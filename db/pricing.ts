import type { EntityManager } from '@mikro-orm/postgresql';
import type { FeeTier } from '../domain/pricing';
import { PricingTierSchema } from './entities';

/** The fee schedule, lowest band first, in the public `{ min, max, fee }` shape. */
export async function loadFeeTiers(em: EntityManager): Promise<FeeTier[]> {
  const tiers = await em.find(PricingTierSchema, {}, { orderBy: { minAmount: 'asc' }, disableIdentityMap: true });
  return tiers.map((t) => ({ min: t.minAmount, max: t.maxAmount, fee: t.fee }));
}
