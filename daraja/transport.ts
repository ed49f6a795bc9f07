import axios, { type AxiosInstance } from 'axios';
import pino, { type Logger } from 'pino';
import { INVALID_TOKEN, classifyDarajaError, failureFromError, readErrorBody, type DarajaOperation } from './errors';
import { baseUrlOf, requestAccessToken } from './oauth';
import { sharedTokenCache, tokenCacheKey, type TokenCache } from './tokenCache';
import { DarajaError, type DarajaCredentials } from './types';

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

/** What every Daraja call shares: one token cache per app, one refresh on 404.001.03, one error classification. */
export interface DarajaTransport {
  now: () => Date;
  logger: Logger;
  /**
   * Sends one authorised POST and returns the parsed answer. On 404.001.03 (token invalid, e.g. another
   * process fetched a new one) the token is refreshed once and the call sent once more: the first one
   * was refused at the gateway, so repeating it cannot act twice. Throws what axios threw, or a
   * DarajaError from the token fetch.
   */
  authorised(operation: DarajaOperation, path: string, body: object): Promise<unknown>;
  /** Classifies (unless already a DarajaError), logs without secrets, and returns the typed error. */
  toDarajaError(operation: DarajaOperation, error: unknown): DarajaError;
}

export function createDarajaTransport(options: DarajaClientOptions): DarajaTransport {
  const { credentials, timeoutMs } = options;
  const http = options.http ?? axios.create();
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

  return {
    now: options.now ?? (() => new Date()),
    logger,
    async authorised(operation, path, body) {
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
    },
    toDarajaError(operation, error) {
      const classified = error instanceof DarajaError ? error : classifyDarajaError(operation, error);
      logger.warn(
        { operation, kind: classified.kind, errorCode: classified.errorCode, httpStatus: classified.httpStatus },
        classified.message,
      );
      return classified;
    },
  };
}
