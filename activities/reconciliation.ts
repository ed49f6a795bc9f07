import { Context, log } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parseStkCallback } from '../domain/callback';
import type { Finding, FindingKind } from '../db/entities';
import type { BoundToSessions } from '../db/orm';
import { RECONCILIATION_BATCH, type OrphanCandidateRow, type reconciliationStatements } from '../db/reconciliation';
import type { OpenStatementLine } from '../db/statementReports';
import { nairobiDay } from '../domain/statementMatch';
import { handOverStoredCallback } from '../payments/receiveDarajaCallback';
import { paymentWorkflowStart } from '../payments/paymentStart';
import { paymentWorkflow } from '../workflows/payment';
import { reversalWorkflow, type ReversalTimings } from '../workflows/reversal';
import { PAYMENT_STATUS } from '../workflows/searchAttributes';
import { paymentWorkflowId } from '../workflows/definitions';
import type { Logger } from '../config/logger';
import type { ReconciliationActivities } from './types';

/** What a payment that was never started says, as its result description and to a retry of its request. */
export const NOT_STARTED_DESC =
  'This payment was not started: ImaraPay could not reach its payment engine in time. ' +
  'No prompt was sent and no fee was charged. Start a new payment with a new Idempotency-Key.';

/**
 * What to do with a payment row that has no workflow, by its age (ms): leave it to its own request
 * while younger than the grace, start it as its request would have within the start window, and end
 * it failed beyond (a customer prompted minutes after the merchant was told 503 expects nothing).
 */
export function orphanAction(ageMs: number, graceMs: number, startWindowMs: number): 'wait' | 'start' | 'end' {
  if (ageMs < graceMs) return 'wait';
  return ageMs < startWindowMs ? 'start' : 'end';
}

export interface ReconciliationDeps {
  /** db/reconciliation.ts's statements, bound to the worker's ORM (a fake in unit tests). */
  db: BoundToSessions<typeof reconciliationStatements>;
  /** A fresh unit of work for the payment core's hand-over (payments/receiveDarajaCallback.ts). */
  newSession: () => EntityManager;
  logger: Logger;
  /** The Temporal client; by default the worker's own (from the activity's context). */
  client?: () => Client;
  /** The timings recorded reversals are started with (config REVERSAL_*); without them none is started here. */
  reversalTimings?: ReversalTimings;
}

/** The reconciliation's activities; each is safe to repeat. */
export function createReconciliationActivities({
  db,
  newSession,
  logger,
  client,
  reversalTimings,
}: ReconciliationDeps): ReconciliationActivities {
  const temporal = () => client?.() ?? Context.current().client;
  const taskQueue = () => Context.current().info.taskQueue;
  const finding = (kind: FindingKind, idKind: Finding['idKind'], ids: number[], repaired: boolean): Finding => ({
    kind,
    count: ids.length,
    repaired,
    idKind,
    ids: ids.slice(0, 20),
  });

  /**
   * Starts the workflow of every reversal recorded but still `requested` past the grace, under its own
   * ID: one that runs already (or ran) is left alone. A reversal is never sent twice either way: its
   * workflow claims it before sending. Returns the payments whose reversal was started.
   */
  async function startWaitingReversals(graceMs: number, timings: ReversalTimings): Promise<number[]> {
    const started: number[] = [];
    for (const reversal of await db.reversalsAwaitingStart(graceMs, RECONCILIATION_BATCH)) {
      Context.current().heartbeat(reversal.id);
      const ok = await temporal()
        .workflow.start(reversalWorkflow, {
          workflowId: reversal.workflowId,
          taskQueue: taskQueue(),
          args: [{ reversalId: reversal.id, transactionId: reversal.transaction, timings }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          staticSummary: `Reverse payment ${reversal.transaction} (KES ${reversal.amount}) · merchant ${reversal.merchant}`,
        })
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
            throw err;
          },
        );
      if (ok) started.push(reversal.transaction);
    }
    return started;
  }

  return {
    async beginReconciliationRun({ workflowId }) {
      return { runId: await db.beginRun(workflowId) };
    },

    async redriveStoredCallbacks({ orphanGraceMs, timings }) {
      const rows = await db.callbacksToRedrive(orphanGraceMs);
      const handedOver: number[] = [];
      const stillPending: number[] = [];
      for (const row of rows) {
        Context.current().heartbeat(row.id);
        const parsed = parseStkCallback(parseJson(row.raw_body));
        if (!parsed || parsed.unusable) {
          await db.markCallbackDisposition(row.id, 'malformed', null);
          continue;
        }
        const disposition = await handOverStoredCallback(
          { em: newSession(), temporal: temporal(), logger, taskQueue: taskQueue(), timings },
          {
            id: row.id,
            callbackId: row.signal_id === null ? row.id : Number(row.signal_id),
            transactionId: row.url_transaction_id,
            parsed,
          },
        );
        await db.recordRedrive(row.id);
        (disposition === 'signal_failed' ? stillPending : handedOver).push(row.id);
      }
      return [
        ...(handedOver.length ? [finding('callback_redriven', 'callback', handedOver, true)] : []),
        ...(stillPending.length ? [finding('callback_redriven', 'callback', stillPending, false)] : []),
      ];
    },

    async recoverOrphanPayments({ orphanGraceMs, orphanStartWindowMs, timings }) {
      const started: number[] = [];
      const ended: number[] = [];
      for (const candidate of await db.orphanCandidates(orphanGraceMs)) {
        Context.current().heartbeat(candidate.id);
        const action = orphanAction(candidate.age_ms, orphanGraceMs, orphanStartWindowMs);
        if (action === 'wait' || (await hasWorkflow(temporal(), candidate))) continue;
        const tx = await db.freshTransaction(candidate.id);
        const { input, options } = paymentWorkflowStart({ taskQueue: taskQueue(), timings }, tx);
        const start =
          action === 'start'
            ? temporal().workflow.start(paymentWorkflow, {
                ...options,
                args: [input],
                workflowIdReusePolicy: 'REJECT_DUPLICATE',
              })
            : temporal().workflow.start('unstartedPaymentWorkflow', {
                ...options,
                typedSearchAttributes: [
                  ...(options.typedSearchAttributes as { key: unknown }[]).filter((a) => a.key !== PAYMENT_STATUS),
                  { key: PAYMENT_STATUS, value: 'failed' },
                ] as typeof options.typedSearchAttributes,
                staticSummary: `Not started: ${options.staticSummary}`,
                args: [{ transactionId: tx.id, timings }],
                workflowIdReusePolicy: 'REJECT_DUPLICATE',
              });
        // Another run (or the client's retry) got there first: the payment has its workflow either way.
        const ok = await start.then(
          () => true,
          (err: unknown) => {
            if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
            throw err;
          },
        );
        if (ok) (action === 'start' ? started : ended).push(tx.id);
      }
      const reversalsStarted = reversalTimings ? await startWaitingReversals(orphanGraceMs, reversalTimings) : [];
      return [
        ...(started.length ? [finding('orphan_started', 'transaction', started, true)] : []),
        ...(ended.length ? [finding('orphan_ended', 'transaction', ended, true)] : []),
        ...(reversalsStarted.length ? [finding('reversal_orphan_started', 'transaction', reversalsStarted, true)] : []),
      ];
    },

    async auditPayments({ overdueAfterMs }) {
      const found: Finding[] = [];
      const overdue = await db.overduePayments(overdueAfterMs);
      if (overdue.length) found.push(finding('payment_overdue', 'transaction', overdue, false));
      const givenUp = await db.webhooksGivenUp();
      if (givenUp.length) found.push(finding('webhook_given_up', 'transaction', givenUp, false));
      const offLedger = await db.walletsOffLedger();
      if (offLedger.length) found.push(finding('wallet_ledger_mismatch', 'merchant', offLedger, false));
      const since = nairobiDay(new Date(Date.now() - STATEMENT_FINDINGS_DAYS * 24 * 3600_000));
      found.push(...statementFindings(await db.openStatementLines(since, RECONCILIATION_BATCH * 4), finding));
      return found;
    },

    async finishReconciliationRun({ runId, findings }) {
      await db.finishRun(runId, findings);
      // One line per kind, however many findings of it (repaired and open ones are separate findings).
      for (const kind of new Set(findings.map((f) => f.kind))) {
        const ofKind = findings.filter((f) => f.kind === kind);
        const count = ofKind.reduce((sum, f) => sum + f.count, 0);
        const open = ofKind.filter((f) => !f.repaired).reduce((sum, f) => sum + f.count, 0);
        log.warn('reconciliation finding', {
          runId,
          kind,
          count,
          open,
          ids: ofKind.flatMap((f) => f.ids).slice(0, 20),
        });
      }
    },

    async endUnstartedPayment({ transactionId }) {
      return { ended: await db.endUnstartedPayment(transactionId, NOT_STARTED_DESC) };
    },
  };
}

/** How far back the standing statement reports are looked through for unmatched lines, in days. */
export const STATEMENT_FINDINGS_DAYS = 35;

/**
 * The standing statement reports' unmatched lines as open findings. A credit for a payment ImaraPay
 * has as failed, matched beyond doubt, is its own kind: M-Pesa's record says the customer paid, and
 * an operator should settle it (a merchant's uploaded file is not M-Pesa's authenticated word, so it
 * never completes a payment by itself).
 */
export function statementFindings(
  lines: readonly OpenStatementLine[],
  finding: (kind: FindingKind, idKind: Finding['idKind'], ids: number[], repaired: boolean) => Finding,
): Finding[] {
  const paidButFailed = lines.filter(
    (l) => l.class === 'mpesa_only' && l.certain && l.payment_status === 'failed' && l.transaction_id !== null,
  );
  const otherCredits = lines.filter((l) => l.class === 'mpesa_only' && !paidButFailed.includes(l));
  const txIds = (cls: OpenStatementLine['class']) =>
    lines.filter((l) => l.class === cls && l.transaction_id !== null).map((l) => l.transaction_id!);
  const out: Finding[] = [];
  const add = (kind: FindingKind, idKind: Finding['idKind'], ids: number[]) => {
    if (ids.length) out.push(finding(kind, idKind, ids, false));
  };
  add(
    'statement_credit_for_failed_payment',
    'transaction',
    paidButFailed.map((l) => l.transaction_id!),
  );
  add(
    'statement_mpesa_only',
    'statement_line',
    otherCredits.map((l) => l.line_id),
  );
  add('statement_imarapay_only', 'transaction', txIds('imarapay_only'));
  add('statement_amount_differs', 'transaction', txIds('amount_differs'));
  return out;
}

/** Whether a payment already has a workflow (running or closed) under its ID. */
async function hasWorkflow(client: Client, candidate: OrphanCandidateRow): Promise<boolean> {
  try {
    await client.workflow.getHandle(paymentWorkflowId(candidate.id)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err; // Temporal unreachable: the activity is retried
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\ufeff/, ''));
  } catch {
    return null;
  }
}
