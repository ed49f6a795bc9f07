import type { EntityManager } from '@mikro-orm/postgresql';
import type { FeeTier } from '../../domain/pricing';
import { loadFeeTiers } from '../../db/pricing';

/** GET /api/pricing (and its admin twin): the fee schedule, lowest band first, amounts in whole KES. */
export async function feeSchedule(em: EntityManager): Promise<FeeTier[]> {
  return loadFeeTiers(em);
}
