import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Initiator, MpesaRecordClient, PulledTransaction } from '../daraja/recordTypes';
import { PULL_RETENTION_MS } from '../daraja/recordRequests';
import { createPullReader, type PullReader } from '../daraja/pullPages';
import type { Environment, Finding } from '../db/entities';
import type { UnsettledPaymentRow, mpesaRecordStatements } from '../db/mpesaRecords';
import type { BoundToSessions } from '../db/orm';
import { evidenceFromPull, matchPulledCredit } from '../domain/mpesaRecordMatch';
import type { Logger } from '../config/logger';
import { handOverMpesaRecord } from '../payments/mpesaRecordHandOver';
import type { ReconciliationWindows } from './types';

export interface MpesaRecordDeps {
  /** db/mpesaRecords.ts's statements, bound to the worker's ORM (a fake in unit tests). */
  db: BoundToSessions<typeof mpesaRecordStatements>;
  logger: Logger;
  /** The record client of an environment; null where that environment has no Daraja credentials. */
  recordClientFor: (environment: Environment) => MpesaRecordClient | null;
  /**
   * The channel's initiator with a fresh SecurityCredential for `environment`'s M-Pesa certificate;
   * null when the channel has none or the environment has no certificate configured.
   */
  initiatorFor: (environment: Environment, channelId: number) => Promise<Initiator | null>;
  /** Transaction Status's ResultURL and QueueTimeOutURL. */
  resultUrls: { result: string; queueTimeOut: string };
  /** Pull Transactions registration: M-Pesa's CallBackURL and NominatedNumber for a shortcode. */
  pullRegistration: { callbackUrl: string; nominatedNumber: string };
  client?: () => Client;
}

/** Activities that ask M-Pesa's own record about payments; each is safe to repeat. */
export interface MpesaRecordActivities {
  /**
   * Asks Pull Transactions about every payment that ended without M-Pesa's final word (see
   * paymentsWithoutMpesaWord), stores each matching credit as a record, and hands it to the payment:
   * `mpesaRecordSignal` to a running workflow, `mpesaRecordWorkflow` for a closed one.
   */
  askMpesaAboutPayments(input: ReconciliationWindows): Promise<Finding[]>;
}

const MAX_PAYMENTS_PER_RUN = 500;
/** Transaction Status is asked again about the same payment only after this long (ms). */
const ASK_AGAIN_AFTER_MS = 60 * 60_000;

const channelKey = (p: UnsettledPaymentRow) => `${p.environment}|${p.partyB}`;

export function createMpesaRecordActivities(deps: MpesaRecordDeps): MpesaRecordActivities {
  const { db, logger } = deps;
  const temporal = () => deps.client?.() ?? Context.current().client;

  const readers = new Map<MpesaRecordClient, PullReader>();
  /** Every credit to the shortcode since `since`; registers the shortcode first (once per process). */
  async function pullAll(client: MpesaRecordClient, shortcode: string, since: Date) {
    let reader = readers.get(client);
    if (!reader) readers.set(client, (reader = createPullReader(client, deps.pullRegistration)));
    const pulled = await reader.pull(shortcode, since, new Date(Date.now() + 60_000));
    if (pulled.unreadable > 0)
      logger.warn({ shortcode, unreadable: pulled.unreadable }, 'unreadable Pull Transactions rows');
    return pulled.transactions;
  }

  /**
   * Asks Transaction Status about each payment whose receipt ImaraPay holds (a payment in review),
   * at most once an hour each; the answer comes to the ResultURL (api/useCases/receiveMpesaResult.ts).
   */
  async function askTransactionStatus(payments: UnsettledPaymentRow[]) {
    const unreachable: number[] = [];
    for (const payment of payments) {
      Context.current().heartbeat(payment.id);
      const client = deps.recordClientFor(payment.environment);
      if (!client || !payment.partyB || (await db.askedRecently(payment.id, new Date(Date.now() - ASK_AGAIN_AFTER_MS))))
        continue;
      const initiator = await deps.initiatorFor(payment.environment, payment.channelId!);
      if (!initiator) continue;
      try {
        const accepted = await client.transactionStatus({
          initiator,
          transactionId: payment.mpesaReceipt,
          partyA: payment.partyB,
          identifierType: payment.accountType === 'till' ? '2' : '4',
          resultUrl: deps.resultUrls.result,
          queueTimeOutUrl: deps.resultUrls.queueTimeOut,
          remarks: `ImaraPay reconciliation of payment ${payment.id}`,
        });
        await db.recordRequest({
          transactionId: payment.id,
          channelId: payment.channelId!,
          source: 'transaction_status',
          state: 'asked',
          originatorConversationId: accepted.originatorConversationId || null,
          conversationId: accepted.conversationId,
        });
      } catch (error) {
        logger.warn({ err: error, transactionId: payment.id }, 'Transaction Status could not be asked');
        await db.recordRequest({
          transactionId: payment.id,
          channelId: payment.channelId!,
          source: 'transaction_status',
          state: 'error',
          detail: error instanceof Error ? error.message : String(error),
        });
        unreachable.push(payment.id);
      }
    }
    return { unreachable };
  }

  return {
    async askMpesaAboutPayments(windows) {
      const now = Date.now();
      const payments = await db.paymentsWithoutMpesaWord({
        // A minute inside M-Pesa's 48 hours, so the query window never starts before what it keeps.
        since: new Date(now - PULL_RETENTION_MS + 60_000),
        until: new Date(now - windows.orphanGraceMs),
        limit: MAX_PAYMENTS_PER_RUN,
      });
      const asked = await askTransactionStatus(payments.filter((p) => p.mpesaReceipt && p.channelId !== null));
      const byChannel = new Map<string, UnsettledPaymentRow[]>();
      for (const p of payments) {
        if (!p.partyB || p.mpesaReceipt) continue; // Pull Transactions finds credits whose receipt ImaraPay lacks.
        byChannel.set(channelKey(p), [...(byChannel.get(channelKey(p)) ?? []), p]);
      }
      logger.info({ payments: payments.length, channels: byChannel.size }, "asking M-Pesa's record about payments");
      const found: number[] = [];
      const disagreeing: number[] = [];
      const unreachable: number[] = [];
      for (const [key, group] of byChannel) {
        Context.current().heartbeat(key);
        const first = group[0]!;
        const client = deps.recordClientFor(first.environment);
        if (!client) continue;
        let credits: PulledTransaction[];
        try {
          credits = await pullAll(client, first.partyB!, new Date(first.createdAt.getTime() - 60_000));
        } catch (error) {
          logger.warn({ err: error, shortcode: first.partyB }, 'Pull Transactions could not be asked');
          unreachable.push(...group.map((p) => p.id));
          continue;
        }
        for (const payment of group) {
          const window = credits.filter((c) => c.occurredAt !== null);
          const claimed = await db.receiptsClaimedElsewhere(
            window.map((c) => c.receipt),
            payment.id,
          );
          const match = matchPulledCredit(payment, window, claimed);
          if (!match) {
            logger.info(
              { transactionId: payment.id, credits: window.length },
              "no credit in M-Pesa's record matches the payment",
            );
            continue;
          }
          const stored = await db.storeMpesaRecord({
            transactionId: payment.id,
            requestId: null,
            source: 'pull_transactions',
            disposition: 'evidence',
            outcome: 'completed',
            receipt: match.credit.receipt,
            amount: match.credit.amount,
            payer: match.credit.msisdn,
            completedAt: match.credit.occurredAt ? new Date(match.credit.occurredAt) : null,
            description: evidenceFromPull(0, match.credit).description,
            raw: JSON.stringify(match.credit),
          });
          if (stored.deliveredAt) continue;
          const delivery = await handOverMpesaRecord(
            { temporal: temporal(), taskQueue: Context.current().info.taskQueue, timings: windows.timings },
            payment,
            evidenceFromPull(stored.id, match.credit),
          );
          await db.markRecordDelivered(stored.id, delivery);
          (match.amountDiffers ? disagreeing : found).push(payment.id);
        }
      }
      const finding = (kind: Finding['kind'], ids: number[], repaired: boolean): Finding[] =>
        ids.length === 0 ? [] : [{ kind, count: ids.length, repaired, idKind: 'transaction', ids: ids.slice(0, 20) }];
      return [
        ...finding('mpesa_record_found', found, true),
        ...finding('mpesa_record_disagrees', disagreeing, false),
        ...finding('mpesa_record_unreachable', [...unreachable, ...asked.unreachable], false),
      ];
    },
  };
}
