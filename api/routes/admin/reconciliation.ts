import { reconciliationView } from '../../useCases/reconciliationView';
import type { RouteModule } from '../module';
import { z } from 'zod';
import { count, findingKind, id, timestamp } from '../../openapi/responses';

/** What one reconciliation run found of one kind. */
const findingSchema = z.object({
  kind: findingKind,
  count,
  repaired: z.boolean(),
  id_kind: z.enum(['transaction', 'callback', 'merchant', 'statement_line']).describe('Which rows `ids` name'),
  ids: z.array(id).describe('Up to 20 of them'),
});

/** The answer of GET /api/admin/reconciliation. */
export const reconciliationViewSchema = z.object({
  runs: z.array(
    z.object({
      id,
      workflow_id: z.string(),
      started_at: timestamp,
      finished_at: timestamp.nullable().describe('Null while it runs'),
      findings: z.array(findingSchema),
    }),
  ),
  open_findings: z.array(findingSchema),
});

/** How many runs the admin view lists. */
const RUNS_SHOWN = 20;

/** The reconciliation schedule's latest runs and what is still open, for ImaraPay's operators. */
export const adminReconciliationRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/reconciliation',
    summary: 'Reconciliation runs and open findings',
    description:
      'The latest runs of the reconciliation schedule (newest first), each with its findings: callbacks handed over ' +
      'again, payments without a workflow started or ended, overdue payments, webhooks given up and wallets whose ' +
      "balance is not the sum of their ledger. `open_findings` are the latest finished run's findings it could not " +
      'repair: they need an operator.',
    tags: ['Admin: reconciliation'],
    responses: [
      {
        status: 200,
        description: 'Runs and open findings',
        schema: reconciliationViewSchema,
        example: {
          runs: [
            {
              id: 42,
              workflow_id: 'imarapay-reconciliation-2026-11-30T12:00:00Z',
              started_at: '2026-11-30T12:00:00.120Z',
              finished_at: '2026-11-30T12:00:00.870Z',
              findings: [{ kind: 'orphan_started', count: 1, repaired: true, id_kind: 'transaction', ids: [1042] }],
            },
          ],
          open_findings: [
            { kind: 'webhook_given_up', count: 2, repaired: false, id_kind: 'transaction', ids: [977, 981] },
          ],
        },
      },
    ],
    handler: async (ctx) => {
      ctx.body = await reconciliationView(deps.em(), RUNS_SHOWN);
    },
  });
};
