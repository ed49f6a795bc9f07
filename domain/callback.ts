import { MPESA_MAX_AMOUNT, MPESA_MIN_AMOUNT } from './money';
import type { CallbackOutcome } from './payment';

/**
 * The fields of a Daraja STK callback, read by name (never by position), each bounded and checked
 * here, where it enters ImaraPay: no later step (a column, a signal, a webhook) can choke on it.
 */
export type ParsedCallback = Omit<CallbackOutcome, 'callbackId' | 'problems'> & {
  merchantRequestId: string | null;
  problems: string[];
  /**
   * Why the callback cannot be acted on although it has Daraja's shape (an identifier or result
   * code that no real callback carries); null when it can. Such a callback is stored as malformed.
   */
  unusable: string | null;
};

/** Daraja's ids are `ws_CO_…` / `…-…-…` of printable ASCII; the columns hold 64. */
const REQUEST_ID = /^[\x21-\x7e]{1,64}$/;
/** Numbers (0, 1032) and M-Pesa's text codes (SFC_IC0003); the column holds 20. */
const RESULT_CODE = /^[A-Za-z0-9_.-]{1,20}$/;
/** M-Pesa receipts are 10 upper-case letters and digits (R33MVBMXSF); anything else is not a receipt. */
const RECEIPT = /^[A-Z0-9]{8,20}$/;

/**
 * Whether `text` is an M-Pesa receipt as Daraja writes MpesaReceiptNumber: upper-case letters and
 * digits, 8 to 20 of them (R33MVBMXSF). The same rule reads callbacks and operators' resolutions.
 */
export const isMpesaReceipt = (text: string): boolean => RECEIPT.test(text);
/**
 * TransactionDate as Daraja documents it: YYYYMMDDHHmmss in Nairobi time (a number or a string). Some
 * callbacks write it `YYYY-MM-DD HH:mm:ss` or ISO 8601 without an offset (also Nairobi time): those are
 * read into the documented form, so M-Pesa's own time is kept whatever its spelling.
 */
const TRANSACTION_DATE = /^20\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$/;
const SEPARATED_DATE = /^(20\d{2})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?$/;
/** The payer's MSISDN; Safaricom masks some digits in some callbacks (`25470****149`). */
const PHONE_NUMBER = /^254[0-9*]{9}$/;
const MAX_RESULT_DESC = 500;

const asText = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

/** Drops control characters (NUL cannot even be stored) and bounds free text Daraja controls. */
const cleanDescription = (v: unknown): string =>
  (asText(v) ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_RESULT_DESC);

/**
 * Reads Daraja's `{ Body: { stkCallback } }` body. Returns null when the body is not that shape
 * (the caller still stores it). ResultCode may be a whole number or a string; Amount may be "1.00";
 * Balance may come with no Value.
 *
 * Every value is checked where it is parsed, by its JSON type as well as its text:
 * - The fields that identify the payment (CheckoutRequestID, MerchantRequestID) are strings in every
 *   callback Daraja documents. One that is present but not such a string (null, true, a number, an
 *   array, an object, an over-long or non-printable text) makes the whole callback `unusable`: it is
 *   stored and decides nothing. An absent one leaves `checkoutRequestId` null, which matches only a
 *   push that has no id of its own and then only on its amount (domain/payment.ts `callbackMatchesPush`).
 * - ResultCode that is neither a whole number nor a Daraja code makes it `unusable` too.
 * - A metadata item that breaks its rule (a receipt that is not one, an Amount that is not a whole
 *   KES amount M-Pesa allows, the same item given twice with different values), or a success that lacks
 *   its Amount or MpesaReceiptNumber, is dropped and named in `problems`, because a success whose
 *   evidence is flawed must go to review rather than settle on guesses.
 */
export function parseStkCallback(body: unknown): ParsedCallback | null {
  const cb = (body as { Body?: { stkCallback?: Record<string, unknown> } } | null)?.Body?.stkCallback;
  if (!cb || typeof cb !== 'object' || Array.isArray(cb)) return null;
  const resultCode = resultCodeText(cb.ResultCode);
  if (resultCode === null) return null;
  const rawItems = (cb.CallbackMetadata as { Item?: unknown } | null | undefined)?.Item;
  const items = Array.isArray(rawItems) ? (rawItems as Array<{ Name?: unknown; Value?: unknown } | null>) : [];
  const named = (name: string) => items.filter((i) => i && typeof i === 'object' && i.Name === name);
  const item = (name: string) => named(name)[0]?.Value;
  const problems: string[] = [];

  const checkoutRequestId = requestId(cb, 'CheckoutRequestID');
  const merchantRequestId = requestId(cb, 'MerchantRequestID');
  const unusable = !RESULT_CODE.test(resultCode)
    ? 'ResultCode is not a Daraja result code'
    : checkoutRequestId === INVALID
      ? 'CheckoutRequestID is not a Daraja request id'
      : merchantRequestId === INVALID
        ? 'MerchantRequestID is not a Daraja request id'
        : null;

  const checked = (name: string, valid: (text: string) => string | null, reportable: boolean): string | null => {
    const values = named(name).map((i) => i!.Value);
    const value = values[0];
    if (reportable && new Set(values.map((v) => JSON.stringify(v ?? null))).size > 1) {
      problems.push(`${name} is given more than once with different values`);
      return null;
    }
    if (value === undefined || value === null || value === '') return null;
    const text = asText(value);
    const read = text === null ? null : valid(text);
    if (read !== null) return read;
    if (reportable) problems.push(`${name} is not valid`);
    return null;
  };
  const receipt = checked('MpesaReceiptNumber', (t) => (RECEIPT.test(t) ? t : null), true);
  const amountText = checked('Amount', (t) => (isMpesaAmount(Number(t)) ? t : null), true);
  const success = resultCode === '0';
  // A success M-Pesa really made always names its receipt and amount: without them nothing proves the money.
  if (success && !unusable) {
    if (receipt === null && item('MpesaReceiptNumber') == null) problems.push('MpesaReceiptNumber is missing');
    if (amountText === null && item('Amount') == null) problems.push('Amount is missing');
  }
  return {
    checkoutRequestId: unusable || checkoutRequestId === INVALID ? null : checkoutRequestId,
    merchantRequestId: unusable || merchantRequestId === INVALID ? null : merchantRequestId,
    resultCode: RESULT_CODE.test(resultCode) ? resultCode : '',
    resultDesc: cleanDescription(cb.ResultDesc),
    receipt,
    amount: amountText === null ? null : Number(amountText),
    // Informative only (the payment's own phone and time are known): a bad value is dropped, not escalated.
    phoneNumber: checked('PhoneNumber', (t) => (PHONE_NUMBER.test(t) ? t : null), false),
    transactionDate: checked('TransactionDate', transactionDateOf, false),
    problems,
    unusable,
  };
}

/** Marks an identifying field that is present but is not a Daraja id. */
const INVALID = Symbol('invalid');

/** A request id field: its text, null when absent, INVALID when present as anything but a Daraja id string. */
function requestId(cb: Record<string, unknown>, field: string): string | null | typeof INVALID {
  if (!Object.prototype.hasOwnProperty.call(cb, field) || cb[field] === undefined) return null;
  const value = cb[field];
  return typeof value === 'string' && REQUEST_ID.test(value) ? value : INVALID;
}

/** ResultCode as text: a whole non-negative number (0, 1032) or a string; null for any other JSON type. */
function resultCodeText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : '\u0000';
  return null;
}

/**
 * TransactionDate in Daraja's documented form, YYYYMMDDHHmmss (Nairobi time), from that form or from
 * `YYYY-MM-DD HH:mm:ss` / `YYYY-MM-DDTHH:mm:ss`; null when it is neither or names no real time.
 */
export function transactionDateOf(text: string): string | null {
  const separated = SEPARATED_DATE.exec(text);
  const compact = separated ? separated.slice(1, 7).join('') : text;
  return TRANSACTION_DATE.test(compact) ? compact : null;
}

/** Daraja's Amount: a whole number of KES within M-Pesa's limits, possibly written "500.00". */
function isMpesaAmount(n: number): boolean {
  return Number.isInteger(n) && n >= MPESA_MIN_AMOUNT && n <= MPESA_MAX_AMOUNT;
}
