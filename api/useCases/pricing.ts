import type { EntityManager } from '@mikro-orm/postgresql';
import type { FeeTier } from '../../domain/pricing';
import { loadFeeTiers } from '../../db/pricing';
import { feeCovering } from './paymentGuard';

/** GET /api/pricing (and its admin twin): the fee schedule, lowest band first, amounts in whole KES. */
export async function feeSchedule(em: EntityManager): Promise<FeeTier[]> {
  return loadFeeTiers(em);
}

/**
 * GET /api/pricing/fee: the KES fee a push of `amount` KES is charged now, by the payment guard's
 * own rule (feeCovering). Throws `validation_failed` (field `amount`) when no tier covers it.
 */
export async function feeQuote(em: EntityManager, amount: number): Promise<{ amount: number; fee: number }> {
  return { amount, fee: feeCovering(amount, await loadFeeTiers(em)) };
}
