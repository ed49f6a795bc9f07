import { isAxiosError } from 'axios';
import { DarajaError, type DarajaErrorKind } from './types';

/** Which Daraja call failed: the same failure means different things for a push and a query. */
export type DarajaOperation =
  'oauth' | 'push' | 'query' | 'transaction_status' | 'pull_register' | 'pull_query' | 'dynamic_qr' | 'reversal';

/**
 * Calls that move money: a push prompts the customer, a reversal returns their money. A timeout after
 * the request left may have acted, so its outcome is unknown (indeterminate), never "failed".
 */
const MOVES_MONEY: ReadonlySet<DarajaOperation> = new Set(['push', 'reversal']);

/** A failed Daraja call reduced to what classification needs: no headers, no request body, no secrets. */
export type DarajaFailure =
  { type: 'response'; status: number; body: unknown } | { type: 'transport'; code: string | null; message: string };

/** Daraja's error shape: `{ requestId, errorCode, errorMessage }`. */
export interface DarajaErrorBody {
  requestId: string | null;
  errorCode: string;
  errorMessage: string;
}

export const INVALID_TOKEN = '404.001.03';
export const SPIKE_ARREST = '500.003.02';
export const QUOTA_VIOLATION = '500.003.03';
/** One code, several meanings: "Merchant does not exist", "Wrong credentials", "The transaction is being processed", … */
export const GENERIC_FAILURE = '500.001.1001';

/**
 * Transport failures that happen before a single byte of the request reaches Daraja:
 * no DNS answer, nobody listening, no route, a TLS handshake refused. Nothing can have been pushed.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads Daraja's error body, wherever it came from (JSON object or unparsed text); null if it is not one. */
export function readErrorBody(body: unknown): DarajaErrorBody | null {
  const parsed = parseBody(body);
  if (typeof parsed !== 'object' || parsed === null) return null;
  const record = parsed as Record<string, unknown>;
  if (typeof record.errorCode !== 'string' && typeof record.errorCode !== 'number') return null;
  return {
    requestId: typeof record.requestId === 'string' ? record.requestId : null,
    errorCode: String(record.errorCode),
    errorMessage: typeof record.errorMessage === 'string' ? record.errorMessage : '',
  };
}

/** The STK query's way of saying "the customer has not answered yet": an error body that means pending. */
export function isStillProcessing(body: unknown): boolean {
  const error = readErrorBody(body);
  return error !== null && error.errorCode === GENERIC_FAILURE && /being processed/i.test(error.errorMessage);
}

/** Turns whatever axios threw into a DarajaFailure. Anything unknown counts as a transport failure. */
export function failureFromError(error: unknown): DarajaFailure {
  if (isAxiosError(error)) {
    if (error.response) return { type: 'response', status: error.response.status, body: error.response.data };
    return { type: 'transport', code: error.code ?? null, message: error.message };
  }
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : null;
  return { type: 'transport', code, message: error instanceof Error ? error.message : String(error) };
}

const fail = (
  kind: DarajaErrorKind,
  operation: DarajaOperation,
  detail: string,
  errorCode: string | null,
  status: number | null,
) => new DarajaError(kind, `Daraja ${operation} failed (${kind}): ${detail}`, errorCode, status);

function classifyTransport(operation: DarajaOperation, code: string | null, message: string): DarajaError {
  const detail = code ? `${code} ${message}` : message;
  if (!MOVES_MONEY.has(operation) || (code !== null && NOT_SENT_CODES.has(code))) {
    // A token request or a query has no effect on the customer; asking again is always safe.
    return fail('retryable', operation, detail, code, null);
  }
  // Timeout, reset, hang-up after the request left: the prompt may be on the customer's phone right now.
  return fail('indeterminate', operation, detail, code, null);
}

function classifyGenericFailure(operation: DarajaOperation, error: DarajaErrorBody, status: number): DarajaError {
  const detail = `${error.errorCode} ${error.errorMessage}`;
  if (/unable to lock subscriber|already in process|being processed/i.test(error.errorMessage)) {
    // The subscriber is busy with another transaction; this request was refused and may be sent after a pause.
    return fail('retryable', operation, detail, error.errorCode, status);
  }
  // "Merchant does not exist", "Wrong credentials" and the like: a configuration problem, retrying will not fix it.
  return fail('terminal', operation, detail, error.errorCode, status);
}

function classifyResponse(operation: DarajaOperation, status: number, body: unknown): DarajaError {
  const error = readErrorBody(body);
  const code = error?.errorCode ?? null;
  const detail = error ? `${error.errorCode} ${error.errorMessage}` : `HTTP ${status} with no Daraja error body`;

  if (code === INVALID_TOKEN) return fail('retryable', operation, detail, code, status);
  if (status === 429 || code === SPIKE_ARREST || code === QUOTA_VIOLATION) {
    // Rate limiting happens at the gateway, before the request is processed.
    return fail('retryable', operation, detail, code, status);
  }
  if (error && code === GENERIC_FAILURE) return classifyGenericFailure(operation, error, status);
  if (code !== null && !code.includes('.')) {
    // A bare M-Pesa result code ("2028", "SFC_IC0003", "8006") in an error body is a business refusal.
    return fail('terminal', operation, detail, code, status);
  }
  if (status === 408) return fail('retryable', operation, detail, code, status);
  if ((status >= 400 && status < 500) || code?.startsWith('400.')) {
    return fail('terminal', operation, detail, code, status);
  }
  // A bare 502/503 on a push may come from a proxy after the request was forwarded: only a Daraja
  // error body proves it was refused before anything happened.
  if ((status === 502 || status === 503) && (!MOVES_MONEY.has(operation) || error))
    return fail('retryable', operation, detail, code, status);
  if (MOVES_MONEY.has(operation)) {
    // A 5xx we cannot read (or a 504 from a gateway that gave up waiting) may come after the push
    // reached the phone: the outcome is unknown, never "failed", and the push must not be repeated.
    return fail('indeterminate', operation, detail, code, status);
  }
  return fail('retryable', operation, detail, code, status);
}

/**
 * Sorts a Daraja failure into retryable / terminal / indeterminate (see DarajaErrorKind).
 * For a query, "being processed" is not a failure: callers check isStillProcessing first.
 */
export function classifyDarajaFailure(operation: DarajaOperation, failure: DarajaFailure): DarajaError {
  return failure.type === 'transport'
    ? classifyTransport(operation, failure.code, failure.message)
    : classifyResponse(operation, failure.status, failure.body);
}

/** classifyDarajaFailure for whatever axios threw. */
export function classifyDarajaError(operation: DarajaOperation, error: unknown): DarajaError {
  return classifyDarajaFailure(operation, failureFromError(error));
}
