import type { EntityManager } from '@mikro-orm/postgresql';
import type { Environment } from './entities';
import type {
  MatchedBy,
  StatementLine,
  StatementLineClass,
  StatementPayment,
  StatementSource,
} from '../domain/statementMatch';
import {
  countByClass,
  MATCH_WINDOW_AFTER_MS,
  MATCH_WINDOW_BEFORE_MS,
  matchStatementDay,
  nairobiDayBounds,
  type StatementCredit,
} from '../domain/statementMatch';

/** A channel's payments whose push or completion falls within [from, to), for matching. */
export async function channelPaymentsBetween(
  em: EntityManager,
  { channelId, environment, from, to }: { channelId: number; environment: Environment; from: Date; to: Date },
): Promise<StatementPayment[]> {
  const rows = await em.getConnection().execute<
    {
      id: number;
      status: StatementPayment['status'];
      amount: number;
      mpesa_receipt: string | null;
      account_reference: string;
      created_at: Date;
      completed_at: Date | null;
      mpesa_transaction_date: string | null;
    }[]
  >(
    `select id, status, amount, mpesa_receipt, account_reference, created_at, completed_at, mpesa_transaction_date
       from transactions
      where channel_id = ? and environment = ? and purpose = 'payment'
        and ((created_at >= ? and created_at < ?) or (completed_at >= ? and completed_at < ?))
      order by id`,
    [channelId, environment, from, to, from, to],
  );
  return rows.map((r) => ({
    transactionId: r.id,
    status: r.status,
    amount: r.amount,
    receipt: r.mpesa_receipt,
    accountReference: r.account_reference,
    createdAt: new Date(r.created_at),
    completedAt: mpesaTime(r.mpesa_transaction_date) ?? (r.completed_at ? new Date(r.completed_at) : null),
  }));
}

/** M-Pesa's TransactionDate (YYYYMMDDHHmmss, Nairobi time) as an instant; null when absent or malformed. */
function mpesaTime(text: string | null): Date | null {
  const m = text ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text) : null;
  if (!m) return null;
  const at = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}+03:00`);
  return Number.isNaN(at.getTime()) ? null : at;
}

export interface NewStatementReport {
  merchantId: number;
  channelId: number;
  environment: Environment;
  day: string;
  source: StatementSource;
  uploadedBy: number | null;
  fileSha256: string | null;
  ignored: number;
  lines: StatementLine[];
}

/** Stores a report and its lines in one transaction; answers the report's id. */
export async function storeStatementReport(em: EntityManager, report: NewStatementReport): Promise<number> {
  const counts = countByClass(report.lines);
  return em.transactional(async (tx) => {
    const conn = tx.getConnection();
    const [row] = await conn.execute<{ id: number }[]>(
      `insert into statement_reports (merchant_id, channel_id, environment, day, source, uploaded_by, file_sha256,
              matched, mpesa_only, imarapay_only, amount_differs, ignored)
       values (?, ?, ?, ?::date, ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      [
        report.merchantId,
        report.channelId,
        report.environment,
        report.day,
        report.source,
        report.uploadedBy,
        report.fileSha256,
        counts.matched,
        counts.mpesa_only,
        counts.imarapay_only,
        counts.amount_differs,
        report.ignored,
      ],
    );
    const id = row!.id;
    // Inserted in slices so that no statement exceeds Postgres' 65 535 parameters.
    for (let i = 0; i < report.lines.length; i += 1000) {
      const slice = report.lines.slice(i, i + 1000);
      await conn.execute(
        `insert into statement_report_lines (report_id, class, receipt, completed_at, amount, account_reference, payer,
                details, transaction_id, payment_amount, payment_status, matched_by, certain)
         values ${slice.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        slice.flatMap((l) => [
          id,
          l.class,
          l.credit?.receipt ?? l.payment?.receipt ?? null,
          l.credit?.completedAt ?? null,
          l.credit?.amount ?? null,
          l.credit?.accountReference ?? null,
          l.credit?.payer ?? null,
          l.credit?.details ?? null,
          l.payment?.transactionId ?? null,
          l.payment?.amount ?? null,
          l.payment?.status ?? null,
          l.matchedBy,
          l.certain,
        ]),
      );
    }
    return id;
  });
}

/**
 * Reconciles one channel's Nairobi day against `credits` (any source): reads the channel's payments
 * around the day, matches them (domain/statementMatch.ts) and stores the report; answers its id.
 */
export async function reconcileStatementDay(
  em: EntityManager,
  input: Omit<NewStatementReport, 'ignored' | 'lines'> & { credits: readonly StatementCredit[] },
): Promise<number> {
  const { start, end } = nairobiDayBounds(input.day);
  // A push up to 10 min before midnight may be credited after it, and one just before a credit
  // may carry a clock a little ahead: the payments read reach that far either side.
  const payments = await channelPaymentsBetween(em, {
    channelId: input.channelId,
    environment: input.environment,
    from: new Date(start.getTime() - MATCH_WINDOW_AFTER_MS),
    to: new Date(end.getTime() + MATCH_WINDOW_BEFORE_MS),
  });
  const result = matchStatementDay({ day: input.day, credits: input.credits, payments });
  return storeStatementReport(em, {
    merchantId: input.merchantId,
    channelId: input.channelId,
    environment: input.environment,
    day: input.day,
    source: input.source,
    uploadedBy: input.uploadedBy,
    fileSha256: input.fileSha256,
    ignored: result.ignored.length,
    lines: result.lines,
  });
}

/** A channel, in one environment, whose day has no Pull Transactions report yet. */
export interface ChannelToPull {
  channelId: number;
  merchantId: number;
  environment: Environment;
  /** The till or paybill Pull Transactions lists credits of. */
  partyB: string;
}

/**
 * The channels (per environment) with payments created or completed on Nairobi day `day` that have no
 * `pull_transactions` report of that day yet, at most `limit`.
 */
export async function channelsWithoutPullReport(
  em: EntityManager,
  { day, limit }: { day: string; limit: number },
): Promise<ChannelToPull[]> {
  const { start, end } = nairobiDayBounds(day);
  const rows = await em
    .getConnection()
    .execute<{ channel_id: number; merchant_id: number; environment: Environment; party_b: string }[]>(
      `select distinct t.channel_id, t.merchant_id, t.environment, c.party_b
       from transactions t join channels c on c.id = t.channel_id
      where t.purpose = 'payment'
        and ((t.created_at >= ? and t.created_at < ?) or (t.completed_at >= ? and t.completed_at < ?))
        and not exists (select 1 from statement_reports r
                         where r.channel_id = t.channel_id and r.environment = t.environment
                           and r.day = ?::date and r.source = 'pull_transactions')
      order by t.channel_id, t.environment limit ?`,
      [start, end, start, end, day, limit],
    );
  return rows.map((r) => ({
    channelId: r.channel_id,
    merchantId: r.merchant_id,
    environment: r.environment,
    partyB: r.party_b,
  }));
}

/** A report as lists show it. */
export interface StatementReportRow {
  id: number;
  merchant_id: number;
  business_name: string;
  channel_id: number;
  channel_name: string;
  party_b: string;
  environment: Environment;
  day: string;
  source: StatementSource;
  matched: number;
  mpesa_only: number;
  imarapay_only: number;
  amount_differs: number;
  ignored: number;
  created_at: Date;
  /** Whether a newer report of the same channel and day replaced this one. */
  superseded: boolean;
}

const REPORT_COLUMNS = `r.id, r.merchant_id, m.name as business_name, r.channel_id, c.name as channel_name, c.party_b, r.environment,
  r.day::text as day, r.source, r.matched, r.mpesa_only, r.imarapay_only, r.amount_differs, r.ignored, r.created_at,
  exists (select 1 from statement_reports n where n.channel_id = r.channel_id and n.day = r.day
          and n.environment = r.environment and n.id > r.id) as superseded`;
const REPORT_FROM = `statement_reports r join merchants m on m.id = r.merchant_id join channels c on c.id = r.channel_id`;

/** Reports newest first (by id), one merchant's or (merchantId undefined) everyone's, after `afterId`. */
export async function statementReports(
  em: EntityManager,
  filter: { merchantId?: number; environment?: Environment; channelId?: number; afterId?: number; limit: number },
): Promise<StatementReportRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    where.push(sql);
    params.push(value);
  };
  if (filter.merchantId !== undefined) add('r.merchant_id = ?', filter.merchantId);
  if (filter.environment !== undefined) add('r.environment = ?', filter.environment);
  if (filter.channelId !== undefined) add('r.channel_id = ?', filter.channelId);
  if (filter.afterId !== undefined) add('r.id < ?', filter.afterId);
  const rows = await em.getConnection().execute<StatementReportRow[]>(
    `select ${REPORT_COLUMNS} from ${REPORT_FROM} ${where.length ? `where ${where.join(' and ')}` : ''}
        order by r.id desc limit ?`,
    [...params, filter.limit],
  );
  return rows.map(reportWithDate);
}

/** The driver answers timestamptz as Postgres text (`2026-12-08 06:12:00+00`): a Date, as the row says. */
const reportWithDate = (row: StatementReportRow): StatementReportRow => ({
  ...row,
  created_at: new Date(row.created_at),
});

/** One report, only when it belongs to `merchantId` (undefined: any merchant's, for admins). */
export async function statementReport(
  em: EntityManager,
  id: number,
  scope: { merchantId?: number; environment?: Environment },
): Promise<StatementReportRow | null> {
  const rows = await em.getConnection().execute<StatementReportRow[]>(
    `select ${REPORT_COLUMNS} from ${REPORT_FROM} where r.id = ?
        ${scope.merchantId !== undefined ? 'and r.merchant_id = ?' : ''}
        ${scope.environment !== undefined ? 'and r.environment = ?' : ''}`,
    [
      id,
      ...(scope.merchantId !== undefined ? [scope.merchantId] : []),
      ...(scope.environment !== undefined ? [scope.environment] : []),
    ],
  );
  return rows[0] ? reportWithDate(rows[0]) : null;
}

/** A report's line as the API shows it. */
export interface StatementLineRow {
  class: StatementLineClass;
  receipt: string | null;
  completed_at: Date | null;
  amount: number | null;
  account_reference: string | null;
  payer: string | null;
  details: string | null;
  transaction_id: number | null;
  payment_amount: number | null;
  payment_status: string | null;
  matched_by: MatchedBy | null;
  certain: boolean;
}

/** A report's lines in their stored order (credits by time, then ImaraPay-only payments). */
export async function statementReportLines(em: EntityManager, reportId: number): Promise<StatementLineRow[]> {
  const rows = await em.getConnection().execute<StatementLineRow[]>(
    `select class, receipt, completed_at, amount, account_reference, payer, details, transaction_id, payment_amount,
              payment_status, matched_by, certain
         from statement_report_lines where report_id = ? order by id`,
    [reportId],
  );
  return rows.map((row) => ({ ...row, completed_at: row.completed_at === null ? null : new Date(row.completed_at) }));
}

/** Unmatched lines of the standing reports (the newest per channel, environment and day) since `sinceDay`. */
export interface OpenStatementLine {
  line_id: number;
  class: Exclude<StatementLineClass, 'matched'>;
  transaction_id: number | null;
  payment_status: string | null;
  certain: boolean;
}

/** The standing reports' unmatched lines of the days from `sinceDay` (YYYY-MM-DD) on, oldest first, at most `limit`. */
export async function openStatementLines(
  em: EntityManager,
  sinceDay: string,
  limit: number,
): Promise<OpenStatementLine[]> {
  return em.getConnection().execute<OpenStatementLine[]>(
    `select l.id as line_id, l.class, l.transaction_id, l.payment_status, l.certain
       from statement_report_lines l join statement_reports r on r.id = l.report_id
      where r.day >= ?::date and l.class <> 'matched'
        and not exists (select 1 from statement_reports n where n.channel_id = r.channel_id and n.day = r.day
                          and n.environment = r.environment and n.id > r.id)
      order by l.id limit ?`,
    [sinceDay, limit],
  );
}

/** What the reconciliation's daily pull reads and writes (bound to the worker's ORM by db/workerDatabase.ts). */
export const statementPullStatements = { channelsWithoutPullReport, reconcileStatementDay };
