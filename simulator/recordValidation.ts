import type { Checked, DarajaRefusal } from './validation';
import type { ValidTransactionStatus } from './mpesaRecords';

const invalid = (field: string): DarajaRefusal => ({
  ok: false,
  errorCode: '400.002.02',
  errorMessage: `Bad Request - Invalid ${field}`,
});

const SHORTCODE = /^\d{5,7}$/;
const RECEIPT = /^[A-Z0-9]{10}$/;

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

/** Checks a Transaction Status body the way Daraja does (400.002.02 naming the first bad field). */
export function validateTransactionStatus(input: unknown): Checked<ValidTransactionStatus> {
  const body = asBody(input);
  const initiator = text(body.Initiator, 100);
  if (!initiator) return invalid('Initiator');
  const securityCredential = text(body.SecurityCredential, 4096);
  if (!securityCredential) return invalid('SecurityCredential');
  if (body.CommandID !== 'TransactionStatusQuery') return invalid('CommandID');
  const transactionId = typeof body.TransactionID === 'string' && body.TransactionID !== '' ? body.TransactionID : null;
  const originalConversationId =
    typeof body.OriginalConversationID === 'string' && body.OriginalConversationID !== ''
      ? body.OriginalConversationID
      : null;
  if (transactionId === null && originalConversationId === null) return invalid('TransactionID');
  if (transactionId !== null && !RECEIPT.test(transactionId)) return invalid('TransactionID');
  const partyA = digits(body.PartyA);
  if (partyA === null || !SHORTCODE.test(partyA)) return invalid('PartyA');
  const identifierType = digits(body.IdentifierType);
  if (identifierType === null || !['1', '2', '4'].includes(identifierType)) return invalid('IdentifierType');
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
      transactionId,
      originalConversationId,
      partyA,
      resultUrl,
      queueTimeOutUrl,
      occasion,
    },
  };
}

export interface ValidPullRegister {
  shortcode: string;
  nominatedNumber: string;
  callbackUrl: string;
}

export function validatePullRegister(input: unknown): Checked<ValidPullRegister> {
  const body = asBody(input);
  const shortcode = digits(body.ShortCode);
  if (shortcode === null || !SHORTCODE.test(shortcode)) return invalid('ShortCode');
  if (body.RequestType !== 'Pull') return invalid('RequestType');
  const nominatedNumber = digits(body.NominatedNumber);
  if (nominatedNumber === null || !/^254[71]\d{8}$/.test(nominatedNumber)) return invalid('NominatedNumber');
  const callbackUrl = url(body.CallBackURL);
  if (!callbackUrl) return invalid('CallBackURL');
  return { ok: true, value: { shortcode, nominatedNumber, callbackUrl } };
}

export interface ValidPullQuery {
  shortcode: string;
  start: Date;
  end: Date;
  offset: number;
}

/** `YYYY-MM-DD HH:mm:ss` (Nairobi) as Safaricom's examples send it; the hour may have one digit. */
function pullDate(value: unknown): Date | null {
  const m =
    typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2}):(\d{2})$/.exec(value.trim()) : null;
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h - 3, mi, s);
  const back = new Date(utc + 3 * 3600 * 1000);
  return back.getUTCDate() === d && back.getUTCMonth() === mo - 1 && back.getUTCMinutes() === mi ? new Date(utc) : null;
}

export function validatePullQuery(input: unknown): Checked<ValidPullQuery> {
  const body = asBody(input);
  const shortcode = digits(body.ShortCode);
  if (shortcode === null || !SHORTCODE.test(shortcode)) return invalid('ShortCode');
  const start = pullDate(body.StartDate);
  if (!start) return invalid('StartDate');
  const end = pullDate(body.EndDate);
  if (!end || end.getTime() < start.getTime()) return invalid('EndDate');
  const offset = digits(body.OffSetValue);
  if (offset === null) return invalid('OffSetValue');
  return { ok: true, value: { shortcode, start, end, offset: Number(offset) } };
}
