import type { AxiosInstance } from 'axios';
import type { Logger } from 'pino';
import { nairobiTimestamp } from '../daraja/timestamp';
import { newReceiptNumber, newRequestId } from './ids';
import type { LedgerCredit, ResultDelivery, ValidTransactionStatus } from './mpesaRecords';
import type { Scheduler } from './scheduler';
import type { SecurityKeys } from './securityKeys';
import type { Checked, DarajaRefusal } from './validation';

/**
 * The Reversal API in the simulator (`POST /mpesa/reversal/v1/request`): Daraja's validation, an
 * acknowledgement, then the result POSTed to the ResultURL (or a queue timeout to the QueueTimeOutURL).
 * The original payment's amount chooses the outcome, like the push's magic amounts:
 *
 * | Original amount | Outcome |
 * |---|---|
 * | any other | reversed (ResultCode 0), with the reversal's own transaction id |
 * | 9921 | the till lacks the funds (ResultCode 1); nothing moves |
 * | 9922 | the initiator is refused (2001), as with a wrong initiator name or password |
 * | 9923 | already reversed (R000001) |
 * | 9924 | no result ever: the request times out in M-Pesa's queue (QueueTimeOutURL only) |
 * | 9925 | reversed, but the result comes only after `longDelayMs` |
 * | 9926 | reversed, but the result is never posted: only Transaction Status tells |
 *
 * Independently of the amount, M-Pesa's own rules apply: a wrong initiator or password is 2001 (and
 * locks after `lockAfter` tries, 8006), an unknown receipt, another shortcode or another amount than
 * the original is R000002, and a second reversal of one receipt is R000001.
 */
export type ReversalOutcomeId =
  | 'reversed'
  | 'insufficient_funds'
  | 'initiator_refused'
  | 'already_reversed'
  | 'queue_timeout'
  | 'late_result'
  | 'result_lost';

export const REVERSAL_OUTCOMES: ReadonlyArray<{ amount: number | null; id: ReversalOutcomeId; summary: string }> = [
  { amount: null, id: 'reversed', summary: 'Reversed: the customer gets the money back; one result.' },
  { amount: 9921, id: 'insufficient_funds', summary: 'The till lacks the funds (ResultCode 1); nothing moves.' },
  { amount: 9922, id: 'initiator_refused', summary: 'The initiator is refused (2001).' },
  { amount: 9923, id: 'already_reversed', summary: 'Already reversed (R000001): the money is already back.' },
  { amount: 9924, id: 'queue_timeout', summary: 'No result ever: a queue timeout only.' },
  { amount: 9925, id: 'late_result', summary: 'Reversed, but the result comes only after a long delay.' },
  { amount: 9926, id: 'result_lost', summary: 'Reversed, but no result is posted: only Transaction Status tells.' },
];

export const reversalOutcomeFor = (amount: number): ReversalOutcomeId =>
  REVERSAL_OUTCOMES.find((o) => o.amount === amount)?.id ?? 'reversed';

export interface ValidReversal {
  initiator: string;
  securityCredential: string;
  transactionId: string;
  amount: number;
  receiverParty: string;
  resultUrl: string;
  queueTimeOutUrl: string;
  occasion: string;
}

const invalid = (field: string): DarajaRefusal => ({
  ok: false,
  errorCode: '400.002.02',
  errorMessage: `Bad Request - Invalid ${field}`,
});

const asBody = (input: unknown) =>
  (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}) as Record<string, unknown>;

function digits(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  return null;
}

function url(value: unknown): string | null {
  if (typeof value !== 'string' || value === '' || /\s/.test(value)) return null;
  try {
    return /^https?:$/.test(new URL(value).protocol) ? value : null;
  } catch {
    return null;
  }
}

const text = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.trim() !== '' && value.length <= max ? value : null;

/** Checks a Reversal body the way Daraja does (400.002.02 naming the first bad field). */
export function validateReversal(input: unknown): Checked<ValidReversal> {
  const body = asBody(input);
  const initiator = text(body.Initiator, 100);
  if (!initiator) return invalid('Initiator');
  const securityCredential = text(body.SecurityCredential, 4096);
  if (!securityCredential) return invalid('SecurityCredential');
  if (body.CommandID !== 'TransactionReversal') return invalid('CommandID');
  if (typeof body.TransactionID !== 'string' || !/^[A-Z0-9]{10}$/.test(body.TransactionID))
    return invalid('TransactionID');
  const amountText = typeof body.Amount === 'number' ? String(body.Amount) : body.Amount;
  if (typeof amountText !== 'string' || !/^\d+(\.0+)?$/.test(amountText) || Number(amountText) < 1)
    return invalid('Amount');
  const receiverParty = digits(body.ReceiverParty);
  if (receiverParty === null || !/^\d{5,7}$/.test(receiverParty)) return invalid('ReceiverParty');
  if (digits(body.RecieverIdentifierType) !== '11') return invalid('RecieverIdentifierType');
  const resultUrl = url(body.ResultURL);
  if (!resultUrl) return invalid('ResultURL');
  const queueTimeOutUrl = url(body.QueueTimeOutURL);
  if (!queueTimeOutUrl) return invalid('QueueTimeOutURL');
  if (!text(body.Remarks, 100)) return invalid('Remarks');
  const occasion = body.Occasion === undefined ? '' : text(body.Occasion, 100);
  if (occasion === null) return invalid('Occasion');
  return {
    ok: true,
    value: {
      initiator,
      securityCredential,
      transactionId: body.TransactionID,
      amount: Number(amountText),
      receiverParty,
      resultUrl,
      queueTimeOutUrl,
      occasion,
    },
  };
}

export interface ReversalSettings {
  /** How long after the acknowledgement the result is POSTed. Default 300 ms. */
  resultDelayMs: number;
  /** late_result (9925): how long after the acknowledgement its result is POSTed. Default 30 000 ms. */
  longDelayMs: number;
  callbackTimeoutMs: number;
  /** Consecutive wrong SecurityCredentials after which an initiator is locked (8006). */
  lockAfter: number;
}

export interface ReversalDeps {
  scheduler: Scheduler;
  http: AxiosInstance;
  now: () => Date;
  logger: Logger;
  keys: Promise<SecurityKeys>;
  initiator: { name: string; password: string };
  ledger: () => LedgerCredit[];
  settings: ReversalSettings;
}

/** One reversal the simulated M-Pesa holds: what was asked and, once processed, its result. */
export interface SimulatedReversal {
  conversationId: string;
  originatorConversationId: string;
  request: ValidReversal;
  outcome: ReversalOutcomeId;
  /** Set once M-Pesa has processed it (the money moved when resultCode is 0). */
  resultCode: string | null;
  reversalReceipt: string | null;
  processedAt: Date | null;
}

const conversationIdAt = (at: Date) => `AG_${nairobiTimestamp(at).slice(0, 8)}_${newRequestId().replace(/-/g, '')}`;

export function createReversalBook(deps: ReversalDeps) {
  const { scheduler, http, now, logger, keys, initiator, ledger, settings } = deps;
  const reversals: SimulatedReversal[] = [];
  const wrongAttempts = new Map<string, number>();
  const deliveries: ResultDelivery[] = [];

  async function post(target: string, kind: ResultDelivery['kind'], body: unknown): Promise<void> {
    const delivery: ResultDelivery = { url: target, kind, body, status: null, error: null };
    try {
      const answer = await http.post(target, body, {
        timeout: settings.callbackTimeoutMs,
        validateStatus: () => true,
        headers: { 'Content-Type': 'application/json' },
      });
      delivery.status = answer.status;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    deliveries.push(delivery);
    logger.info({ kind, status: delivery.status, error: delivery.error }, 'reversal result sent');
  }

  /** Decides the reversal the way M-Pesa would, moving the money (marking the credit reversed) on success. */
  async function process(entry: SimulatedReversal): Promise<{ code: string | number; desc: string }> {
    const { request } = entry;
    const key = `${request.receiverParty}|${request.initiator}`;
    const password = (await keys).decrypt(request.securityCredential);
    if ((wrongAttempts.get(key) ?? 0) >= settings.lockAfter)
      return { code: 8006, desc: 'The security credential is locked.' };
    if (request.initiator !== initiator.name || password !== initiator.password) {
      wrongAttempts.set(key, (wrongAttempts.get(key) ?? 0) + 1);
      return { code: 2001, desc: 'The initiator information is invalid.' };
    }
    wrongAttempts.delete(key);
    const credit = ledger().find(
      (c) => c.receipt === request.transactionId && c.shortcodes.includes(request.receiverParty),
    );
    if (!credit) return { code: 'R000002', desc: 'The OriginalTransactionID is invalid.' };
    if (credit.amount !== request.amount)
      return { code: 'R000002', desc: 'The amount does not match the original transaction.' };
    const reversedBefore = reversals.some(
      (r) => r !== entry && r.request.transactionId === request.transactionId && r.resultCode === '0',
    );
    if (entry.outcome === 'already_reversed' || reversedBefore)
      return { code: 'R000001', desc: 'The transaction has already been reversed.' };
    if (entry.outcome === 'insufficient_funds')
      return { code: 1, desc: 'The balance is insufficient for the transaction.' };
    if (entry.outcome === 'initiator_refused') return { code: 2001, desc: 'The initiator information is invalid.' };
    return { code: 0, desc: 'The service request is processed successfully.' };
  }

  function resultBody(entry: SimulatedReversal, code: string | number, desc: string) {
    const at = entry.processedAt ?? now();
    const base = {
      ResultType: 0,
      ResultCode: code,
      ResultDesc: desc,
      OriginatorConversationID: entry.originatorConversationId,
      ConversationID: entry.conversationId,
      TransactionID: entry.reversalReceipt ?? 'OEI0000000',
      ReferenceData: { ReferenceItem: { Key: 'QueueTimeoutURL', Value: entry.request.queueTimeOutUrl } },
    };
    if (String(code) !== '0') return { Result: base };
    return {
      Result: {
        ...base,
        ResultParameters: {
          ResultParameter: [
            { Key: 'DebitAccountBalance', Value: 'Utility Account|KES|0.00|0.00|0.00|0.00' },
            { Key: 'Amount', Value: entry.request.amount },
            { Key: 'TransCompletedTime', Value: Number(nairobiTimestamp(at)) },
            { Key: 'OriginalTransactionID', Value: entry.request.transactionId },
            { Key: 'Charge', Value: 0 },
            { Key: 'CreditPartyPublicName', Value: '254708374149 - SIMULATED CUSTOMER' },
            { Key: 'DebitPartyPublicName', Value: `${entry.request.receiverParty} - IMARAPAY SANDBOX` },
          ],
        },
      },
    };
  }

  /** Processes `entry` and posts its result (or nothing, or a queue timeout) as its outcome says. */
  async function settle(entry: SimulatedReversal, postResult: boolean): Promise<void> {
    const { code, desc } = await process(entry);
    entry.resultCode = String(code);
    entry.processedAt = now();
    if (entry.resultCode === '0') entry.reversalReceipt = newReceiptNumber();
    if (postResult) await post(entry.request.resultUrl, 'result', resultBody(entry, code, desc));
  }

  return {
    deliveries: () => deliveries.map((d) => structuredClone(d)),
    list: () => reversals.map((r) => structuredClone(r)),

    /** Acknowledges a reversal and schedules what its outcome says. */
    reverse(request: ValidReversal) {
      const at = now();
      const credit = ledger().find((c) => c.receipt === request.transactionId);
      const entry: SimulatedReversal = {
        conversationId: conversationIdAt(at),
        originatorConversationId: newRequestId(),
        request,
        outcome: reversalOutcomeFor(credit?.amount ?? 0),
        resultCode: null,
        reversalReceipt: null,
        processedAt: null,
      };
      reversals.push(entry);
      if (entry.outcome === 'queue_timeout') {
        scheduler.after(settings.resultDelayMs, () =>
          scheduler.track(
            post(request.queueTimeOutUrl, 'queue_timeout', {
              Result: {
                ResultType: 1,
                ResultCode: 'SVC0001',
                ResultDesc: 'The request timed out in the M-Pesa queue.',
                OriginatorConversationID: entry.originatorConversationId,
                ConversationID: entry.conversationId,
                TransactionID: 'OEI0000000',
              },
            }),
          ),
        );
      } else if (entry.outcome === 'result_lost') {
        scheduler.after(settings.resultDelayMs, () => scheduler.track(settle(entry, false)));
      } else {
        const delay = entry.outcome === 'late_result' ? settings.longDelayMs : settings.resultDelayMs;
        scheduler.after(delay, () => scheduler.track(settle(entry, true)));
      }
      return { conversationId: entry.conversationId, originatorConversationId: entry.originatorConversationId };
    },

    /**
     * Transaction Status about a reversal, asked by its OriginatorConversationID or ConversationID:
     * the reversal's own record once processed, else "does not exist"; null when the question is not
     * about a reversal. Asked by an original receipt whose reversal went through: TransactionStatus
     * "Reversed".
     */
    statusAnswer(request: ValidTransactionStatus, ids: { conversationId: string; originatorConversationId: string }) {
      const byConversation = request.originalConversationId
        ? reversals.find(
            (r) =>
              r.originatorConversationId === request.originalConversationId ||
              r.conversationId === request.originalConversationId,
          )
        : undefined;
      const base = {
        ResultType: 0,
        OriginatorConversationID: ids.originatorConversationId,
        ConversationID: ids.conversationId,
        ReferenceData: { ReferenceItem: { Key: 'Occasion', Value: request.occasion } },
      };
      const found = (r: SimulatedReversal, receipt: string, status: string) => {
        const at = Number(nairobiTimestamp(r.processedAt ?? now()));
        return {
          Result: {
            ...base,
            ResultCode: 0,
            ResultDesc: 'The service request is processed successfully.',
            TransactionID: receipt,
            ResultParameters: {
              ResultParameter: [
                { Key: 'ReceiptNo', Value: receipt },
                { Key: 'TransactionStatus', Value: status },
                { Key: 'ReasonType', Value: 'Reversal' },
                { Key: 'Amount', Value: r.request.amount },
                { Key: 'InitiatedTime', Value: at },
                { Key: 'FinalisedTime', Value: at },
                { Key: 'DebitPartyName', Value: `${r.request.receiverParty} - IMARAPAY SANDBOX` },
              ],
            },
          },
        };
      };
      if (request.originalConversationId && !request.transactionId) {
        if (!byConversation) return null;
        if (byConversation.resultCode === '0' && byConversation.reversalReceipt)
          return found(byConversation, byConversation.reversalReceipt, 'Completed');
        return {
          Result: {
            ...base,
            ResultCode: 'R000002',
            ResultDesc: 'The transaction receipt number does not exist.',
            TransactionID: 'OEI0000000',
          },
        };
      }
      const reversed = reversals.find((r) => r.request.transactionId === request.transactionId && r.resultCode === '0');
      return reversed ? found(reversed, request.transactionId!, 'Reversed') : null;
    },

    reset() {
      reversals.length = 0;
      wrongAttempts.clear();
      deliveries.length = 0;
    },
  };
}

export type ReversalBook = ReturnType<typeof createReversalBook>;
