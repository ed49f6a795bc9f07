import type { EntityManager } from '@mikro-orm/postgresql';
import type { Finding } from './entities';
import { markCallbackDisposition } from './callbacks';
import { freshTransaction } from './payments';
import { openStatementLines } from './statementReports';
import { reversalsAwaitingStart } from './reversals';

/** How many rows of one kind a run handles or lists; the rest wait for the next run. */
export const RECONCILIATION_BATCH = 500;

/** A stored callback the reconciliation must hand over again. */
export interface PendingCallbackRow {
  id: number;
  signal_id: string | null;
  url_transaction_id: number | null;
  raw_body: string;
}

/**
 * Stored callbacks not yet handed over: `signal_failed`, or still `received` (a crash between the
 * store and the signal) once older than `graceMs`, oldest first, at most RECONCILIATION_BATCH.
 */
export async function callbacksToRedrive(em: EntityManager, graceMs: number): Promise<PendingCallbackRow[]> {
  return em.getConnection().execute<PendingCallbackRow[]>(
    `select id, signal_id::text, url_transaction_id, raw_body from daraja_callbacks
      where not truncated
        and (disposition = 'signal_failed'
             or (disposition = 'received' and received_at < now() - make_interval(secs => ?)))
      order by id limit ${RECONCILIATION_BATCH}`,
    [graceMs / 1000],
  );
}

/** Counts one redrive on a callback row, for ops and metrics. */
export async function recordRedrive(em: EntityManager, callbackId: number): Promise<void> {
  await em
    .getConnection()
    .execute(
      `update daraja_callbacks set redrive_attempts = redrive_attempts + 1, last_redrive_at = now() where id = ?`,
      [callbackId],
    );
}

/** A payment row that may have no workflow: never past `created`, nothing pushed, older than `graceMs`. */
export interface OrphanCandidateRow {
  id: number;
  age_ms: number;
}

/** Payment rows still `created` with nothing pushed, older than `graceMs`, oldest first. */
export async function orphanCandidates(em: EntityManager, graceMs: number): Promise<OrphanCandidateRow[]> {
  return em.getConnection().execute<OrphanCandidateRow[]>(
    `select id, (extract(epoch from now() - created_at) * 1000)::float8 as age_ms from transactions
      where stage = 'created' and push_state = 'none' and status = 'pending'
        and created_at < now() - make_interval(secs => ?)
      order by id limit ${RECONCILIATION_BATCH}`,
    [graceMs / 1000],
  );
}

/**
 * Ends a payment that was never started: failed, with `resultDesc`, only while it is still
 * `created`, nothing was pushed and no fee ever moved (no ledger entry). Answers whether it did.
 */
export async function endUnstartedPayment(
  em: EntityManager,
  transactionId: number,
  resultDesc: string,
): Promise<boolean> {
  const rows = await em.getConnection().execute<{ id: number }[]>(
    `update transactions set status = 'failed', stage = 'failed', result_code = 'NOT_STARTED', result_desc = ?,
            decided_by = 'reconciliation', completed_at = now()
      where id = ? and stage = 'created' and push_state = 'none' and status = 'pending'
        and not exists (select 1 from wallet_ledger where transaction_id = ?)
      returning id`,
    [resultDesc, transactionId, transactionId],
  );
  return rows.length > 0;
}

/** Ids of payments still pending after `overdueAfterMs` (the longest any payment's windows allow). */
export async function overduePayments(em: EntityManager, overdueAfterMs: number): Promise<number[]> {
  const rows = await em.getConnection().execute<{ id: number }[]>(
    `select id from transactions where status = 'pending' and created_at < now() - make_interval(secs => ?)
      order by id limit ${RECONCILIATION_BATCH}`,
    [overdueAfterMs / 1000],
  );
  return rows.map((r) => r.id);
}

/** Payments whose webhook delivery was given up (`failed`), for ops to redeliver. */
export async function webhooksGivenUp(em: EntityManager): Promise<number[]> {
  const rows = await em.getConnection().execute<{ transaction_id: number }[]>(
    `select distinct transaction_id from webhook_deliveries where status = 'failed'
      order by transaction_id limit ${RECONCILIATION_BATCH}`,
  );
  return rows.map((r) => r.transaction_id);
}

/** Merchants whose wallet balance is not the sum of their ledger entries. */
export async function walletsOffLedger(em: EntityManager): Promise<number[]> {
  const rows = await em.getConnection().execute<{ merchant_id: number }[]>(
    `select w.merchant_id from wallets w
       left join (select merchant_id, sum(amount) as total from wallet_ledger group by merchant_id) l
         on l.merchant_id = w.merchant_id
      where w.balance <> coalesce(l.total, 0)
      order by w.merchant_id limit ${RECONCILIATION_BATCH}`,
  );
  return rows.map((r) => r.merchant_id);
}

/** Opens a run's row; answers its id. */
export async function beginRun(em: EntityManager, workflowId: string): Promise<number> {
  const [row] = await em
    .getConnection()
    .execute<{ id: number }[]>(`insert into reconciliation_runs (workflow_id) values (?) returning id`, [workflowId]);
  return row!.id;
}

/** Records a run's findings and closes it. */
export async function finishRun(em: EntityManager, runId: number, findings: Finding[]): Promise<void> {
  await em
    .getConnection()
    .execute(`update reconciliation_runs set finished_at = now(), findings = ?::jsonb where id = ?`, [
      JSON.stringify(findings),
      runId,
    ]);
}

/** The latest runs, newest first, as the admin API shows them. */
export async function latestRuns(
  em: EntityManager,
  limit: number,
): Promise<{ id: number; workflow_id: string; started_at: Date; finished_at: Date | null; findings: Finding[] }[]> {
  const rows = await em
    .getConnection()
    .execute<
      { id: number; workflow_id: string; started_at: string; finished_at: string | null; findings: Finding[] }[]
    >(`select id, workflow_id, started_at, finished_at, findings from reconciliation_runs order by id desc limit ?`, [
      limit,
    ]);
  // The driver answers timestamptz as Postgres text: Dates, as the signature says.
  return rows.map((row) => ({
    ...row,
    started_at: new Date(row.started_at),
    finished_at: row.finished_at === null ? null : new Date(row.finished_at),
  }));
}

/** The reconciliation activities' statements, for bindToSessions (db/orm.ts). */
export const reconciliationStatements = {
  beginRun,
  callbacksToRedrive,
  markCallbackDisposition,
  recordRedrive,
  orphanCandidates,
  freshTransaction,
  overduePayments,
  webhooksGivenUp,
  walletsOffLedger,
  openStatementLines,
  finishRun,
  endUnstartedPayment,
  reversalsAwaitingStart,
};
