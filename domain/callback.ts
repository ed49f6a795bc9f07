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
/** TransactionDate is YYYYMMDDHHmmss in Nairobi time. */
const TRANSACTION_DATE = /^20\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$/;
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
 * (the caller still stores it). ResultCode may be a number or a string; Amount may be "1.00";
 * Balance may come with no Value.
 *
 * Every value is checked where it is parsed. An id or result code no real callback carries makes the
 * whole callback `unusable`. A metadata item that breaks its rule (a receipt that is not one, an
 * Amount that is not a whole KES amount M-Pesa allows) is dropped and named in `problems`, because
 * a success whose evidence is flawed must go to review rather than settle on guesses.
 */
export function parseStkCallback(body: unknown): ParsedCallback | null {
  const cb = (body as { Body?: { stkCallback?: Record<string, unknown> } } | null)?.Body?.stkCallback;
  if (!cb || typeof cb !== 'object') return null;
  const resultCode = asText(cb.ResultCode);
  if (resultCode === null) return null;
  const rawItems = (cb.CallbackMetadata as { Item?: unknown } | null | undefined)?.Item;
  const items = Array.isArray(rawItems) ? (rawItems as Array<{ Name?: unknown; Value?: unknown } | null>) : [];
  const item = (name: string) => items.find((i) => i && typeof i === 'object' && i.Name === name)?.Value;
  const problems: string[] = [];

  const checkoutRequestId = asText(cb.CheckoutRequestID);
  const merchantRequestId = asText(cb.MerchantRequestID);
  const unusable = !RESULT_CODE.test(resultCode)
    ? 'ResultCode is not a Daraja result code'
    : checkoutRequestId !== null && !REQUEST_ID.test(checkoutRequestId)
      ? 'CheckoutRequestID is not a Daraja request id'
      : merchantRequestId !== null && !REQUEST_ID.test(merchantRequestId)
        ? 'MerchantRequestID is not a Daraja request id'
        : null;

  const checked = (
    name: string,
    value: unknown,
    valid: (text: string) => boolean,
    reportable: boolean,
  ): string | null => {
    if (value === undefined || value === null || value === '') return null;
    const text = asText(value);
    if (text !== null && valid(text)) return text;
    if (reportable) problems.push(`${name} is not valid`);
    return null;
  };
  const receipt = checked('MpesaReceiptNumber', item('MpesaReceiptNumber'), (t) => RECEIPT.test(t), true);
  const amountText = checked('Amount', item('Amount'), (t) => isMpesaAmount(Number(t)), true);
  return {
    checkoutRequestId: unusable ? null : checkoutRequestId,
    merchantRequestId: unusable ? null : merchantRequestId,
    resultCode: RESULT_CODE.test(resultCode) ? resultCode : '',
    resultDesc: cleanDescription(cb.ResultDesc),
    receipt,
    amount: amountText === null ? null : Number(amountText),
    // Informative only (the payment's own phone and time are known): a bad value is dropped, not escalated.
    phoneNumber: checked('PhoneNumber', item('PhoneNumber'), (t) => PHONE_NUMBER.test(t), false),
    transactionDate: checked('TransactionDate', item('TransactionDate'), (t) => TRANSACTION_DATE.test(t), false),
    problems,
    unusable,
  };
}

/** Daraja's Amount: a whole number of KES within M-Pesa's limits, possibly written "500.00". */
function isMpesaAmount(n: number): boolean {
  return Number.isInteger(n) && n >= MPESA_MIN_AMOUNT && n <= MPESA_MAX_AMOUNT;
}
