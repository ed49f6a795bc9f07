import { newAccessToken } from './ids';

/**
 * Access tokens as Daraja handles them: one live token per app, so issuing a new one
 * kills the previous one (the behaviour that makes token caching matter).
 */
export interface TokenStore {
  issue(consumerKey: string): { token: string; expiresInSeconds: number };
  isValid(token: string): boolean;
  /** Kills every live token, as if another process had fetched new ones. */
  revokeAll(): void;
}

export function createTokenStore(ttlSeconds: number, now: () => Date): TokenStore {
  const live = new Map<string, { token: string; expiresAt: number }>();
  return {
    issue(consumerKey) {
      const token = newAccessToken();
      live.set(consumerKey, { token, expiresAt: now().getTime() + ttlSeconds * 1000 });
      return { token, expiresInSeconds: ttlSeconds };
    },
    isValid(token) {
      for (const entry of live.values()) {
        if (entry.token === token) return now().getTime() < entry.expiresAt;
      }
      return false;
    },
    revokeAll() {
      live.clear();
    },
  };
}
