import type { AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import { nairobiTimestamp } from '../daraja/timestamp';
import type { Engine } from './engine';
import { newReceiptNumber, newRequestId } from './ids';
import { outcomeById } from './outcomes';
import type { Scheduler } from './scheduler';
import type { SecurityKeys } from './securityKeys';

/** One credit in the simulated M-Pesa ledger: a paid STK push, or a credit added by the control API. */
export interface LedgerCredit {
  receipt: string;
  /** Shortcodes the credit can be pulled under: the push's PartyB (till/paybill) and BusinessShortCode. */
  shortcodes: string[];
  amount: number;
  billReference: string;
  msisdn: string;
  at: Date;
  source: 'push' | 'control';
}

/** How the next Transaction Status requests are answered (control API). */
export type TransactionStatusMode = 'normal' | 'queue_timeout' | 'silent';

export interface ValidTransactionStatus {
  initiator: string;
  securityCredential: string;
  transactionId: string | null;
  originalConversationId: string | null;
  partyA: string;
  resultUrl: string;
  queueTimeOutUrl: string;
  occasion: string;
}

export interface RecordSettings {
  /** How long after the acknowledgement the result is POSTed. Default 300 ms. */
  resultDelayMs: number;
  callbackTimeoutMs: number;
  /** Consecutive wrong credentials after which an initiator is locked (8006). Default 3. */
  lockAfter: number;
  /** Rows per Pull Transactions page. Default 100. */
  pullPageSize: number;
}

export interface RecordDeps {
  engine: Engine;
  scheduler: Scheduler;
  http: AxiosInstance;
  now: () => Date;
  logger: Logger;
  /** Generated at start; results wait for it. */
  keys: Promise<SecurityKeys>;
  /** The initiator M-Pesa knows for every shortcode; anything else is 2001 "The initiator information is invalid." */
  initiator: { name: string; password: string };
  settings: RecordSettings;
  /** What M-Pesa's record says about a reversal the question names (simulator/reversals.ts); null when it names none. */
  reversalAnswer?: (
    request: ValidTransactionStatus,
    ids: { conversationId: string; originatorConversationId: string },
  ) => object | null;
}

/** A result the simulator posted (for tests): where, what, and how it was answered. */
export interface ResultDelivery {
  url: string;
  kind: 'result' | 'queue_timeout';
  body: unknown;
  status: number | null;
  error: string | null;
}

const nairobiIso = (at: Date) => {
  const t = nairobiTimestamp(at);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}+03:00`;
};

const conversationId = (at: Date) => `AG_${nairobiTimestamp(at).slice(0, 8)}_${newRequestId().replace(/-/g, '')}`;

/** M-Pesa's own record in the simulator: Transaction Status (asynchronous results) and Pull Transactions. */
export function createRecordBook(deps: RecordDeps) {
  const { engine, scheduler, http, now, logger, keys, initiator, settings } = deps;
  const extraCredits: LedgerCredit[] = [];
  const registered = new Set<string>();
  const wrongAttempts = new Map<string, number>();
  const deliveries: ResultDelivery[] = [];
  let mode: TransactionStatusMode = 'normal';

  /** Every credit M-Pesa holds: paid pushes (with their outcome's amount disagreement) and control credits. */
  function ledger(): LedgerCredit[] {
    const fromPushes = engine
      .list()
      .filter((p) => p.result?.resultCode === '0' && p.receipt && p.answeredAt)
      .map((p): LedgerCredit => {
        const body = (p.body ?? {}) as Record<string, unknown>;
        const delta = outcomeById(p.outcome).recordAmountDelta ?? 0;
        return {
          receipt: p.receipt!,
          shortcodes: [String(body.PartyB ?? ''), String(body.BusinessShortCode ?? '')],
          amount: Math.max(1, p.amount + delta),
          billReference: typeof body.AccountReference === 'string' ? body.AccountReference : '',
          msisdn: p.phoneNumber,
          at: new Date(p.answeredAt!),
          source: 'push',
        };
      });
    return [...fromPushes, ...extraCredits].sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  async function post(url: string, kind: ResultDelivery['kind'], body: unknown): Promise<void> {
    const delivery: ResultDelivery = { url, kind, body, status: null, error: null };
    try {
      const answer = await http.post(url, body, {
        timeout: settings.callbackTimeoutMs,
        validateStatus: () => true,
        headers: { 'Content-Type': 'application/json' },
      });
      delivery.status = answer.status;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    deliveries.push(delivery);
    logger.info({ kind, status: delivery.status, error: delivery.error }, 'M-Pesa record result sent');
  }

  async function resultBody(
    request: ValidTransactionStatus,
    ids: { conversationId: string; originatorConversationId: string },
  ) {
    const base = {
      ResultType: 0,
      OriginatorConversationID: ids.originatorConversationId,
      ConversationID: ids.conversationId,
      ReferenceData: { ReferenceItem: { Key: 'Occasion', Value: request.occasion } },
    };
    const password = (await keys).decrypt(request.securityCredential);
    const key = `${request.partyA}|${request.initiator}`;
    if ((wrongAttempts.get(key) ?? 0) >= settings.lockAfter)
      return {
        Result: {
          ...base,
          ResultCode: 8006,
          ResultDesc: 'The security credential is locked.',
          TransactionID: 'OEI0000000',
        },
      };
    if (request.initiator !== initiator.name || password !== initiator.password) {
      wrongAttempts.set(key, (wrongAttempts.get(key) ?? 0) + 1);
      return {
        Result: {
          ...base,
          ResultCode: 2001,
          ResultDesc: 'The initiator information is invalid.',
          TransactionID: 'OEI0000000',
        },
      };
    }
    wrongAttempts.delete(key);
    const aboutReversal = deps.reversalAnswer?.(request, ids) ?? null;
    if (aboutReversal) return aboutReversal;
    const credit = request.transactionId
      ? ledger().find((c) => c.receipt === request.transactionId && c.shortcodes.includes(request.partyA))
      : undefined;
    if (!credit)
      return {
        Result: {
          ...base,
          ResultCode: 'R000002',
          ResultDesc: 'The transaction receipt number does not exist.',
          TransactionID: request.transactionId ?? 'OEI0000000',
        },
      };
    const at = nairobiTimestamp(credit.at);
    return {
      Result: {
        ...base,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        TransactionID: credit.receipt,
        ResultParameters: {
          ResultParameter: [
            { Key: 'DebitPartyName', Value: `${credit.msisdn} - SIMULATED CUSTOMER` },
            { Key: 'CreditPartyName', Value: `${request.partyA} - IMARAPAY SANDBOX` },
            { Key: 'OriginatorConversationID', Value: ids.originatorConversationId },
            { Key: 'InitiatedTime', Value: Number(at) },
            { Key: 'DebitAccountType', Value: 'MMF Account For Customer' },
            { Key: 'DebitPartyCharges' },
            { Key: 'TransactionReason' },
            { Key: 'ReasonType', Value: 'Pay Merchant Online' },
            { Key: 'TransactionStatus', Value: 'Completed' },
            { Key: 'FinalisedTime', Value: Number(at) },
            { Key: 'Amount', Value: credit.amount },
            { Key: 'ConversationID', Value: ids.conversationId },
            { Key: 'ReceiptNo', Value: credit.receipt },
          ],
        },
      },
    };
  }

  return {
    ledger,
    deliveries: () => deliveries.map((d) => structuredClone(d)),
    setMode(next: TransactionStatusMode) {
      mode = next;
    },
    /** A C2B credit ImaraPay never pushed (a customer paid the till directly). */
    addCredit(credit: {
      shortcode: string;
      amount: number;
      billReference?: string;
      msisdn?: string;
      at?: Date;
    }): LedgerCredit {
      const entry: LedgerCredit = {
        receipt: newReceiptNumber(),
        shortcodes: [credit.shortcode],
        amount: credit.amount,
        billReference: credit.billReference ?? '',
        msisdn: credit.msisdn ?? '254708374149',
        at: credit.at ?? now(),
        source: 'control',
      };
      extraCredits.push(entry);
      return entry;
    },

    /** Acknowledges a Transaction Status request and schedules its result (or its queue timeout, or nothing). */
    transactionStatus(request: ValidTransactionStatus) {
      const at = now();
      const ids = { conversationId: conversationId(at), originatorConversationId: newRequestId() };
      const current = mode;
      scheduler.after(settings.resultDelayMs, () => {
        if (current === 'silent') return;
        if (current === 'queue_timeout') {
          scheduler.track(
            post(request.queueTimeOutUrl, 'queue_timeout', {
              Result: {
                ResultType: 1,
                ResultCode: 'SVC0001',
                ResultDesc: 'The request timed out in the M-Pesa queue.',
                OriginatorConversationID: ids.originatorConversationId,
                ConversationID: ids.conversationId,
                TransactionID: request.transactionId ?? 'OEI0000000',
              },
            }),
          );
          return;
        }
        scheduler.track(resultBody(request, ids).then((body) => post(request.resultUrl, 'result', body)));
      });
      return ids;
    },

    register(shortcode: string) {
      const already = registered.has(shortcode);
      registered.add(shortcode);
      return already;
    },
    isRegistered: (shortcode: string) => registered.has(shortcode),

    /** One page of credits to `shortcode` between `start` and `end`, within M-Pesa's 48 hours. */
    pull(shortcode: string, start: Date, end: Date, offset: number) {
      const horizon = now().getTime() - 48 * 3600 * 1000;
      const rows = ledger().filter(
        (c) =>
          c.shortcodes.includes(shortcode) &&
          c.at.getTime() >= Math.max(start.getTime(), horizon) &&
          c.at.getTime() <= end.getTime(),
      );
      return rows.slice(offset, offset + settings.pullPageSize).map((c) => ({
        transactionId: c.receipt,
        trxDate: nairobiIso(c.at),
        msisdn: Number(c.msisdn),
        sender: 'SIMULATED CUSTOMER',
        transactiontype: 'c2b-pay-bill-debit',
        billreference: c.billReference,
        amount: String(c.amount),
        organizationname: 'IMARAPAY SANDBOX',
      }));
    },

    reset() {
      extraCredits.length = 0;
      registered.clear();
      wrongAttempts.clear();
      deliveries.length = 0;
      mode = 'normal';
    },
  };
}

export type RecordBook = ReturnType<typeof createRecordBook>;
