import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { toCsv } from '../../domain/csv';
import { nairobiDay, nairobiDayBounds, type StatementCredit, type StatementSource } from '../../domain/statementMatch';
import type { Environment } from '../../db/entities';
import { merchantChannel } from '../../db/channels';
import {
  reconcileStatementDay,
  statementReport,
  statementReportLines,
  statementReports,
  type StatementLineRow,
  type StatementReportRow,
} from '../../db/statementReports';
import { readStatementCsv, type StatementLimits } from './statementStream';
import { decodeIdCursor, encodeIdCursor, idParam, limitParam } from './listParams';
import type { ApiCaller } from '../auth';

/** The most Nairobi days one statement may span: a month, reconciled day by day. */
export const STATEMENT_MAX_DAYS = 31;

/** The query of POST /api/reconciliation/statements. */
export const statementUploadQuerySchema = z.object({
  channel_id: idParam('channel_id').describe('Your payment channel (till or paybill) the statement is of'),
});

/** The query of the report lists. */
export const statementListQuerySchema = z.object({
  channel_id: idParam('channel_id').optional().describe('Only reports of this channel'),
  limit: limitParam(50, 200).describe('How many, newest first'),
  cursor: z.string().max(200).optional().describe('The X-Next-Cursor of the previous page'),
});

/** The admin list's query: the merchant list's, and a merchant. */
export const adminStatementListQuerySchema = statementListQuerySchema.extend({
  merchant_id: idParam('merchant_id').optional().describe("Only this merchant's reports"),
});

/** What an upload produced: one report per Nairobi day the statement covers. */
export interface StatementUploadResult {
  reports: StatementReportRow[];
  /** Completed credits read from the statement. */
  credits: number;
  /** Lines that were not completed credits (withdrawals, charges, failed lines). */
  skipped: number;
}

/**
 * Reconciles an uploaded organisation-portal statement of one of the caller's channels: reads it
 * (statementStream.ts: bounded, UTF-8, CSV), then for each Nairobi day from its first credit's to
 * its last credit's, matches that day's credits to the channel's payments in the caller's
 * environment (domain/statementMatch.ts) and stores a report. Errors: 404 `not_found` for a channel
 * that is not the caller's; 400 `validation_failed` for a statement that cannot be read, has no
 * completed credit, or spans more than STATEMENT_MAX_DAYS days. Nothing is stored on any error.
 */
export async function reconcileUploadedStatement(
  em: EntityManager,
  caller: ApiCaller,
  input: { channelId: number; body: Readable; limits?: StatementLimits },
): Promise<StatementUploadResult> {
  const channel = await merchantChannel(em, caller.merchant.id, input.channelId);
  if (!channel) {
    input.body.resume();
    throw new AppError('not_found', `Channel ${input.channelId} was not found`, { field: 'channel_id' });
  }
  const read = await readStatementCsv(input.body, input.limits);
  if (read.credits.length === 0) {
    throw new AppError('validation_failed', 'The statement holds no completed credit (Paid In) to reconcile');
  }
  const days = daysCovered(read.credits);
  const ids: number[] = [];
  for (const day of days) {
    ids.push(
      await reconcileDay(em, {
        merchantId: caller.merchant.id,
        channelId: channel.id,
        environment: caller.environment,
        day,
        credits: read.credits,
        source: 'statement',
        uploadedBy: caller.user?.id ?? null,
        fileSha256: read.sha256,
      }),
    );
  }
  const reports = await Promise.all(ids.map((id) => statementReport(em, id, {})));
  return { reports: reports.filter((r) => r !== null), credits: read.credits.length, skipped: read.skipped };
}

/** Every Nairobi day from the first credit's to the last's; refuses more than STATEMENT_MAX_DAYS. */
function daysCovered(credits: readonly StatementCredit[]): string[] {
  const times = credits.map((c) => c.completedAt.getTime());
  const first = nairobiDay(new Date(Math.min(...times)));
  const last = nairobiDay(new Date(Math.max(...times)));
  const days: string[] = [];
  for (let day = first; day <= last; day = nairobiDay(nairobiDayBounds(day).end)) {
    days.push(day);
    if (days.length > STATEMENT_MAX_DAYS) {
      throw new AppError(
        'validation_failed',
        `The statement spans more than ${STATEMENT_MAX_DAYS} days (${first} to ${last}); upload a month at most`,
      );
    }
  }
  return days;
}

/**
 * Reconciles one channel's Nairobi day against `credits` (any source) and stores the report; answers
 * its id. The seam for every source: an upload calls it per day, and so does a Pull Transactions pull
 * (db/statementReports.ts reconcileStatementDay, which the reconciliation schedule calls too).
 */
export function reconcileDay(
  em: EntityManager,
  input: {
    merchantId: number;
    channelId: number;
    environment: Environment;
    day: string;
    credits: readonly StatementCredit[];
    source: StatementSource;
    uploadedBy: number | null;
    fileSha256: string | null;
  },
): Promise<number> {
  return reconcileStatementDay(em, input);
}

/** A page of reports and the cursor of the next one (null on the last page). */
export interface StatementReportPage {
  reports: StatementReportRow[];
  nextCursor: string | null;
}

async function page(
  em: EntityManager,
  filter: { merchantId?: number; environment?: Environment; channelId?: number },
  query: { limit: number; cursor?: string | undefined },
): Promise<StatementReportPage> {
  let afterId: number | undefined;
  if (query.cursor !== undefined) {
    const id = decodeIdCursor(query.cursor);
    if (id === null)
      throw new AppError('validation_failed', 'cursor is not a cursor of this list', { field: 'cursor' });
    afterId = id;
  }
  const rows = await statementReports(em, { ...filter, afterId, limit: query.limit + 1 });
  const reports = rows.slice(0, query.limit);
  return { reports, nextCursor: rows.length > query.limit ? encodeIdCursor(reports.at(-1)!.id) : null };
}

/** The caller's reports in its environment, newest first. */
export function listMerchantStatementReports(
  em: EntityManager,
  caller: ApiCaller,
  query: z.infer<typeof statementListQuerySchema>,
): Promise<StatementReportPage> {
  return page(
    em,
    { merchantId: caller.merchant.id, environment: caller.environment, channelId: query.channel_id },
    query,
  );
}

/** Every merchant's reports (or one merchant's), newest first, for ImaraPay staff. */
export function listAllStatementReports(
  em: EntityManager,
  query: z.infer<typeof adminStatementListQuerySchema>,
): Promise<StatementReportPage> {
  return page(em, { merchantId: query.merchant_id, channelId: query.channel_id }, query);
}

/** A report with its lines. */
export type StatementReportDetail = StatementReportRow & { lines: StatementLineRow[] };

/**
 * One report with its lines: the caller's own (in its environment) when `caller` is given, any
 * merchant's otherwise (admins). Another merchant's report answers exactly like a missing one (404).
 */
export async function statementReportDetail(
  em: EntityManager,
  caller: ApiCaller | null,
  idText: string,
): Promise<StatementReportDetail> {
  const notFound = new AppError('not_found', `Statement report ${idText} was not found`);
  if (!/^[1-9]\d{0,8}$/.test(idText)) throw notFound;
  const report = await statementReport(
    em,
    Number(idText),
    caller ? { merchantId: caller.merchant.id, environment: caller.environment } : {},
  );
  if (!report) throw notFound;
  return { ...report, lines: await statementReportLines(em, report.id) };
}

/** The columns of a report's CSV download, in order. */
export const STATEMENT_REPORT_CSV_COLUMNS = [
  'class',
  'receipt',
  'completed_at',
  'amount',
  'account_reference',
  'payer',
  'details',
  'transaction_id',
  'payment_amount',
  'payment_status',
  'matched_by',
  'certain',
] as const;

/** A report's lines as a CSV document (domain/csv.ts: RFC 4180, formula-safe), and its file name. */
export function statementReportCsv(report: StatementReportDetail): { fileName: string; csv: string } {
  return {
    fileName: `imarapay-reconciliation-${report.party_b}-${report.day}-${report.id}.csv`,
    csv: toCsv(
      STATEMENT_REPORT_CSV_COLUMNS,
      report.lines.map((l) => [
        l.class,
        l.receipt,
        l.completed_at ? new Date(l.completed_at).toISOString() : null,
        l.amount,
        l.account_reference,
        l.payer,
        l.details,
        l.transaction_id,
        l.payment_amount,
        l.payment_status,
        l.matched_by,
        l.certain,
      ]),
    ),
  };
}
