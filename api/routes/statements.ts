import type { Context } from 'koa';
import { AppError } from '../../domain/errors';
import { rateLimitKeys } from '../rateLimits';
import { errorResponse } from '../openapi';
import { NEXT_CURSOR_HEADER } from '../useCases/listParams';
import { parseInput } from '../validate';
import {
  STATEMENT_MAX_DAYS,
  STATEMENT_REPORT_CSV_COLUMNS,
  listMerchantStatementReports,
  reconcileUploadedStatement,
  statementListQuerySchema,
  statementReportCsv,
  statementReportDetail,
  statementUploadQuerySchema,
  type StatementReportDetail,
} from '../useCases/statementReconciliation';
import { STATEMENT_MAX_BYTES, STATEMENT_MAX_ROWS } from '../useCases/statementStream';
import { reconcileMerchantPull, statementPullSchema } from '../useCases/statementPull';
import type { RouteModule } from './module';
import { z } from 'zod';
import {
  count,
  day,
  environment,
  id,
  kes,
  matchedBy,
  statementLineClass,
  statementSource,
  timestamp,
} from '../openapi/responses';

/** A statement reconciliation report with its counts of lines per class. */
export const statementReportSchema = z.object({
  id,
  merchant_id: id,
  business_name: z.string(),
  channel_id: id,
  channel_name: z.string(),
  party_b: z.string(),
  environment,
  day,
  source: statementSource,
  matched: count,
  mpesa_only: count,
  imarapay_only: count,
  amount_differs: count,
  ignored: count,
  created_at: timestamp,
  superseded: z.boolean().describe('Whether a newer report of the same channel and day replaced this one'),
});

/** The answer of a Pull Transactions reconciliation: the day's report and what M-Pesa listed. */
export const statementPullResultSchema = z.object({
  report: statementReportSchema,
  credits: count.describe("Credits M-Pesa listed for the channel's shortcode on the day"),
  unreadable: count.describe(
    'Listed rows that could not be read (no time, a fraction of a shilling): counted, never matched',
  ),
});

/** A report with its lines. */
export const statementReportDetailSchema = statementReportSchema.extend({
  lines: z.array(
    z.object({
      class: statementLineClass,
      receipt: z.string().nullable(),
      completed_at: timestamp.nullable(),
      amount: kes.nullable(),
      account_reference: z.string().nullable(),
      payer: z.string().nullable().describe('As M-Pesa shows it: masked'),
      details: z.string().nullable(),
      transaction_id: id.nullable(),
      payment_amount: kes.nullable(),
      payment_status: z.string().nullable(),
      matched_by: matchedBy.nullable(),
      certain: z.boolean(),
    }),
  ),
});

/** A report as the examples show it. */
export const REPORT_EXAMPLE = {
  id: 12,
  merchant_id: 3,
  business_name: 'Acme Shop',
  channel_id: 5,
  channel_name: 'Main till',
  party_b: '174379',
  environment: 'production',
  day: '2026-12-07',
  source: 'statement',
  matched: 41,
  mpesa_only: 1,
  imarapay_only: 0,
  amount_differs: 0,
  ignored: 0,
  created_at: '2026-12-08T06:12:00.000Z',
  superseded: false,
};

/** A report with its lines, as the examples show it. */
export const REPORT_DETAIL_EXAMPLE = {
  ...REPORT_EXAMPLE,
  lines: [
    {
      class: 'matched',
      receipt: 'UL7A1B2C3D',
      completed_at: '2026-12-07T07:00:30.000Z',
      amount: 1250,
      account_reference: 'SHOP1',
      payer: '2547******678 - J*** D**',
      details: 'Pay Bill Online',
      transaction_id: 1042,
      payment_amount: 1250,
      payment_status: 'completed',
      matched_by: 'receipt',
      certain: true,
    },
    {
      class: 'mpesa_only',
      receipt: 'UL7E5F6G7H',
      completed_at: '2026-12-07T09:14:02.000Z',
      amount: 500,
      account_reference: 'SHOP1',
      payer: '2547******123',
      details: 'Pay Bill Online',
      transaction_id: 1057,
      payment_amount: 500,
      payment_status: 'failed',
      matched_by: 'amount_reference_time',
      certain: true,
    },
  ],
};

export const CLASSES_TEXT =
  'Each line is `matched` (credited by M-Pesa, reported completed by ImaraPay, same amount), `mpesa_only` ' +
  '(credited by M-Pesa, but ImaraPay reported the payment failed, still has it pending or in review, or never pushed it), ' +
  '`imarapay_only` (reported completed by ImaraPay, never credited that day) or `amount_differs` (the same receipt, ' +
  'different amounts). `matched_by` says how the credit found its payment: `receipt`, or `amount_reference_time` ' +
  '(same amount and account reference, completed within 10 minutes of the push) for payments whose receipt ImaraPay ' +
  'never learnt; `certain` is false when another payment or credit could have been the one.';

export const PULL_TEXT =
  "Asks M-Pesa's own record (Daraja Pull Transactions: the shortcode is registered once, then queried page by page) " +
  "for every credit to the channel's till or paybill on one Nairobi day, and reconciles them through the same matcher " +
  'and report as an uploaded statement (`source: pull_transactions`); a day reconciled again gets a new report that ' +
  "supersedes the old. M-Pesa lists only the last 48 hours: today and yesterday can be pulled (today's report covers " +
  'the credits so far); older days are reconciled from the uploaded statement. The payer (msisdn) is shown but never ' +
  `used to match. ${CLASSES_TEXT}`;

/** A pull's answer, as the examples show it. */
export const PULL_EXAMPLE = {
  report: { ...REPORT_EXAMPLE, source: 'pull_transactions' },
  credits: 42,
  unreadable: 0,
};

export const pullUnavailable = errorResponse(
  503,
  'daraja_unavailable',
  "M-Pesa's Pull Transactions did not answer: Daraja pull_query refused",
  {},
  'Daraja is not configured for the environment, refused, or could not be reached; nothing was stored',
);

export const reportNotFound = errorResponse(
  404,
  'not_found',
  'Statement report 12 was not found',
  {},
  "No such report among yours (another merchant's answers the same)",
);

/** Sends a report's lines as a CSV attachment. */
export function sendReportCsv(ctx: Context, report: StatementReportDetail): void {
  const { fileName, csv } = statementReportCsv(report);
  ctx.set('Content-Disposition', `attachment; filename="${fileName}"`);
  ctx.type = 'text/csv; charset=utf-8';
  ctx.body = csv;
}

export const CSV_RESPONSE = {
  status: 200,
  description: 'text/csv attachment',
  mediaType: 'text/csv',
  example: `${STATEMENT_REPORT_CSV_COLUMNS.join(',')}\r\nmatched,UL7A1B2C3D,2026-12-07T07:00:30.000Z,1250,SHOP1,2547******678 - J*** D**,Pay Bill Online,1042,1250,completed,receipt,true\r\n`,
};

/** Statement reconciliation for merchants: upload an M-Pesa statement, read and download the reports. */
export const statementRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'post',
    access: 'merchant',
    path: '/api/reconciliation/statements',
    rawBody: true,
    summary: 'Upload an M-Pesa statement to reconcile',
    description:
      "The body is the M-Pesa organisation portal's statement export, as is (`Content-Type: text/csv`, UTF-8): rows above " +
      'its header are skipped; the header names its columns (Receipt No., Completion Time, Initiation Time, Details, ' +
      'Transaction Status, Paid In, Withdrawn, Balance, Balance Confirmed, Reason Type, Other Party Info, Linked ' +
      'Transaction ID, A/C No.; Receipt No., Completion Time, Transaction Status and Paid In are required). Every ' +
      '`Completed` line with Paid In > 0 is a credit; amounts such as `1,250.00` are whole KES (a fraction is refused); ' +
      'times are Nairobi time (`YYYY-MM-DD HH:mm:ss` or `DD-MM-YYYY HH:mm:ss`). ' +
      `At most ${STATEMENT_MAX_BYTES / 1024 / 1024} MB, ${STATEMENT_MAX_ROWS.toLocaleString('en')} rows and ` +
      `${STATEMENT_MAX_DAYS} days. One report is stored per Nairobi day from the first credit's to the last's, ` +
      'against the payments of `channel_id` in the environment you act in; a day reconciled again gets a new report ' +
      `that supersedes the old. ${CLASSES_TEXT} The payer (Other Party Info) is shown but never used to match: M-Pesa masks it. ` +
      'At most 20 uploads per merchant every 10 minutes.',
    tags: ['Reconciliation'],
    query: statementUploadQuerySchema,
    rateLimits: [{ policy: 'statementUploadsPerMerchant', key: rateLimitKeys.merchant }],
    responses: [
      {
        status: 201,
        description: 'The reports, one per day',
        schema: z.object({
          reports: z.array(statementReportSchema),
          credits: count.describe('Completed credits read from the statement'),
          skipped: count.describe('Lines that were not completed credits (withdrawals, charges, failed lines)'),
        }),
        example: { reports: [REPORT_EXAMPLE], credits: 42, skipped: 3 },
      },
      errorResponse(400, 'validation_failed', 'Row 7: Paid In 10.50 is not whole shillings', { row: 7 }),
      errorResponse(404, 'not_found', 'Channel 5 was not found', { field: 'channel_id' }),
    ],
    handler: async (ctx, caller) => {
      const query = parseInput(statementUploadQuerySchema, ctx.query);
      if (ctx.is('multipart/form-data', 'application/json', 'application/x-www-form-urlencoded')) {
        ctx.req.resume();
        throw new AppError(
          'validation_failed',
          'Send the statement file itself as the body, with Content-Type: text/csv',
          { field: 'body' },
        );
      }
      ctx.status = 201;
      ctx.body = await reconcileUploadedStatement(deps.em(), caller, { channelId: query.channel_id, body: ctx.req });
    },
  });

  api.add({
    method: 'post',
    access: 'merchant',
    path: '/api/reconciliation/pulls',
    summary: "Reconcile a day against M-Pesa's Pull Transactions",
    description: `${PULL_TEXT} Against the payments of \`channel_id\` in the environment you act in. Shares the statement uploads' limit of 20 per merchant every 10 minutes.`,
    tags: ['Reconciliation'],
    body: statementPullSchema,
    rateLimits: [{ policy: 'statementUploadsPerMerchant', key: rateLimitKeys.merchant }],
    responses: [
      { status: 201, description: "The day's report", schema: statementPullResultSchema, example: PULL_EXAMPLE },
      errorResponse(400, 'validation_failed', "M-Pesa's Pull Transactions lists only the last 48 hours", {
        field: 'day',
      }),
      errorResponse(404, 'not_found', 'Channel 5 was not found', { field: 'channel_id' }),
      pullUnavailable,
    ],
    handler: async (ctx, caller) => {
      const body = parseInput(statementPullSchema, ctx.request.body);
      ctx.status = 201;
      ctx.body = await reconcileMerchantPull(deps.em(), caller, body, { pullReaderFor: deps.pullReaderFor });
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/reconciliation/statements',
    summary: 'List your statement reconciliation reports',
    description:
      'Newest first, in the environment you act in, with the number of lines of each class. `superseded` is true when a ' +
      'newer report of the same channel and day replaced it. Pages forward with the `X-Next-Cursor` header (`cursor`).',
    tags: ['Reconciliation'],
    query: statementListQuerySchema,
    responses: [
      {
        status: 200,
        description: 'Reports, newest first',
        schema: z.array(statementReportSchema),
        example: [REPORT_EXAMPLE],
      },
    ],
    handler: async (ctx, caller) => {
      const { reports, nextCursor } = await listMerchantStatementReports(
        deps.em(),
        caller,
        parseInput(statementListQuerySchema, ctx.query),
      );
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = reports;
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/reconciliation/statements/:id',
    summary: 'One statement reconciliation report, with its lines',
    description: `Credits in time order, then the payments ImaraPay reported completed that M-Pesa never credited. ${CLASSES_TEXT}`,
    tags: ['Reconciliation'],
    params: { id: 'The report id' },
    responses: [
      { status: 200, description: 'The report', schema: statementReportDetailSchema, example: REPORT_DETAIL_EXAMPLE },
      reportNotFound,
    ],
    handler: async (ctx, caller) => {
      ctx.body = await statementReportDetail(deps.em(), caller, ctx.params.id!);
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/reconciliation/statements/:id/csv',
    summary: 'Download a statement reconciliation report as CSV',
    description: `The report's lines, one per row, with the columns ${STATEMENT_REPORT_CSV_COLUMNS.join(', ')} (times in UTC, ISO 8601; amounts in whole KES).`,
    tags: ['Reconciliation'],
    params: { id: 'The report id' },
    responses: [CSV_RESPONSE, reportNotFound],
    handler: async (ctx, caller) => {
      sendReportCsv(ctx, await statementReportDetail(deps.em(), caller, ctx.params.id!));
    },
  });
};
