import { AppError } from '../domain/errors';
import { MPESA_MAX_AMOUNT, MPESA_MIN_AMOUNT, isWholeKes, type Kes } from '../domain/money';
import type { ChannelType } from '../domain/payment';
import { ACCOUNT_REFERENCE, TRANSACTION_DESC, cleanMpesaText, type MpesaTextRule } from '../domain/mpesaText';
import { normalizeMsisdn } from '../domain/phone';
import { stkPassword } from './timestamp';
import type { DarajaCredentials, StkPushRequest } from './types';

export type TransactionType = 'CustomerPayBillOnline' | 'CustomerBuyGoodsOnline';

/** The body of POST /mpesa/stkpush/v1/processrequest, field names as Daraja spells them. */
export interface ProcessRequestBody {
  BusinessShortCode: string;
  Password: string;
  Timestamp: string;
  TransactionType: TransactionType;
  Amount: Kes;
  PartyA: string;
  PartyB: string;
  PhoneNumber: string;
  CallBackURL: string;
  AccountReference: string;
  TransactionDesc: string;
}

/** The body of POST /mpesa/stkpushquery/v1/query. */
export interface QueryRequestBody {
  BusinessShortCode: string;
  Password: string;
  Timestamp: string;
  CheckoutRequestID: string;
}

/** Daraja's own limits; longer values fail silently on the handset (ResultCode 1025/9999), so they are refused here. */
export const MAX_ACCOUNT_REFERENCE_LENGTH = ACCOUNT_REFERENCE.max;
export const MAX_TRANSACTION_DESC_LENGTH = TRANSACTION_DESC.max;

const SHORTCODE = /^\d{5,7}$/;

/** A push that Daraja would refuse (or silently fail) is refused before it leaves ImaraPay. */
export class InvalidPushRequestError extends AppError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('validation_failed', message, { field });
    this.name = 'InvalidPushRequestError';
  }
}

/** Till pushes are Buy Goods; paybill and bank channels (a bank is a paybill) are Pay Bill. */
export function transactionTypeFor(channel: ChannelType): TransactionType {
  return channel === 'till' ? 'CustomerBuyGoodsOnline' : 'CustomerPayBillOnline';
}

/** The API checks these fields with the same rule, so a push that reaches here has already passed it. */
function checkText(field: string, rule: MpesaTextRule, value: string): string {
  const result = cleanMpesaText(field, rule, value);
  if (!result.ok) throw new InvalidPushRequestError(field, result.message);
  return result.value;
}

function checkAmount(amount: number): Kes {
  if (!isWholeKes(amount) || amount < MPESA_MIN_AMOUNT || amount > MPESA_MAX_AMOUNT) {
    throw new InvalidPushRequestError(
      'amount',
      `Amount must be a whole number of KES from ${MPESA_MIN_AMOUNT} to ${MPESA_MAX_AMOUNT}.`,
    );
  }
  return amount;
}

function checkCallbackUrl(url: string): string {
  let parsed: URL | null = null;
  try {
    parsed = typeof url === 'string' && !/\s/.test(url) ? new URL(url) : null;
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new InvalidPushRequestError('callback_url', 'CallBackURL must be an http(s) URL without spaces.');
  }
  return url;
}

function checkShortcode(field: string, value: string): string {
  if (typeof value !== 'string' || !SHORTCODE.test(value)) {
    throw new InvalidPushRequestError(field, `${field} must be a shortcode of 5 to 7 digits.`);
  }
  return value;
}

/** Builds the processrequest body; pure, so the same input always gives the same body. */
export function buildStkPushBody(input: {
  request: StkPushRequest;
  credentials: Pick<DarajaCredentials, 'shortcode' | 'passkey'>;
  timestamp: string;
}): ProcessRequestBody {
  const { request, credentials, timestamp } = input;
  const msisdn = normalizeMsisdn(request.phoneNumber);
  return {
    BusinessShortCode: checkShortcode('shortcode', credentials.shortcode),
    Password: stkPassword(credentials.shortcode, credentials.passkey, timestamp),
    Timestamp: timestamp,
    TransactionType: transactionTypeFor(request.channel.type),
    Amount: checkAmount(request.amount),
    PartyA: msisdn,
    PartyB: checkShortcode('party_b', request.channel.partyB),
    PhoneNumber: msisdn,
    CallBackURL: checkCallbackUrl(request.callbackUrl),
    AccountReference: checkText('account_reference', ACCOUNT_REFERENCE, request.channel.accountReference),
    TransactionDesc: checkText('description', TRANSACTION_DESC, request.description),
  };
}

/** Builds the STK query body for one CheckoutRequestID. */
export function buildStkQueryBody(input: {
  checkoutRequestId: string;
  credentials: Pick<DarajaCredentials, 'shortcode' | 'passkey'>;
  timestamp: string;
}): QueryRequestBody {
  const { checkoutRequestId, credentials, timestamp } = input;
  if (typeof checkoutRequestId !== 'string' || checkoutRequestId.trim() === '') {
    throw new InvalidPushRequestError('checkout_request_id', 'CheckoutRequestID is required.');
  }
  return {
    BusinessShortCode: checkShortcode('shortcode', credentials.shortcode),
    Password: stkPassword(credentials.shortcode, credentials.passkey, timestamp),
    Timestamp: timestamp,
    CheckoutRequestID: checkoutRequestId,
  };
}
