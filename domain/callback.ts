import { parseDarajaAmount } from './money';
import type { CallbackOutcome } from './payment';

/** The fields of a Daraja STK callback, read by name (never by position). */
export type ParsedCallback = Omit<CallbackOutcome, 'callbackId'> & { merchantRequestId: string | null };

const asText = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

/**
 * Reads Daraja's `{ Body: { stkCallback } }` body. Returns null when the body is not that shape
 * (the caller still stores it). ResultCode may be a number or a string; Amount may be "1.00";
 * Balance may come with no Value.
 */
export function parseStkCallback(body: unknown): ParsedCallback | null {
  const cb = (body as { Body?: { stkCallback?: Record<string, unknown> } } | null)?.Body?.stkCallback;
  if (!cb || typeof cb !== 'object') return null;
  const resultCode = asText(cb.ResultCode);
  if (resultCode === null) return null;
  const rawItems = (cb.CallbackMetadata as { Item?: unknown } | undefined)?.Item;
  const items = Array.isArray(rawItems) ? (rawItems as Array<{ Name?: unknown; Value?: unknown }>) : [];
  const item = (name: string) => items.find((i) => i && i.Name === name)?.Value;
  const amount = item('Amount');
  return {
    checkoutRequestId: asText(cb.CheckoutRequestID),
    merchantRequestId: asText(cb.MerchantRequestID),
    resultCode,
    resultDesc: asText(cb.ResultDesc) ?? '',
    receipt: asText(item('MpesaReceiptNumber')),
    amount: amount === undefined ? null : parseDarajaAmount(amount) ?? null,
    phoneNumber: asText(item('PhoneNumber')),
    transactionDate: asText(item('TransactionDate')),
  };
}
