import type { Kes } from './money';
import { AppError } from './errors';

/** One fee band as the public docs show it: min..max inclusive costs `fee`. */
export interface FeeTier {
  min: Kes;
  max: Kes;
  fee: Kes;
}

/** The fee for an amount, or undefined when no tier covers it (the amount is outside M-Pesa's limits). */
export function feeFor(amount: Kes, tiers: readonly FeeTier[]): Kes | undefined {
  return tiers.find((t) => amount >= t.min && amount <= t.max)?.fee;
}

/**
 * Checks that tiers start at 1, are sorted, and touch without overlap or gap,
 * so that every valid amount has exactly one fee.
 */
export function validateTiers(tiers: readonly FeeTier[]): void {
  if (tiers.length === 0) throw new AppError('validation_failed', 'At least one pricing tier is required');
  tiers.forEach((tier, i) => {
    const at = `tier ${i + 1} (${tier.min}–${tier.max})`;
    if (![tier.min, tier.max, tier.fee].every(Number.isSafeInteger)) {
      throw new AppError('validation_failed', `${at}: min, max and fee must be whole KES`);
    }
    if (tier.min > tier.max) throw new AppError('validation_failed', `${at}: min is above max`);
    if (tier.fee < 0) throw new AppError('validation_failed', `${at}: fee cannot be negative`);
    const expectedMin = i === 0 ? 1 : tiers[i - 1]!.max + 1;
    if (tier.min !== expectedMin) {
      const problem = tier.min < expectedMin ? 'overlaps the previous tier' : 'leaves a gap after the previous tier';
      throw new AppError('validation_failed', `${at} ${problem}: it should start at ${expectedMin}`);
    }
  });
}
