import { bindToSessions, newSession, type Orm } from './orm';
import { channelInitiator, mpesaRecordStatements } from './mpesaRecords';
import { pushStatements } from './pushes';
import { reversalStatements } from './reversals';
import { reconciliationStatements } from './reconciliation';
import { settlementStatements } from './settlement';
import { statementPullStatements } from './statementReports';
import { webhookStatements } from './webhookOutbox';
import { workerPresence } from './webhookAttempts';

/**
 * Everything the worker's activities read and write, as functions bound to the worker's ORM (each
 * call on a fresh unit of work): wired into createActivities by worker/createWorker.ts, replaced by
 * fakes of the same shape in the activities' unit tests.
 */
export function workerDatabase(orm: Orm) {
  return {
    settlement: bindToSessions(orm, settlementStatements),
    pushes: bindToSessions(orm, pushStatements),
    webhooks: bindToSessions(orm, webhookStatements),
    reconciliation: bindToSessions(orm, reconciliationStatements),
    mpesaRecords: bindToSessions(orm, mpesaRecordStatements),
    statementPulls: bindToSessions(orm, statementPullStatements),
    reversals: bindToSessions(orm, reversalStatements),
    channelInitiator: bindToSessions(orm, { channelInitiator }).channelInitiator,
    /** This worker's presence session in Postgres (webhook attempts record it). */
    presence: workerPresence(String(orm.config.get('clientUrl'))),
    /** A fresh unit of work, for the payment core's functions that take one. */
    newSession: () => newSession(orm),
  };
}

export type WorkerDatabase = ReturnType<typeof workerDatabase>;
