import { feeSchedule } from '../useCases/pricing';
import type { RouteModule } from './module';

/** GET /api/pricing: the public fee schedule, `[{ min, max, fee }]`. */
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
};
