import type { DarajaCredentials } from './types';

/** A token as Daraja issued it, with its lifetime already converted to milliseconds. */
export interface IssuedToken {
  accessToken: string;
  expiresInMs: number;
}

/**
 * Daraja OAuth tokens, cached per credential set.
 *
 * Safaricom invalidates the previous token whenever a new one is issued for the same app, so two
 * fetches at once would leave one caller holding a dead token. Every caller therefore shares one
 * cached token and, while it is being fetched, one in-flight request.
 */
export interface TokenCache {
  /** The cached token for `key`, the one being fetched right now, or a fresh one from `fetchToken`. */
  get(key: string, fetchToken: () => Promise<IssuedToken>): Promise<string>;
  /** Forgets `token` if it is still the cached one; later invalidations of an already replaced token do nothing. */
  invalidate(key: string, token: string): void;
}

export interface TokenCacheOptions {
  /** Milliseconds since the epoch; injectable so tests can move past expiry. */
  now?: () => number;
  /** Refresh this long before expiry (capped at a tenth of the token's lifetime). Default 60 s. */
  refreshMarginMs?: number;
}

/** One cache entry per Daraja environment and app: the same consumer key on sandbox and production are different apps. */
export const tokenCacheKey = (credentials: Pick<DarajaCredentials, 'baseUrl' | 'consumerKey'>) =>
  `${credentials.baseUrl.replace(/\/+$/, '')}|${credentials.consumerKey}`;

export function createTokenCache(options: TokenCacheOptions = {}): TokenCache {
  const now = options.now ?? Date.now;
  const refreshMarginMs = options.refreshMarginMs ?? 60_000;
  const cached = new Map<string, { token: string; refreshAt: number }>();
  const inFlight = new Map<string, Promise<string>>();

  async function fetchAndStore(key: string, fetchToken: () => Promise<IssuedToken>): Promise<string> {
    try {
      const issued = await fetchToken();
      const margin = Math.min(refreshMarginMs, issued.expiresInMs / 10);
      cached.set(key, { token: issued.accessToken, refreshAt: now() + issued.expiresInMs - margin });
      return issued.accessToken;
    } finally {
      // Cleared on failure too, so the next caller tries again instead of inheriting a rejected promise.
      inFlight.delete(key);
    }
  }

  return {
    get(key, fetchToken) {
      const entry = cached.get(key);
      if (entry && now() < entry.refreshAt) return Promise.resolve(entry.token);
      const running = inFlight.get(key);
      if (running) return running;
      cached.delete(key);
      const request = fetchAndStore(key, fetchToken);
      inFlight.set(key, request);
      return request;
    },
    invalidate(key, token) {
      if (cached.get(key)?.token === token) cached.delete(key);
    },
  };
}

/**
 * The process-wide cache that clients use unless given one. It is shared state on purpose:
 * two clients with the same credentials and separate caches would keep invalidating each other's tokens.
 */
export const sharedTokenCache: TokenCache = createTokenCache();
