import { z } from 'zod';
import type { RouteModule } from '../module';
import { parseInput } from '../../validate';
import { errorResponse } from '../../openapi';
import { adminOverview, type AdminOverview } from '../../useCases/adminOverview';
import { count, day, environment, kes } from '../../openapi/responses';

/** The answer of GET /api/admin/overview. */
export const overviewSchema = z.object({
  date: day,
  environment: z.union([environment, z.literal('all')]),
  payments_today: z.object({ pending: count, completed: count, failed: count }),
  volume_today: kes.describe('KES paid in completed payments today'),
  success_rate_today: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe('completed / (completed + failed); null before any payment has ended today'),
  fees_earned_today: kes,
  pending_kyc: count.describe('Merchants waiting for a KYC review'),
  webhook_backlog: count.describe('Webhook deliveries not yet accepted and still being retried'),
});

/** The query of GET /api/admin/overview. */
export const overviewQuerySchema = z.object({
  environment: z
    .enum(['sandbox', 'production'], { error: 'environment must be sandbox or production' })
    .optional()
    .describe("Count only this environment's payments (default: both)"),
});

/** GET /api/admin/overview: today's payments, volume, success rate and fees, and what waits on someone. */
export const adminOverviewRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/overview',
    summary: 'Today at a glance',
    description:
      'Payments started today (Nairobi time) by status, the KES volume and fees of those completed, the success rate (completed / (completed + failed); null when none has ended), ' +
      'merchants waiting for KYC review, and webhook deliveries still pending. Customer payments only: wallet top-ups are not counted.',
    tags: ['Admin'],
    query: overviewQuerySchema,
    responses: [
      {
        status: 200,
        description: "Today's figures",
        schema: overviewSchema,
        example: {
          date: '2024-06-15',
          environment: 'all',
          payments_today: { pending: 3, completed: 120, failed: 8 },
          volume_today: 184_500,
          success_rate_today: 0.9375,
          fees_earned_today: 2_310,
          pending_kyc: 4,
          webhook_backlog: 2,
        } satisfies AdminOverview,
      },
      errorResponse(400, 'validation_failed', 'environment must be sandbox or production', { field: 'environment' }),
    ],
    handler: async (ctx) => {
      ctx.body = await adminOverview(deps.em(), parseInput(overviewQuerySchema, ctx.query));
    },
  });
};
