import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RouteModule } from '../module';
import { parseInput } from '../../validate';
import { errorResponse } from '../../openapi';

/** The query of GET /api/admin/overview. */
export const overviewQuerySchema = z.object({
  environment: z
    .enum(['sandbox', 'production'], { error: 'environment must be sandbox or production' })
    .optional()
    .describe("Count only this environment's payments (default: both)"),
});

export interface AdminOverview {
  /** The day the figures are for, in Nairobi (YYYY-MM-DD). */
  date: string;
  environment: 'sandbox' | 'production' | 'all';
  payments_today: { pending: number; completed: number; failed: number };
  /** KES paid in completed payments today. */
  volume_today: number;
  /** completed / (completed + failed), 0..1 to four places; null before any payment has ended today. */
  success_rate_today: number | null;
  /** KES of fees on payments completed today. */
  fees_earned_today: number;
  /** Merchants waiting for a KYC review. */
  pending_kyc: number;
  /** Webhook deliveries not yet accepted and still being retried. */
  webhook_backlog: number;
}

// "Today" starts at midnight in Nairobi (UTC+3 all year), whatever the database server's time zone.
const NAIROBI_MIDNIGHT = `(date_trunc('day', now() at time zone 'Africa/Nairobi') at time zone 'Africa/Nairobi')`;

/** Today's figures across all merchants. Only customer payments count (wallet top-ups are not sales). */
export async function adminOverview(em: EntityManager, query: unknown): Promise<AdminOverview> {
  const { environment } = parseInput(overviewQuerySchema, query);
  const connection = em.getConnection();
  const byStatus = await connection.execute<{ status: string; count: string; volume: string; fees: string }[]>(
    `select status, count(*) as count, coalesce(sum(amount), 0) as volume, coalesce(sum(fee), 0) as fees
       from transactions
      where purpose = 'payment' and created_at >= ${NAIROBI_MIDNIGHT} ${environment ? 'and environment = ?' : ''}
      group by status`,
    environment ? [environment] : [],
  );
  const [counts] = await connection.execute<{ date: string; pending_kyc: string; webhook_backlog: string }[]>(
    `select to_char(now() at time zone 'Africa/Nairobi', 'YYYY-MM-DD') as date,
            (select count(*) from merchants where kyc_status = 'pending') as pending_kyc,
            (select count(*) from webhook_deliveries where status = 'pending') as webhook_backlog`,
  );
  // Postgres sums and counts are bigint, which the driver hands over as strings.
  const row = (status: string) => byStatus.find((r) => r.status === status);
  const count = (status: string) => Number(row(status)?.count ?? 0);
  const completed = count('completed');
  const failed = count('failed');
  return {
    date: counts!.date,
    environment: environment ?? 'all',
    payments_today: { pending: count('pending'), completed, failed },
    volume_today: Number(row('completed')?.volume ?? 0),
    success_rate_today:
      completed + failed === 0 ? null : Math.round((completed / (completed + failed)) * 10_000) / 10_000,
    fees_earned_today: Number(row('completed')?.fees ?? 0),
    pending_kyc: Number(counts!.pending_kyc),
    webhook_backlog: Number(counts!.webhook_backlog),
  };
}

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
      ctx.body = await adminOverview(deps.em(), ctx.query);
    },
  });
};
