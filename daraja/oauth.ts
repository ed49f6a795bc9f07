import type { AxiosInstance } from 'axios';
import { classifyDarajaError } from './errors';
import type { IssuedToken } from './tokenCache';
import { DarajaError, type DarajaCredentials } from './types';

/** Used when Daraja leaves expires_in out or sends something unreadable; its documented lifetime is 3599 s. */
const DEFAULT_EXPIRES_IN_SECONDS = 3599;

export const baseUrlOf = (credentials: Pick<DarajaCredentials, 'baseUrl'>) => credentials.baseUrl.replace(/\/+$/, '');

/** expires_in arrives as a string ("3599") in practice; a number is accepted too. */
export function parseExpiresIn(value: unknown): number {
  const seconds = typeof value === 'string' ? Number(value.trim()) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_EXPIRES_IN_SECONDS;
}

/** Asks Daraja for a new access token. Each call invalidates the app's previous token: go through a TokenCache. */
export async function requestAccessToken(
  http: AxiosInstance,
  credentials: DarajaCredentials,
  timeoutMs: number,
): Promise<IssuedToken> {
  const basic = Buffer.from(`${credentials.consumerKey}:${credentials.consumerSecret}`, 'utf8').toString('base64');
  let data: unknown;
  try {
    const response = await http.get(`${baseUrlOf(credentials)}/oauth/v1/generate`, {
      params: { grant_type: 'client_credentials' },
      headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' },
      timeout: timeoutMs,
    });
    data = response.data;
  } catch (error) {
    throw classifyDarajaError('oauth', error);
  }
  const body = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw new DarajaError('retryable', 'Daraja oauth failed (retryable): the answer has no access_token', null, 200);
  }
  return { accessToken: body.access_token, expiresInMs: parseExpiresIn(body.expires_in) * 1000 };
}
