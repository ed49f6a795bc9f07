import { z } from 'zod';
import { MPESA_MAX_AMOUNT, MPESA_MIN_AMOUNT } from '../../domain/money';
import { errorResponse } from '../openapi/registry';
import { kes } from '../openapi/responses';
import { feeQuote, feeSchedule } from '../useCases/pricing';
import { parseInput } from '../validate';
import type { RouteModule } from './module';

/** One fee tier: amounts from `min` to `max` KES inclusive cost `fee`. */
export const feeTierSchema = z.object({ min: kes, max: kes, fee: kes });

/** The query of GET /api/pricing/fee. */
export const feeQuoteQuerySchema = z.object({
  amount: z.coerce
    .number({ error: 'amount must be a whole number of KES' })
    .int('amount must be a whole number of KES (no decimals)')
    .min(MPESA_MIN_AMOUNT, `amount must be at least KES ${MPESA_MIN_AMOUNT}`)
    .max(MPESA_MAX_AMOUNT, `amount must be at most KES ${MPESA_MAX_AMOUNT.toLocaleString('en-US')}`)
    .describe('The amount of the payment, whole KES'),
});

/** GET /api/pricing: the public fee schedule, `[{ min, max, fee }]`; GET /api/pricing/fee: the fee of one amount. */
export const pricingRoutes: RouteModule = (api, { em }) => {
  api.add({
    method: 'get',
    path: '/api/pricing',
    access: 'public',
    summary: 'The fee schedule',
    description: 'Each tier charges a flat fee for amounts from `min` to `max` KES inclusive.',
    tags: ['Pricing'],
    responses: [
      {
        status: 200,
        description: 'Fee tiers',
        schema: z.array(feeTierSchema),
        example: [
          { min: 1, max: 500, fee: 6 },
          { min: 501, max: 1000, fee: 15 },
        ],
      },
    ],
    handler: async (ctx) => {
      ctx.body = await feeSchedule(em());
    },
  });

  api.add({
    method: 'get',
    path: '/api/pricing/fee',
    access: 'public',
    summary: 'The fee of an amount',
    description:
      'The fee an STK push of `amount` KES is charged now, by the same rule the push itself is priced with (the tier that holds the amount).',
    tags: ['Pricing'],
    query: feeQuoteQuerySchema,
    responses: [
      {
        status: 200,
        description: 'The fee',
        schema: z.object({ amount: kes, fee: kes }),
        example: { amount: 500, fee: 6 },
      },
      errorResponse(400, 'validation_failed', 'amount must be at least KES 1', { field: 'amount' }),
    ],
    handler: async (ctx) => {
      const { amount } = parseInput(feeQuoteQuerySchema, ctx.query);
      ctx.body = await feeQuote(em(), amount);
    },
  });
};
