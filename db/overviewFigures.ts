import type { EntityManager } from '@mikro-orm/postgresql';
import type { Environment } from './entities';

/** Today's raw counts for the staff overview; sums and counts are whole numbers (KES for money). */
export interface OverviewFigures {
  /** The day the figures are for, in Nairobi (YYYY-MM-DD). */
  date: string;
  /** Customer payments started today, by status: how many, the KES paid and the KES of fees. */
  byStatus: { status: string; count: number; volume: number; fees: number }[];
  pendingKyc: number;
  webhookBacklog: number;
}

// "Today" starts at midnight in Nairobi (UTC+3 all year), whatever the database server's time zone.
const NAIROBI_MIDNIGHT = `(date_trunc('day', now() at time zone 'Africa/Nairobi') at time zone 'Africa/Nairobi')`;

/**
 * Today's figures across all merchants, in one environment or (undefined) both. Only customer
 * payments count: wallet top-ups are not sales.
 */
export async function overviewFigures(em: EntityManager, environment?: Environment): Promise<OverviewFigures> {
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
  return {
    date: counts!.date,
    byStatus: byStatus.map((r) => ({
      status: r.status,
      count: Number(r.count),
      volume: Number(r.volume),
      fees: Number(r.fees),
    })),
    pendingKyc: Number(counts!.pending_kyc),
    webhookBacklog: Number(counts!.webhook_backlog),
  };
}

/** One minute of customer payments, by how they stand now. */
export interface MinuteOfPayments {
  /** The minute's start, UTC (YYYY-MM-DDTHH:MM:00Z). */
  minute: string;
  completed: number;
  failed: number;
  pending: number;
}

/** Customer payments started in each of the last `minutes` minutes, every minute present (zeros included). */
export async function paymentsByMinute(em: EntityManager, minutes: number): Promise<MinuteOfPayments[]> {
  const rows = await em
    .getConnection()
    .execute<{ minute: string; completed: string; failed: string; pending: string }[]>(
      `select to_char(m.minute at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:00"Z"') as minute,
            count(t.id) filter (where t.status = 'completed') as completed,
            count(t.id) filter (where t.status = 'failed') as failed,
            count(t.id) filter (where t.status = 'pending') as pending
       from generate_series(date_trunc('minute', now()) - make_interval(mins => ? - 1), date_trunc('minute', now()),
                            interval '1 minute') as m(minute)
       left join transactions t on t.purpose = 'payment'
                               and t.created_at >= m.minute and t.created_at < m.minute + interval '1 minute'
      group by m.minute order by m.minute`,
      [minutes],
    );
  // Postgres counts are bigint, which the driver hands over as strings.
  return rows.map((r) => ({
    minute: r.minute,
    completed: Number(r.completed),
    failed: Number(r.failed),
    pending: Number(r.pending),
  }));
}
