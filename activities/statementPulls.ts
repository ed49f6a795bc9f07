import { createPullReader, type PullReader } from '../daraja/pullPages';
import type { MpesaRecordClient } from '../daraja/recordTypes';
import { DarajaError } from '../daraja/types';
import { PULL_RETENTION_MS } from '../daraja/recordRequests';
import type { Environment, Finding } from '../db/entities';
import type { BoundToSessions } from '../db/orm';
import type { statementPullStatements } from '../db/statementReports';
import { creditsFromPull, nairobiDay, nairobiDayBounds } from '../domain/statementMatch';
import type { Logger } from '../config/logger';
import type { ReconciliationWindows } from './types';

export interface StatementPullDeps {
  /** The statements it runs (db/statementReports.ts), each on a fresh unit of work. */
  db: BoundToSessions<typeof statementPullStatements>;
  logger: Logger;
  /** The record client of an environment; null where that environment has no Daraja credentials. */
  recordClientFor: (environment: Environment) => MpesaRecordClient | null;
  /** Pull Transactions registration: M-Pesa's CallBackURL and NominatedNumber for a shortcode. */
  pullRegistration: { callbackUrl: string; nominatedNumber: string };
  now?: () => Date;
}

/** The reconciliation's daily statement from M-Pesa's own record. */
export interface StatementPullActivities {
  /**
   * Reconciles yesterday (Nairobi) of every channel that had payments then and has no Pull
   * Transactions report of that day yet, against M-Pesa's Pull Transactions, into the same reports
   * as an uploaded statement (`source: pull_transactions`); their unmatched lines become findings in
   * the same run's audit. Once per channel and day: a channel whose pull failed is tried again by
   * the next run. Answers no findings of its own (the reports carry them).
   */
  pullYesterdaysStatements(input: ReconciliationWindows): Promise<Finding[]>;
}

/** Channels reconciled per run at most; the rest wait for the next run. */
const MAX_CHANNELS_PER_RUN = 100;
/** Yesterday is pulled only while all of it is inside M-Pesa's 48 hours, with this to spare. */
const RETENTION_MARGIN_MS = 10 * 60_000;

export function createStatementPullActivities(deps: StatementPullDeps): StatementPullActivities {
  const readers = new Map<Environment, PullReader>();
  const readerFor = (environment: Environment): PullReader | null => {
    const existing = readers.get(environment);
    if (existing) return existing;
    const client = deps.recordClientFor(environment);
    if (!client) return null;
    const reader = createPullReader(client, deps.pullRegistration);
    readers.set(environment, reader);
    return reader;
  };

  return {
    async pullYesterdaysStatements() {
      const now = deps.now?.() ?? new Date();
      const day = nairobiDay(new Date(now.getTime() - 24 * 3600_000));
      const { start, end } = nairobiDayBounds(day);
      if (now.getTime() - start.getTime() > PULL_RETENTION_MS - RETENTION_MARGIN_MS) return [];
      const channels = await deps.db.channelsWithoutPullReport({ day, limit: MAX_CHANNELS_PER_RUN });
      for (const channel of channels) {
        const reader = readerFor(channel.environment);
        if (!reader) continue;
        let pulled;
        try {
          pulled = await reader.pull(channel.partyB, start, new Date(end.getTime() - 1000));
        } catch (error) {
          // Daraja refused or was unreachable: the next run asks again. Anything else fails the activity.
          if (!(error instanceof DarajaError)) throw error;
          deps.logger.warn(
            { err: error, channelId: channel.channelId, day },
            "Pull Transactions could not be asked for the channel's day; the next run tries again",
          );
          continue;
        }
        const { credits, unreadable } = creditsFromPull(pulled.transactions);
        const reportId = await deps.db.reconcileStatementDay({
          merchantId: channel.merchantId,
          channelId: channel.channelId,
          environment: channel.environment,
          day,
          credits,
          source: 'pull_transactions',
          uploadedBy: null,
          fileSha256: null,
        });
        deps.logger.info(
          { reportId, channelId: channel.channelId, day, credits: credits.length, unreadable },
          "statement reconciled from M-Pesa's Pull Transactions",
        );
      }
      return [];
    },
  };
}
