import { EntitySchema } from '@mikro-orm/core';

/** One band of the fee schedule: a payment of min..max KES (inclusive) costs `fee` KES. */
export interface PricingTier {
  id: number;
  minAmount: number;
  maxAmount: number;
  fee: number;
}

export const PricingTierSchema = new EntitySchema<PricingTier>({
  name: 'PricingTier',
  tableName: 'pricing_tiers',
  checks: [
    { name: 'pricing_tiers_range_valid', expression: 'min_amount >= 1 and max_amount >= min_amount' },
    { name: 'pricing_tiers_fee_not_negative', expression: 'fee >= 0' },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    minAmount: { type: 'integer', unique: true },
    maxAmount: { type: 'integer' },
    fee: { type: 'integer' },
  },
});
