import { normalizeMsisdn } from '../domain/phone';
import { InvalidPushRequestError } from './requestBuilder';
import { nairobiTimestamp } from './timestamp';
import type { PullQueryRequest, PullRegisterRequest, TransactionStatusRequest } from './recordTypes';

/** `POST /mpesa/transactionstatus/v1/query`, field names as Daraja spells them. */
export interface TransactionStatusBody {
  Initiator: string;
  SecurityCredential: string;
  CommandID: 'TransactionStatusQuery';
  /** The receipt; left out when asking by OriginalConversationID. */
  TransactionID?: string;
  OriginalConversationID?: string;
  PartyA: string;
  IdentifierType: '2' | '4';
  ResultURL: string;
  QueueTimeOutURL: string;
  Remarks: string;
  Occasion: string;
}

export interface PullRegisterBody {
  ShortCode: string;
  RequestType: 'Pull';
  NominatedNumber: string;
  CallBackURL: string;
}

export interface PullQueryBody {
  ShortCode: string;
  /** `YYYY-MM-DD HH:mm:ss`, Nairobi time, as in Safaricom's examples. */
  StartDate: string;
  EndDate: string;
  OffSetValue: string;
}

const SHORTCODE = /^\d{5,7}$/;
/** Daraja's Remarks and Occasion: 2 to 100 characters (Remarks is required). */
const MAX_REMARKS = 100;
/** M-Pesa keeps Pull Transactions for 48 hours. */
export const PULL_RETENTION_MS = 48 * 60 * 60 * 1000;

function shortcode(field: string, value: string): string {
  if (typeof value !== 'string' || !SHORTCODE.test(value))
    throw new InvalidPushRequestError(field, `${field} must be a shortcode of 5 to 7 digits.`);
  return value;
}

function httpUrl(field: string, value: string): string {
  let ok = false;
  try {
    ok = typeof value === 'string' && !/\s/.test(value) && /^https?:$/.test(new URL(value).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw new InvalidPushRequestError(field, `${field} must be an http(s) URL without spaces.`);
  return value;
}

function text(field: string, value: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    throw new InvalidPushRequestError(field, `${field} must be 1 to ${max} characters.`);
  return value;
}

/** `YYYY-MM-DD HH:mm:ss` in Nairobi time (Daraja's Pull Transactions dates). */
export function pullDate(instant: Date): string {
  const t = nairobiTimestamp(instant);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`;
}

/** Builds the Transaction Status body; throws InvalidPushRequestError for what Daraja would refuse. */
export function buildTransactionStatusBody(request: TransactionStatusRequest): TransactionStatusBody {
  const receipt = request.transactionId?.trim() ?? '';
  const conversation = request.originalConversationId?.trim() ?? '';
  if (receipt === '' && conversation === '')
    throw new InvalidPushRequestError(
      'transaction_id',
      'A receipt (TransactionID) or OriginalConversationID is needed.',
    );
  if (receipt !== '' && !/^[A-Z0-9]{10}$/.test(receipt))
    throw new InvalidPushRequestError(
      'transaction_id',
      'TransactionID must be an M-Pesa receipt: 10 letters or digits.',
    );
  return {
    Initiator: text('initiator', request.initiator.name, 100),
    SecurityCredential: text('security_credential', request.initiator.securityCredential, 4096),
    CommandID: 'TransactionStatusQuery',
    ...(receipt !== '' ? { TransactionID: receipt } : {}),
    ...(conversation !== '' ? { OriginalConversationID: conversation } : {}),
    PartyA: shortcode('party_a', request.partyA),
    IdentifierType: request.identifierType,
    ResultURL: httpUrl('result_url', request.resultUrl),
    QueueTimeOutURL: httpUrl('queue_timeout_url', request.queueTimeOutUrl),
    Remarks: text('remarks', request.remarks, MAX_REMARKS),
    Occasion:
      request.occasion && request.occasion.trim() !== ''
        ? text('occasion', request.occasion, MAX_REMARKS)
        : 'Reconciliation',
  };
}

export function buildPullRegisterBody(request: PullRegisterRequest): PullRegisterBody {
  return {
    ShortCode: shortcode('shortcode', request.shortcode),
    RequestType: 'Pull',
    NominatedNumber: normalizeMsisdn(request.nominatedNumber),
    CallBackURL: httpUrl('callback_url', request.callbackUrl),
  };
}

/** Builds a Pull Transactions query; the window must be ordered and inside M-Pesa's 48 hours. */
export function buildPullQueryBody(request: PullQueryRequest, now: Date): PullQueryBody {
  const { startDate, endDate } = request;
  if (
    !(startDate instanceof Date) ||
    !(endDate instanceof Date) ||
    Number.isNaN(startDate.getTime()) ||
    Number.isNaN(endDate.getTime())
  )
    throw new InvalidPushRequestError('start_date', 'StartDate and EndDate must be dates.');
  if (startDate.getTime() > endDate.getTime())
    throw new InvalidPushRequestError('start_date', 'StartDate must not be after EndDate.');
  if (now.getTime() - startDate.getTime() > PULL_RETENTION_MS)
    throw new InvalidPushRequestError('start_date', 'Pull Transactions keeps only the last 48 hours.');
  if (!Number.isSafeInteger(request.offset) || request.offset < 0)
    throw new InvalidPushRequestError('offset', 'OffSetValue must be a whole number ≥ 0.');
  return {
    ShortCode: shortcode('shortcode', request.shortcode),
    StartDate: pullDate(startDate),
    EndDate: pullDate(endDate),
    OffSetValue: String(request.offset),
  };
}
