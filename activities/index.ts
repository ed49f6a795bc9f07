import { createDarajaActivities, type DarajaCallDeps } from './darajaCalls';
import { createSettlementActivities } from './settlement';
import { createWebhookActivities, type WebhookDeps } from './webhooks';
import { createReconciliationActivities } from './reconciliation';
import { createMpesaRecordActivities, type MpesaRecordActivities, type MpesaRecordDeps } from './mpesaRecords';
import { createStatementPullActivities, type StatementPullActivities } from './statementPulls';
import { createReversalActivities, type ReversalActivities, type ReversalDeps } from './reversals';
import type { PaymentActivities, ReconciliationActivities } from './types';
import type { Logger } from '../config/logger';
import type { WorkerDatabase } from '../db/workerDatabase';
import type { ReversalTimings } from '../workflows/reversal';

export type { PaymentActivities, ReconciliationActivities } from './types';
export type { MpesaRecordActivities } from './mpesaRecords';
export type { StatementPullActivities } from './statementPulls';
export type { ReversalActivities } from './reversals';

export interface ActivityDeps extends Omit<DarajaCallDeps, 'pushDb'> {
  /** What the activities read and write (db/workerDatabase.ts), bound to the worker's ORM. */
  db: Omit<WorkerDatabase, 'channelInitiator'>;
  webhookHttp: WebhookDeps['http'];
  webhookTimeoutMs: number;
  /** WEBHOOK_STALLED_ATTEMPT_WAIT_MS (see WebhookDeps.stalledWaitMs). */
  webhookStalledWaitMs?: number;
  /** WEBHOOK_SECRET_KEY, which opens merchants' webhook signing secrets. */
  webhookSecretKey: string;
  /** Webhooks never go to non-public addresses (checked again at every attempt); false only with WEBHOOK_ALLOW_PRIVATE_TARGETS. */
  webhookPublicUrlsOnly: boolean;
  /** Production: webhooks go to HTTPS URLs only (checked again at every attempt). */
  webhookHttpsOnly: boolean;
  /** Where the reconciliation's callback redrives log. */
  logger: Logger;
  /** M-Pesa's own record (Transaction Status, Pull Transactions) per environment; null where not configured. */
  recordClientFor: MpesaRecordDeps['recordClientFor'];
  pullRegistration: MpesaRecordDeps['pullRegistration'];
  initiatorFor: MpesaRecordDeps['initiatorFor'];
  resultUrls: MpesaRecordDeps['resultUrls'];
  /** Daraja's Reversal API per environment; null where not configured. */
  reversalClientFor: ReversalDeps['reversalClientFor'];
  reversalUrl: ReversalDeps['reversalUrl'];
  /** The timings the reconciliation starts recorded reversals with. */
  reversalTimings?: ReversalTimings;
}

/**
 * Builds every activity from its dependencies (database functions, Daraja clients, the HTTP client);
 * the worker is the only place this is wired, unit tests build each group with fakes.
 */
export function createActivities(
  deps: ActivityDeps,
): PaymentActivities & ReconciliationActivities & MpesaRecordActivities & StatementPullActivities & ReversalActivities {
  return {
    ...createSettlementActivities({ db: deps.db.settlement }),
    ...createDarajaActivities({ ...deps, pushDb: deps.db.pushes }),
    ...createWebhookActivities({
      webhookDb: deps.db.webhooks,
      presence: deps.db.presence,
      http: deps.webhookHttp,
      timeoutMs: deps.webhookTimeoutMs,
      stalledWaitMs: deps.webhookStalledWaitMs,
      secretKey: deps.webhookSecretKey,
      publicUrlsOnly: deps.webhookPublicUrlsOnly,
      httpsOnly: deps.webhookHttpsOnly,
    }),
    ...createReconciliationActivities({
      db: deps.db.reconciliation,
      newSession: deps.db.newSession,
      logger: deps.logger,
      reversalTimings: deps.reversalTimings,
    }),
    ...createMpesaRecordActivities({
      db: deps.db.mpesaRecords,
      logger: deps.logger,
      recordClientFor: deps.recordClientFor,
      pullRegistration: deps.pullRegistration,
      initiatorFor: deps.initiatorFor,
      resultUrls: deps.resultUrls,
    }),
    ...createStatementPullActivities({
      db: deps.db.statementPulls,
      logger: deps.logger,
      recordClientFor: deps.recordClientFor,
      pullRegistration: deps.pullRegistration,
    }),
    ...createReversalActivities({
      db: deps.db.reversals,
      logger: deps.logger,
      reversalClientFor: deps.reversalClientFor,
      recordClientFor: deps.recordClientFor,
      initiatorFor: deps.initiatorFor,
      reversalUrl: deps.reversalUrl,
    }),
  };
}
