import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { latestReversals } from '../../db/reversals';
import { REVERSAL_STATUSES, type ReversalState, type ReversalStatus } from '../../domain/reversal';
import { evidenceOf, reversalView, type ReversalEvidenceView, type ReversalView } from './reversals';

const STATES_OF: Record<ReversalStatus, ReversalState[]> = {
  requested: ['requested', 'sending', 'accepted'],
  reversed: ['reversed'],
  failed: ['failed'],
  in_doubt: ['in_doubt'],
};

const MAX_ROWS = 200;

/** The query of GET /api/admin/reversals. */
export const adminReversalsQuerySchema = z.object({
  status: z
    .enum(['requested', 'reversed', 'failed', 'in_doubt'], {
      error: `status must be ${REVERSAL_STATUSES.join(', ')}`,
    })
    .optional(),
});

/**
 * GET /api/admin/reversals: the latest reversals of every merchant, newest first, each with its
 * merchant and its evidence (every body M-Pesa posted about it), optionally only those of one status.
 */
export async function listAllReversals(
  em: EntityManager,
  query: z.infer<typeof adminReversalsQuerySchema>,
): Promise<
  Array<
    ReversalView & { merchant_id: number; merchant_name: string; environment: string; evidence: ReversalEvidenceView[] }
  >
> {
  const rows = await latestReversals(em, {
    states: query.status ? STATES_OF[query.status] : null,
    limit: MAX_ROWS,
  });
  return Promise.all(
    rows.map(async (row) => ({
      ...reversalView(row, row.fee),
      merchant_id: row.merchant,
      merchant_name: row.merchantName,
      environment: row.environment,
      evidence: await evidenceOf(em, row.id),
    })),
  );
}
