import { NEXT_CURSOR_HEADER } from '../../useCases/listParams';
import { parseInput } from '../../validate';
import {
  adminStatementListQuerySchema,
  listAllStatementReports,
  statementReportDetail,
} from '../../useCases/statementReconciliation';
import { adminStatementPullSchema, reconcileAnyPull } from '../../useCases/statementPull';
import { errorResponse } from '../../openapi';
import {
  PULL_EXAMPLE,
  statementPullResultSchema,
  PULL_TEXT,
  pullUnavailable,
  CLASSES_TEXT,
  CSV_RESPONSE,
  REPORT_DETAIL_EXAMPLE,
  REPORT_EXAMPLE,
  reportNotFound,
  sendReportCsv,
  statementReportDetailSchema,
  statementReportSchema,
} from '../statements';
import { z } from 'zod';
import type { RouteModule } from '../module';

/** Every merchant's statement reconciliation reports, for ImaraPay's operators. */
export const adminStatementRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/reconciliation/statements',
    summary: "Every merchant's statement reconciliation reports",
    description:
      'Newest first, across merchants and environments (or one merchant, one channel). Pages forward with `X-Next-Cursor`.',
    tags: ['Admin: reconciliation'],
    query: adminStatementListQuerySchema,
    responses: [
      {
        status: 200,
        description: 'Reports, newest first',
        schema: z.array(statementReportSchema),
        example: [REPORT_EXAMPLE],
      },
    ],
    handler: async (ctx) => {
      const { reports, nextCursor } = await listAllStatementReports(
        deps.em(),
        parseInput(adminStatementListQuerySchema, ctx.query),
      );
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = reports;
    },
  });

  api.add({
    method: 'post',
    access: 'admin',
    path: '/api/admin/reconciliation/pulls',
    summary: "Reconcile any merchant's channel against M-Pesa's Pull Transactions",
    description: `${PULL_TEXT} Any merchant's channel, against its payments in \`environment\`.`,
    tags: ['Admin: reconciliation'],
    body: adminStatementPullSchema,
    responses: [
      { status: 201, description: "The day's report", schema: statementPullResultSchema, example: PULL_EXAMPLE },
      errorResponse(400, 'validation_failed', 'environment must be sandbox or production', { field: 'environment' }),
      errorResponse(404, 'not_found', 'Channel 5 was not found', { field: 'channel_id' }),
      pullUnavailable,
    ],
    handler: async (ctx) => {
      const body = parseInput(adminStatementPullSchema, ctx.request.body);
      ctx.status = 201;
      ctx.body = await reconcileAnyPull(deps.em(), body, { pullReaderFor: deps.pullReaderFor });
    },
  });

  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/reconciliation/statements/:id',
    summary: "A merchant's statement reconciliation report, with its lines",
    description: CLASSES_TEXT,
    tags: ['Admin: reconciliation'],
    params: { id: 'The report id' },
    responses: [
      { status: 200, description: 'The report', schema: statementReportDetailSchema, example: REPORT_DETAIL_EXAMPLE },
      reportNotFound,
    ],
    handler: async (ctx) => {
      ctx.body = await statementReportDetail(deps.em(), null, ctx.params.id!);
    },
  });

  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/reconciliation/statements/:id/csv',
    summary: "Download a merchant's statement reconciliation report as CSV",
    description: 'The same file a merchant downloads.',
    tags: ['Admin: reconciliation'],
    params: { id: 'The report id' },
    responses: [CSV_RESPONSE, reportNotFound],
    handler: async (ctx) => {
      sendReportCsv(ctx, await statementReportDetail(deps.em(), null, ctx.params.id!));
    },
  });
};
