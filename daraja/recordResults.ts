import type { Kes } from '../domain/money';
import { parseNairobiTimestamp } from './timestamp';
import type { PullPage, PulledTransaction } from './recordTypes';

/**
 * Strict readers for what M-Pesa sends back about its own record. A body that does not have the
 * documented shape is `malformed`: stored, shown, and never used to decide a payment.
 *
 * Transaction Status result (POSTed to the ResultURL; Safaricom's Transaction Status page and the
 * payloads integrators publish):
 * `{"Result":{"ResultType":0,"ResultCode":0|"0"|"SFC_IC0003"|…,"ResultDesc","OriginatorConversationID",
 * "ConversationID","TransactionID","ResultParameters":{"ResultParameter":[{"Key","Value"}…]},
 * "ReferenceData":{"ReferenceItem":{"Key":"Occasion","Value"}}}}`. ResultCode arrives as a number or
 * a string; ResultParameter may be one object instead of a list; keys are read by name. The keys used:
 * ReceiptNo, TransactionStatus ("Completed", "Failed", "Cancelled", "Expired", "Pending"…), Amount,
 * DebitPartyName ("2547XXXXXXXX - NAME", possibly masked), InitiatedTime and FinalisedTime
 * (`YYYYMMDDHHmmss`, Nairobi), ReasonType.
 */

export type TransactionStatusOutcome = 'completed' | 'failed' | 'pending' | 'not_found' | 'refused';

export interface TransactionStatusResult {
  conversationId: string;
  originatorConversationId: string;
  resultCode: string;
  resultDesc: string;
  /**
   * - completed / failed / pending: M-Pesa's TransactionStatus for a found transaction (ResultCode 0);
   * - not_found: no such transaction (ResultCode R000002 or "does not exist");
   * - refused: the query itself failed (wrong initiator 2001, credential locked 8006, …): says nothing about the payment.
   */
  outcome: TransactionStatusOutcome;
  receipt: string | null;
  amount: Kes | null;
  payer: string | null;
  completedAt: string | null;
  transactionStatus: string | null;
  reasonType: string | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const RECEIPT = /^[A-Z0-9]{10}$/;
/** Result codes that mean the question could not be answered because of the initiator or its credential. */
export const CREDENTIAL_RESULT_CODES = new Set(['2001', '8006']);
const NOT_FOUND_CODES = new Set(['R000002']);

const record = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

const str = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;

/** Whole KES from 100, "100" or "100.00"; null for fractions, negatives and anything else. */
export function wholeKes(value: unknown): Kes | null {
  const raw = typeof value === 'string' ? value.trim().replace(/,/g, '') : value;
  const n = typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 && Number.isSafeInteger(n) ? n : null;
}

function parameters(result: Record<string, unknown>): Map<string, unknown> | null {
  const container = record(result.ResultParameters);
  if (result.ResultParameters === undefined) return new Map();
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

function statusOutcome(status: string): TransactionStatusOutcome {
  if (/^completed$/i.test(status)) return 'completed';
  if (/^(failed|cancelled|canceled|expired|declined|reversed)$/i.test(status)) return 'failed';
  return 'pending';
}

/** Reads a Transaction Status result body; `ok: false` with the reason when it is not one. */
export function parseTransactionStatusResult(body: unknown): Parsed<TransactionStatusResult> {
  const result = record(record(body)?.Result);
  if (!result) return { ok: false, reason: 'no Result object' };
  const resultCode = str(result.ResultCode)?.trim() ?? '';
  if (resultCode === '') return { ok: false, reason: 'ResultCode missing or not a number/string' };
  const conversationId = str(result.ConversationID) ?? '';
  const originatorConversationId = str(result.OriginatorConversationID) ?? '';
  if (originatorConversationId === '' && conversationId === '')
    return { ok: false, reason: 'neither ConversationID nor OriginatorConversationID' };
  const resultDesc = str(result.ResultDesc) ?? '';
  const params = parameters(result);
  if (!params) return { ok: false, reason: 'ResultParameters is not a list of {Key, Value}' };
  const base = {
    conversationId,
    originatorConversationId,
    resultCode,
    resultDesc,
    receipt: null,
    amount: null,
    payer: null,
    completedAt: null,
    transactionStatus: null,
    reasonType: null,
  };
  if (resultCode !== '0') {
    const notFound = NOT_FOUND_CODES.has(resultCode) || /does not exist|not found|invalid original/i.test(resultDesc);
    return { ok: true, value: { ...base, outcome: notFound ? 'not_found' : 'refused' } };
  }
  const transactionStatus = str(params.get('TransactionStatus'));
  if (!transactionStatus) return { ok: false, reason: 'ResultCode 0 without TransactionStatus' };
  const outcome = statusOutcome(transactionStatus.trim());
  const receiptRaw = str(params.get('ReceiptNo')) ?? str(result.TransactionID);
  const receipt = receiptRaw !== null && RECEIPT.test(receiptRaw.trim()) ? receiptRaw.trim() : null;
  const amount = wholeKes(params.get('Amount'));
  if (outcome === 'completed' && (receipt === null || amount === null))
    return { ok: false, reason: 'a Completed record without a valid ReceiptNo and whole Amount' };
  const finalised = str(params.get('FinalisedTime'));
  const completedAt = finalised ? (parseNairobiTimestamp(finalised.trim())?.toISOString() ?? null) : null;
  return {
    ok: true,
    value: {
      ...base,
      outcome,
      receipt,
      amount,
      payer: str(params.get('DebitPartyName')),
      completedAt,
      transactionStatus,
      reasonType: str(params.get('ReasonType')),
    },
  };
}

/**
 * Reads Pull Transactions' `trxDate`: ISO 8601 with an offset or Z, `YYYY-MM-DD HH:mm:ss` (Nairobi),
 * or `YYYYMMDDHHmmss` (Nairobi). Which one production sends is not settled in Safaricom's pages.
 */
export function parsePullDate(value: unknown): string | null {
  const s = str(value)?.trim();
  if (!s) return null;
  if (/^\d{14}$/.test(s)) return parseNairobiTimestamp(s)?.toISOString() ?? null;
  const local = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2}):(\d{2})$/.exec(s);
  if (local) {
    const [, y, mo, d, h, mi, se] = local;
    return parseNairobiTimestamp(`${y}${mo}${d}${h!.padStart(2, '0')}${mi}${se}`)?.toISOString() ?? null;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : new Date(t).toISOString();
  }
  return null;
}

function pulledRow(value: unknown): PulledTransaction | null {
  const row = record(value);
  if (!row) return null;
  const receipt = str(row.transactionId)?.trim() ?? '';
  const amount = wholeKes(row.amount);
  if (!RECEIPT.test(receipt) || amount === null) return null;
  return {
    receipt,
    occurredAt: parsePullDate(row.trxDate),
    msisdn: str(row.msisdn),
    sender: str(row.sender),
    transactionType: str(row.transactiontype),
    billReference: str(row.billreference),
    amount,
    organizationName: str(row.organizationname),
  };
}

/**
 * Reads a Pull Transactions query answer: `{ResponseRefID, ResponseCode, ResponseMessage, Response}`,
 * where Response is a list of rows (Safaricom's sample nests it one level deeper: `[[row, …]]`; both
 * are read). Unreadable rows are counted, never guessed at.
 */
export function parsePullQueryAnswer(body: unknown): Parsed<PullPage> {
  const answer = record(body);
  if (!answer) return { ok: false, reason: 'not a JSON object' };
  const responseCode = str(answer.ResponseCode)?.trim() ?? '';
  if (responseCode === '') return { ok: false, reason: 'no ResponseCode' };
  const raw = answer.Response ?? [];
  if (!Array.isArray(raw)) return { ok: false, reason: 'Response is not a list' };
  const rows = raw.flatMap((item) => (Array.isArray(item) ? item : [item]) as unknown[]);
  const transactions: PulledTransaction[] = [];
  let unreadable = 0;
  for (const row of rows) {
    const parsed = pulledRow(row);
    if (parsed) transactions.push(parsed);
    else unreadable += 1;
  }
  return {
    ok: true,
    value: { responseCode, responseMessage: str(answer.ResponseMessage) ?? '', transactions, unreadable },
  };
}
