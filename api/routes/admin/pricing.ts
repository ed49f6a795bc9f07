import { feeSchedule } from '../../useCases/pricing';
import { errorResponse } from '../../openapi/registry';
import { pricingScheduleSchema, replacePricing } from '../../useCases/adminPricing';
import type { RouteModule } from '../module';
import { auditActorOf } from '../../auditActor';
import { parseInput } from '../../validate';
import { z } from 'zod';
import { feeTierSchema } from '../pricing';

const scheduleExample = [
  { min: 1, max: 100, fee: 1 },
  { min: 101, max: 500, fee: 6 },
  { min: 501, max: 250000, fee: 15 },
];

/** GET/PUT /api/admin/pricing: the fee schedule every merchant pays. */
export const adminPricingRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/pricing',
    summary: 'The fee schedule',
    tags: ['Admin: pricing'],
    responses: [
      { status: 200, description: 'Tiers, lowest first', schema: z.array(feeTierSchema), example: scheduleExample },
    ],
    handler: async (ctx) => {
      ctx.body = await feeSchedule(deps.em());
    },
  });

  api.add({
    method: 'put',
    access: 'admin',
    path: '/api/admin/pricing',
    summary: 'Replace the fee schedule',
    description:
      'Replaces every tier at once. Tiers go lowest first, the first starts at 1, each starts the shilling after the previous one ends (no gap, no overlap), and the last reaches 250,000. ' +
      'Pushes priced from now on use the new schedule; pushes already sent keep their fee.',
    tags: ['Admin: pricing'],
    body: pricingScheduleSchema,
    responses: [
      {
        status: 200,
        description: 'The schedule now in force',
        schema: z.array(feeTierSchema),
        example: scheduleExample,
      },
      errorResponse(400, 'validation_failed', 'tier 2 (90–500) overlaps the previous tier: it should start at 101', {
        field: 'tiers',
      }),
    ],
    handler: async (ctx, admin) => {
      const schedule = parseInput(pricingScheduleSchema, ctx.request.body);
      ctx.body = await replacePricing(deps.em(), schedule, auditActorOf(ctx, admin));
    },
  });
};
