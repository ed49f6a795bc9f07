import type { EntityManager } from '@mikro-orm/postgresql';
import type { Environment } from '../../db/entities';
import { overviewFigures } from '../../db/overviewFigures';

export interface AdminOverview {
  /** The day the figures are for, in Nairobi (YYYY-MM-DD). */
  date: string;
  environment: Environment | 'all';
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

/** Today's figures across all merchants, in one environment or (undefined) both. */
export async function adminOverview(em: EntityManager, input: { environment?: Environment }): Promise<AdminOverview> {
  const figures = await overviewFigures(em, input.environment);
  const row = (status: string) => figures.byStatus.find((r) => r.status === status);
  const count = (status: string) => row(status)?.count ?? 0;
  const completed = count('completed');
  const failed = count('failed');
  return {
    date: figures.date,
    environment: input.environment ?? 'all',
    payments_today: { pending: count('pending'), completed, failed },
    volume_today: row('completed')?.volume ?? 0,
    success_rate_today:
      completed + failed === 0 ? null : Math.round((completed / (completed + failed)) * 10_000) / 10_000,
    fees_earned_today: row('completed')?.fees ?? 0,
    pending_kyc: figures.pendingKyc,
    webhook_backlog: figures.webhookBacklog,
  };
}
