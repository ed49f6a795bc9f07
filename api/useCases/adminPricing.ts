import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { MPESA_MAX_AMOUNT } from '../../domain/money';
import { validateTiers, type FeeTier } from '../../domain/pricing';
import { loadFeeTiers, replaceFeeTiers } from '../../db/pricing';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import type { AuditActor } from '../../domain/audit';
import { sessionBeside } from '../../db/orm';

/** Pricing columns are Postgres `integer`s. */
const MAX_PRICING_KES = 2_147_483_647;
const kes = (what: string) =>
  z
    .number({ error: `${what} must be a whole number of KES` })
    .int(`${what} must be a whole number of KES`)
    .max(MAX_PRICING_KES, `${what} must be at most KES ${MAX_PRICING_KES.toLocaleString('en-US')}`);

/** The body of PUT /api/admin/pricing: the whole new schedule. */
export const pricingScheduleSchema = z.object({
  tiers: z
    .array(z.object({ min: kes('min'), max: kes('max'), fee: kes('fee').min(0, 'fee cannot be negative') }), {
      error: 'tiers must be a list of { min, max, fee }',
    })
    .min(1, 'tiers must hold at least one tier')
    .max(100, 'tiers may hold at most 100 tiers'),
});

/**
 * PUT /api/admin/pricing: replaces the whole fee schedule in one database transaction, so a push
 * priced at the same moment sees either the old schedule or the new one, never a mix. The new
 * schedule must start at KES 1, leave no gap or overlap, and reach M-Pesa's maximum, so that
 * every amount a merchant may push has exactly one fee. The audit log records the old and the new
 * schedule (`pricing.replaced`) in the same transaction.
 */
export async function replacePricing(
  em: EntityManager,
  { tiers }: { tiers: FeeTier[] },
  actor: AuditActor,
): Promise<FeeTier[]> {
  // Validated in the order given, lowest band first, so "tier 3" in an error is the third one sent.
  try {
    validateTiers(tiers);
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, err.message, { field: 'tiers' });
    throw err;
  }
  const last = tiers[tiers.length - 1]!;
  if (last.max < MPESA_MAX_AMOUNT) {
    throw new AppError(
      'validation_failed',
      `The last tier ends at ${last.max}: the schedule must reach KES ${MPESA_MAX_AMOUNT.toLocaleString('en-US')} (M-Pesa's limit), or larger payments would have no fee`,
      { field: 'tiers' },
    );
  }
  await withAudit(em, async (tx) => {
    const before = await loadFeeTiers(tx);
    await replaceFeeTiers(tx, tiers);
    await appendAuditEvent(tx, {
      ...actor,
      merchantId: null,
      action: 'pricing.replaced',
      subjectType: 'pricing',
      subjectId: null,
      details: { before, after: tiers },
    });
  });
  return loadFeeTiers(sessionBeside(em));
}
