import { reconciliationView } from '../../useCases/reconciliationView';
import type { RouteModule } from '../module';

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
