import type { Kes } from '../domain/money';
import type { AsyncAccepted, Initiator } from './recordTypes';
import { InvalidPushRequestError } from './requestBuilder';
import { parseNairobiTimestamp } from './timestamp';
import { createDarajaTransport, type DarajaClientOptions } from './transport';
import { DarajaError } from './types';

/**
 * Daraja's Reversal API (`POST /mpesa/reversal/v1/request`): returns the money of one C2B credit (an
 * STK payment) to the customer. Asynchronous like Transaction Status: Daraja acknowledges with
 * ConversationID / OriginatorConversationID, then POSTs the outcome to the ResultURL, or to the
 * QueueTimeOutURL when the request expired in M-Pesa's queue. The initiator needs the "Org Reversals
 * Initiator" role on the M-Pesa organisation portal. Partial reversals are not documented by
 * Safaricom: ImaraPay always reverses the full amount of the original transaction.
 */

const REVERSAL_PATH = '/mpesa/reversal/v1/request';

/** One reversal, as ImaraPay asks for it. */
export interface ReversalRequest {
  initiator: Initiator;
  /** The M-Pesa receipt of the payment to reverse (Daraja's TransactionID). */
  transactionId: string;
  /** Whole KES: the full amount of the original transaction. */
  amount: Kes;
  /** The shortcode that received the payment (till or paybill); Daraja's ReceiverParty. */
  receiverParty: string;
  resultUrl: string;
  queueTimeOutUrl: string;
  /** 1 to 100 characters; Daraja requires it. */
  remarks: string;
  occasion?: string;
}

/** `POST /mpesa/reversal/v1/request`, field names as Daraja spells them (RecieverIdentifierType included). */
export interface ReversalBody {
  Initiator: string;
  SecurityCredential: string;
  CommandID: 'TransactionReversal';
  TransactionID: string;
  Amount: string;
  ReceiverParty: string;
  /** Always "11" in Daraja's reversal documentation; the misspelling is Daraja's own. */
  RecieverIdentifierType: '11';
  ResultURL: string;
  QueueTimeOutURL: string;
  Remarks: string;
  Occasion: string;
}

const RECEIPT = /^[A-Z0-9]{10}$/;
const SHORTCODE = /^\d{5,7}$/;
const MAX_TEXT = 100;

function invalid(field: string, message: string): never {
  throw new InvalidPushRequestError(field, message);
}

function text(field: string, value: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    invalid(field, `${field} must be 1 to ${max} characters.`);
  return value;
}

function httpUrl(field: string, value: string): string {
  let ok = false;
  try {
    ok = typeof value === 'string' && !/\s/.test(value) && /^https?:$/.test(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok) invalid(field, `${field} must be an http(s) URL without spaces.`);
  return value;
}

/** Builds the Reversal body; throws InvalidPushRequestError (naming the field) for what Daraja would refuse. */
export function buildReversalBody(request: ReversalRequest): ReversalBody {
  if (!RECEIPT.test(request.transactionId ?? ''))
    invalid('transaction_id', 'TransactionID must be an M-Pesa receipt: 10 letters or digits.');
  if (!Number.isSafeInteger(request.amount) || request.amount < 1)
    invalid('amount', 'Amount must be a whole number of KES, at least 1.');
  if (!SHORTCODE.test(request.receiverParty ?? ''))
    invalid('receiver_party', 'ReceiverParty must be a shortcode of 5 to 7 digits.');
  return {
    Initiator: text('initiator', request.initiator.name, MAX_TEXT),
    SecurityCredential: text('security_credential', request.initiator.securityCredential, 4096),
    CommandID: 'TransactionReversal',
    TransactionID: request.transactionId,
    Amount: String(request.amount),
    ReceiverParty: request.receiverParty,
    RecieverIdentifierType: '11',
    ResultURL: httpUrl('result_url', request.resultUrl),
    QueueTimeOutURL: httpUrl('queue_timeout_url', request.queueTimeOutUrl),
    Remarks: text('remarks', request.remarks, MAX_TEXT),
    Occasion:
      request.occasion && request.occasion.trim() !== '' ? text('occasion', request.occasion, MAX_TEXT) : 'Reversal',
  };
}

/** The Daraja call that reverses a payment. */
export interface ReversalClient {
  /**
   * Sends one reversal request and resolves with Daraja's acknowledgement. Throws
   * InvalidPushRequestError before sending, or a DarajaError: `terminal` (refused, nothing happened),
   * `retryable` (refused before processing: spike arrest, token), `indeterminate` (the request may have
   * reached M-Pesa: a timeout after sending, an unreadable 5xx). Never repeat an indeterminate one blindly.
   */
  reverse(request: ReversalRequest): Promise<AsyncAccepted>;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const str = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : '';

/** The Reversal client, sharing the STK client's token cache, 404.001.03 refresh and error classification. */
export function createReversalClient(options: DarajaClientOptions): ReversalClient {
  const { authorised, toDarajaError, logger } = createDarajaTransport(options);
  return {
    async reverse(request) {
      const body = buildReversalBody(request);
      let data: unknown;
      try {
        data = await authorised('reversal', REVERSAL_PATH, body);
      } catch (error) {
        throw toDarajaError('reversal', error);
      }
      const answer = asRecord(data);
      const code = str(answer.ResponseCode).trim();
      const conversationId = str(answer.ConversationID);
      if (code === '0' && conversationId !== '') {
        logger.info({ receiverParty: body.ReceiverParty, conversationId }, 'Reversal accepted');
        return {
          conversationId,
          originatorConversationId: str(answer.OriginatorConversationID),
          responseDescription: str(answer.ResponseDescription),
        };
      }
      // A 200 without an acknowledgement: Daraja may or may not have queued it.
      throw toDarajaError(
        'reversal',
        new DarajaError(
          code === '' ? 'indeterminate' : 'terminal',
          `Daraja reversal refused: ${code || 'no ResponseCode'} ${str(answer.ResponseDescription)}`,
          code || null,
          200,
        ),
      );
    },
  };
}

/**
 * What a reversal result says:
 * - reversed: ResultCode 0, M-Pesa moved the money back (`reversalReceipt` is the reversal's own transaction id);
 * - already_reversed: R000001, the payment was reversed before: the money is back with the customer;
 * - failed: any other code (1 the shortcode lacks the funds, 2001 wrong initiator, 8006 credential
 *   locked, 21 the initiator lacks the reversal role, R000002 no such original transaction): nothing moved.
 */
export type ReversalOutcome = 'reversed' | 'already_reversed' | 'failed';

export interface ReversalResult {
  conversationId: string;
  originatorConversationId: string;
  resultCode: string;
  resultDesc: string;
  outcome: ReversalOutcome;
  /** The reversal's own M-Pesa transaction id (Result.TransactionID), when M-Pesa gave one. */
  reversalReceipt: string | null;
  /** The original receipt, when the result names it (OriginalTransactionID). */
  originalReceipt: string | null;
  amount: Kes | null;
  completedAt: string | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** M-Pesa's result code for "this transaction has already been reversed". */
export const ALREADY_REVERSED = 'R000001';

const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

function parameters(result: Record<string, unknown>): Map<string, unknown> | null {
  if (result.ResultParameters === undefined) return new Map();
  const container = record(result.ResultParameters);
  if (!container) return null;
  const list = Array.isArray(container.ResultParameter) ? container.ResultParameter : [container.ResultParameter];
  const out = new Map<string, unknown>();
  for (const item of list) {
    const entry = record(item);
    if (!entry || typeof entry.Key !== 'string') return null;
    out.set(entry.Key, entry.Value);
  }
  return out;
}

function wholeKes(value: unknown): Kes | null {
  const raw = typeof value === 'string' ? value.trim() : value;
  const n = typeof raw === 'string' && /^\d+(\.0+)?$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * Reads a Reversal result (`{"Result":{ResultType, ResultCode, ResultDesc, OriginatorConversationID,
 * ConversationID, TransactionID, ResultParameters:{ResultParameter:[{Key, Value}]}}}`; keys read by
 * name: Amount, OriginalTransactionID, TransCompletedTime `YYYYMMDDHHmmss` Nairobi, DebitAccountBalance,
 * CreditPartyPublicName). ResultCode may be a number or a string. `ok: false` with the reason when it
 * is not one; a malformed body decides nothing.
 */
export function parseReversalResult(body: unknown): Parsed<ReversalResult> {
  const result = record(record(body)?.Result);
  if (!result) return { ok: false, reason: 'no Result object' };
  const resultCode = str(result.ResultCode).trim();
  if (resultCode === '') return { ok: false, reason: 'ResultCode missing or not a number/string' };
  const conversationId = str(result.ConversationID);
  const originatorConversationId = str(result.OriginatorConversationID);
  if (conversationId === '' && originatorConversationId === '')
    return { ok: false, reason: 'neither ConversationID nor OriginatorConversationID' };
  const params = parameters(result);
  if (!params) return { ok: false, reason: 'ResultParameters is not a list of {Key, Value}' };
  const transactionId = str(result.TransactionID).trim();
  const original = str(params.get('OriginalTransactionID')).trim();
  const completed = str(params.get('TransCompletedTime')).trim();
  const outcome: ReversalOutcome =
    resultCode === '0' ? 'reversed' : resultCode === ALREADY_REVERSED ? 'already_reversed' : 'failed';
  return {
    ok: true,
    value: {
      conversationId,
      originatorConversationId,
      resultCode,
      resultDesc: str(result.ResultDesc),
      outcome,
      reversalReceipt: outcome === 'reversed' && RECEIPT.test(transactionId) ? transactionId : null,
      originalReceipt: RECEIPT.test(original) ? original : null,
      amount: wholeKes(params.get('Amount')),
      completedAt: completed ? (parseNairobiTimestamp(completed)?.toISOString() ?? null) : null,
    },
  };
}
