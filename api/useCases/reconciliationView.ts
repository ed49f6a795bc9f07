import type { EntityManager } from '@mikro-orm/postgresql';
import type { Finding } from '../../db/entities';
import { latestRuns } from '../../db/reconciliation';

/** One finding as the admin API shows it: its ids and which kind of row they name (`id_kind`). */
export type FindingView = Omit<Finding, 'idKind'> & { id_kind: Finding['idKind'] };

/** One reconciliation run as the admin API shows it; `finished_at` is null while it runs. */
export interface ReconciliationRunView {
  id: number;
  workflow_id: string;
  started_at: Date;
  finished_at: Date | null;
  findings: FindingView[];
}

/**
 * The latest `runsShown` runs of the reconciliation schedule, newest first, and the findings of the
 * latest finished run that it could not repair (`open_findings`: they need an operator).
 */
export async function reconciliationView(
  em: EntityManager,
  runsShown: number,
): Promise<{ runs: ReconciliationRunView[]; open_findings: FindingView[] }> {
  const runs = (await latestRuns(em, runsShown)).map((run) => ({
    id: run.id,
    workflow_id: run.workflow_id,
    started_at: run.started_at,
    finished_at: run.finished_at,
    findings: run.findings.map(({ idKind, ...f }) => ({ ...f, id_kind: idKind })),
  }));
  const latestFinished = runs.find((run) => run.finished_at !== null);
  return { runs, open_findings: latestFinished?.findings.filter((f) => !f.repaired) ?? [] };
}
