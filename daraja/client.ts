import axios, { type AxiosInstance } from 'axios';
import pino, { type Logger } from 'pino';
import { maskMsisdn } from '../domain/phone';
import {
  INVALID_TOKEN,
  classifyDarajaError,
  failureFromError,
  isStillProcessing,
  readErrorBody,
  type DarajaOperation,
} from './errors';
import { baseUrlOf, requestAccessToken } from './oauth';
import { buildStkPushBody, buildStkQueryBody } from './requestBuilder';
import { nairobiTimestamp } from './timestamp';
import { sharedTokenCache, tokenCacheKey, type TokenCache } from './tokenCache';
import {
  DarajaError,
  type DarajaClient,
  type DarajaCredentials,
  type StkPushAccepted,
  type StkQueryResult,
} from './types';

export interface DarajaClientOptions {
  /** Base URL and app credentials: the simulator, the sandbox and production differ only here. */
  credentials: DarajaCredentials;
  /** The axios instance to send with (proxies, tests); a fresh one by default. */
  http?: AxiosInstance;
  /** How long one HTTP call may take; after that a push's outcome is unknown (indeterminate). */
  timeoutMs: number;
  /** The clock behind the Timestamp and Password. */
  now?: () => Date;
  logger?: Logger;
  /** Where OAuth tokens are kept; the process-wide shared cache by default (see sharedTokenCache). */
  tokenCache?: TokenCache;
}

const PUSH_PATH = '/mpesa/stkpush/v1/processrequest';
const QUERY_PATH = '/mpesa/stkpushquery/v1/query';

/**
 * Some Daraja deployments answer a query for an unanswered prompt with a normal body and this
 * ResultCode ("The transaction is still under processing") instead of the 500.001.1001 error body.
 * Either way it means pending; reading it as a failure would invite a second charge.
 */
const STILL_PROCESSING_RESULT_CODE = '4999';

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

export function createDarajaClient(options: DarajaClientOptions): DarajaClient {
  const { credentials, timeoutMs } = options;
  const http = options.http ?? axios.create();
  const now = options.now ?? (() => new Date());
  const tokens = options.tokenCache ?? sharedTokenCache;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({
    component: 'daraja',
    baseUrl: baseUrlOf(credentials),
  });
  const cacheKey = tokenCacheKey(credentials);
  const fetchToken = () => requestAccessToken(http, credentials, timeoutMs);

  const send = (path: string, body: object, token: string) =>
    http.post<unknown>(`${baseUrlOf(credentials)}${path}`, body, {
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      timeout: timeoutMs,
    });

  /**
   * Sends one authorised call. On 404.001.03 (token invalid, e.g. another process fetched a new one)
   * the token is refreshed once and the call sent once more: the first one was refused at the gateway,
   * so repeating it cannot push twice. Throws what axios threw, or a DarajaError from the token fetch.
   */
  async function authorised(operation: DarajaOperation, path: string, body: object): Promise<unknown> {
    const token = await tokens.get(cacheKey, fetchToken);
    try {
      return (await send(path, body, token)).data;
    } catch (error) {
      const failure = failureFromError(error);
      if (failure.type !== 'response' || readErrorBody(failure.body)?.errorCode !== INVALID_TOKEN) throw error;
      logger.info({ operation }, 'Daraja rejected the access token; refreshing it once');
      tokens.invalidate(cacheKey, token);
      const fresh = await tokens.get(cacheKey, fetchToken);
      return (await send(path, body, fresh)).data;
    }
  }

  function toDarajaError(operation: DarajaOperation, error: unknown): DarajaError {
    const classified = error instanceof DarajaError ? error : classifyDarajaError(operation, error);
    logger.warn(
      { operation, kind: classified.kind, errorCode: classified.errorCode, httpStatus: classified.httpStatus },
      classified.message,
    );
    return classified;
  }

  return {
    async stkPush(request) {
      // Validation errors (InvalidPushRequestError, InvalidPhoneNumberError) are thrown before anything is sent.
      const body = buildStkPushBody({ request, credentials, timestamp: nairobiTimestamp(now()) });
      const context = {
        amount: body.Amount,
        phone: maskMsisdn(body.PhoneNumber),
        partyB: body.PartyB,
        type: body.TransactionType,
      };
      let data: unknown;
      try {
        data = await authorised('push', PUSH_PATH, body);
      } catch (error) {
        throw toDarajaError('push', error);
      }
      const answer = asRecord(data);
      const responseCode = text(answer.ResponseCode);
      if (responseCode === '0' && typeof answer.CheckoutRequestID === 'string' && answer.CheckoutRequestID !== '') {
        const accepted: StkPushAccepted = {
          merchantRequestId: text(answer.MerchantRequestID),
          checkoutRequestId: answer.CheckoutRequestID,
          customerMessage: text(answer.CustomerMessage),
        };
        logger.info({ ...context, checkoutRequestId: accepted.checkoutRequestId }, 'STK push accepted');
        return accepted;
      }
      if (responseCode !== '' && responseCode !== '0') {
        throw toDarajaError(
          'push',
          new DarajaError(
            'terminal',
            `Daraja push refused: ${responseCode} ${text(answer.ResponseDescription)}`,
            responseCode,
            200,
          ),
        );
      }
      // A 2xx we cannot read: the push may well be on the phone, but we hold no CheckoutRequestID for it.
      throw toDarajaError(
        'push',
        new DarajaError('indeterminate', 'Daraja push answered 2xx without a CheckoutRequestID', null, 200),
      );
    },

    async stkQuery(checkoutRequestId): Promise<StkQueryResult> {
      const body = buildStkQueryBody({ checkoutRequestId, credentials, timestamp: nairobiTimestamp(now()) });
      let data: unknown;
      try {
        data = await authorised('query', QUERY_PATH, body);
      } catch (error) {
        const failure = failureFromError(error);
        if (failure.type === 'response' && isStillProcessing(failure.body)) {
          // Daraja says "pending" with an error body: the customer has not answered yet. Not a failure.
          return {
            state: 'pending',
            description: readErrorBody(failure.body)?.errorMessage ?? 'The transaction is being processed',
          };
        }
        throw toDarajaError('query', error);
      }
      const answer = asRecord(data);
      const resultCode = text(answer.ResultCode).trim();
      if (resultCode === STILL_PROCESSING_RESULT_CODE) {
        return {
          state: 'pending',
          description: text(answer.ResultDesc) || 'The transaction is still under processing',
        };
      }
      if (resultCode === '') {
        throw toDarajaError(
          'query',
          new DarajaError(
            'retryable',
            'Daraja query answered without a ResultCode; ask again later',
            text(answer.ResponseCode) || null,
            200,
          ),
        );
      }
      logger.debug({ checkoutRequestId, resultCode }, 'STK query answered');
      return { state: 'final', resultCode, resultDesc: text(answer.ResultDesc) };
    },
  };
}
