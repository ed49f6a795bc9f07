import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parseInput } from '../validate';

export const paymentsPerMinuteQuerySchema = z.object({
  minutes: z.coerce.number({ error: 'minutes must be 5 to 1440' }).int().min(5, { error: 'minutes must be 5 to 1440' }).max(1440, { error: 'minutes must be 5 to 1440' }).default(60).describe('How far back, in minutes (default 60)'),
});

/** One minute of customer payments, by how they stand now. */
export interface MinuteOfPayments {
  minute: string;
  completed: number;
  failed: number;
  pending: number;
}

/**
 * GET /api/admin/overview/payments-per-minute: customer payments started in each of the last
 * `minutes` minutes, by outcome, every minute present (zeros included) so a chart needs no gaps filled.
 */
export async function paymentsPerMinute(em: EntityManager, query: unknown): Promise<MinuteOfPayments[]> {
  const { minutes } = parseInput(paymentsPerMinuteQuerySchema, query);
  const rows = await em.getConnection().execute<{ minute: string; completed: string; failed: string; pending: string }[]>(
    `select to_char(m.minute at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:00"Z"') as minute,
            count(t.id) filter (where t.status = 'completed') as completed,
            count(t.id) filter (where t.status = 'failed') as failed,
            count(t.id) filter (where t.status = 'pending') as pending
       from generate_series(date_trunc('minute', now()) - make_interval(mins => ? - 1), date_trunc('minute', now()), interval '1 minute') as m(minute)
       left join transactions t on t.purpose = 'payment' and t.created_at >= m.minute and t.created_at < m.minute + interval '1 minute'
      group by m.minute order by m.minute`,
    [minutes],
  );
  // Postgres counts are bigint, which the driver hands over as strings.
  return rows.map((r) => ({ minute: r.minute, completed: Number(r.completed), failed: Number(r.failed), pending: Number(r.pending) }));
}
