import { parseNairobiTimestamp, stkPassword } from '../daraja/timestamp';

/** A push that passed every check Daraja makes, with its fields as strings and a whole-number amount. */
export interface ValidPush {
  shortcode: string;
  timestamp: string;
  transactionType: 'CustomerPayBillOnline' | 'CustomerBuyGoodsOnline';
  amount: number;
  partyA: string;
  partyB: string;
  phoneNumber: string;
  callbackUrl: string;
  accountReference: string;
  transactionDesc: string;
}

export interface ValidQuery {
  shortcode: string;
  checkoutRequestId: string;
}

export type DarajaRefusal = { ok: false; errorCode: string; errorMessage: string };
export type Checked<T> = { ok: true; value: T } | DarajaRefusal;

const invalid = (field: string): DarajaRefusal => ({
  ok: false,
  errorCode: '400.002.02',
  errorMessage: `Bad Request - Invalid ${field}`,
});
const refused = (errorMessage: string): DarajaRefusal => ({ ok: false, errorCode: '500.001.1001', errorMessage });

const SHORTCODE = /^\d{5,7}$/;
const MSISDN = /^254[71]\d{8}$/;
const TRANSACTION_TYPES = new Set(['CustomerPayBillOnline', 'CustomerBuyGoodsOnline']);

/** Daraja takes shortcodes and phone numbers as JSON strings or numbers. */
function digits(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  return null;
}

function wholeAmount(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 && n <= 250_000 ? n : null;
}

function callbackUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value === '' || /\s/.test(value)) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}

function boundedText(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.trim() !== '' && value.length <= max ? value : null;
}

function credentialsCheck(
  shortcode: string,
  password: string,
  timestamp: string,
  passkeys: Readonly<Record<string, string>>,
): DarajaRefusal | null {
  const passkey = passkeys[shortcode];
  if (passkey === undefined) return refused('Merchant does not exist');
  if (password !== stkPassword(shortcode, passkey, timestamp)) return refused('Wrong credentials');
  return null;
}

/** Checks a processrequest body the way Daraja does: every field, then the merchant and its Password. */
export function validatePush(input: unknown, passkeys: Readonly<Record<string, string>>): Checked<ValidPush> {
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;

  const shortcode = digits(body.BusinessShortCode);
  if (shortcode === null || !SHORTCODE.test(shortcode)) return invalid('BusinessShortCode');
  if (typeof body.Password !== 'string' || body.Password === '') return invalid('Password');
  const timestamp = typeof body.Timestamp === 'string' ? body.Timestamp : digits(body.Timestamp);
  if (timestamp === null || parseNairobiTimestamp(timestamp) === null) return invalid('Timestamp');
  if (typeof body.TransactionType !== 'string' || !TRANSACTION_TYPES.has(body.TransactionType))
    return invalid('TransactionType');
  const amount = wholeAmount(body.Amount);
  if (amount === null) return invalid('Amount');
  const partyA = digits(body.PartyA);
  if (partyA === null || !MSISDN.test(partyA)) return invalid('PartyA');
  const partyB = digits(body.PartyB);
  if (partyB === null || !SHORTCODE.test(partyB)) return invalid('PartyB');
  const phoneNumber = digits(body.PhoneNumber);
  if (phoneNumber === null || !MSISDN.test(phoneNumber)) return invalid('PhoneNumber');
  const url = callbackUrl(body.CallBackURL);
  if (url === null) return invalid('CallBackURL');
  const accountReference = boundedText(body.AccountReference, 12);
  if (accountReference === null) return invalid('AccountReference');
  const transactionDesc = boundedText(body.TransactionDesc, 13);
  if (transactionDesc === null) return invalid('TransactionDesc');

  const refusal = credentialsCheck(shortcode, body.Password, timestamp, passkeys);
  if (refusal) return refusal;

  return {
    ok: true,
    value: {
      shortcode,
      timestamp,
      transactionType: body.TransactionType as ValidPush['transactionType'],
      amount,
      partyA,
      partyB,
      phoneNumber,
      callbackUrl: url,
      accountReference,
      transactionDesc,
    },
  };
}

/** Checks an STK query body: shortcode, Password, Timestamp and a CheckoutRequestID. */
export function validateQuery(input: unknown, passkeys: Readonly<Record<string, string>>): Checked<ValidQuery> {
  const body = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const shortcode = digits(body.BusinessShortCode);
  if (shortcode === null || !SHORTCODE.test(shortcode)) return invalid('BusinessShortCode');
  if (typeof body.Password !== 'string' || body.Password === '') return invalid('Password');
  const timestamp = typeof body.Timestamp === 'string' ? body.Timestamp : digits(body.Timestamp);
  if (timestamp === null || parseNairobiTimestamp(timestamp) === null) return invalid('Timestamp');
  if (typeof body.CheckoutRequestID !== 'string' || body.CheckoutRequestID.trim() === '')
    return invalid('CheckoutRequestID');
  const refusal = credentialsCheck(shortcode, body.Password, timestamp, passkeys);
  if (refusal) return refusal;
  return { ok: true, value: { shortcode, checkoutRequestId: body.CheckoutRequestID } };
}
