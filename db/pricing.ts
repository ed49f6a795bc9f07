import type { EntityManager } from '@mikro-orm/postgresql';
import type { FeeTier } from '../domain/pricing';
import { PricingTierSchema } from './entities';

/** The fee schedule, lowest band first, in the public `{ min, max, fee }` shape. */
export async function loadFeeTiers(em: EntityManager): Promise<FeeTier[]> {
  const tiers = await em.find(PricingTierSchema, {}, { orderBy: { minAmount: 'asc' }, disableIdentityMap: true });
  return tiers.map((t) => ({ min: t.minAmount, max: t.maxAmount, fee: t.fee }));
}

/**
 * Replaces the whole fee schedule (whole KES) in one transaction, so a push priced at the same
 * moment sees either the old schedule or the new one, never a mix.
 */
export async function replaceFeeTiers(em: EntityManager, tiers: FeeTier[]): Promise<void> {
  await em.transactional(async (tx) => {
    // Two admins saving at once take turns (a second delete would not see the first one's new rows);
    // readers are not blocked, and see the old schedule until this one commits.
    await tx
      .getConnection()
      .execute('lock table pricing_tiers in share row exclusive mode', [], 'run', tx.getTransactionContext());
    await tx.nativeDelete(PricingTierSchema, {});
    for (const tier of tiers) {
      tx.create(PricingTierSchema, { minAmount: tier.min, maxAmount: tier.max, fee: tier.fee });
    }
  });
}
