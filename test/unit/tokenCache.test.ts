import { createTokenCache, tokenCacheKey, type IssuedToken } from '../../daraja/tokenCache';

/** A token endpoint whose answers the test releases by hand, counting the requests. */
function fakeTokenEndpoint(expiresInMs = 3_599_000) {
  let issued = 0;
  const waiting: Array<() => void> = [];
  const fetchToken = () =>
    new Promise<IssuedToken>((resolve) => {
      issued += 1;
      const token = `token-${issued}`;
      waiting.push(() => resolve({ accessToken: token, expiresInMs }));
    });
  return {
    fetchToken,
    requests: () => issued,
    releaseAll: () => waiting.splice(0).forEach((release) => release()),
  };
}

describe('createTokenCache', () => {
  it('When many callers ask at once, then one token request is made and all get its token', async () => {
    const cache = createTokenCache();
    const endpoint = fakeTokenEndpoint();
    const all = Promise.all(Array.from({ length: 20 }, () => cache.get('k', endpoint.fetchToken)));
    endpoint.releaseAll();
    expect(new Set(await all)).toEqual(new Set(['token-1']));
    expect(endpoint.requests()).toBe(1);
  });

  it('When the token nears expiry, then it is refreshed before it expires', async () => {
    let now = 0;
    const cache = createTokenCache({ now: () => now, refreshMarginMs: 60_000 });
    const endpoint = fakeTokenEndpoint(3_599_000);
    const first = cache.get('k', endpoint.fetchToken);
    endpoint.releaseAll();
    expect(await first).toBe('token-1');

    now = 3_599_000 - 61_000;
    expect(await cache.get('k', endpoint.fetchToken)).toBe('token-1');

    now = 3_599_000 - 59_000;
    const refreshed = cache.get('k', endpoint.fetchToken);
    endpoint.releaseAll();
    expect(await refreshed).toBe('token-2');
    expect(endpoint.requests()).toBe(2);
  });

  it('When several callers report the same dead token, then it is replaced only once', async () => {
    const cache = createTokenCache();
    const endpoint = fakeTokenEndpoint();
    const first = cache.get('k', endpoint.fetchToken);
    endpoint.releaseAll();
    const dead = await first;

    cache.invalidate('k', dead);
    const a = cache.get('k', endpoint.fetchToken);
    cache.invalidate('k', dead);
    const b = cache.get('k', endpoint.fetchToken);
    endpoint.releaseAll();
    expect([await a, await b]).toEqual(['token-2', 'token-2']);
    cache.invalidate('k', dead);
    expect(await cache.get('k', endpoint.fetchToken)).toBe('token-2');
    expect(endpoint.requests()).toBe(2);
  });

  it('When a token request fails, then the next caller tries again', async () => {
    const cache = createTokenCache();
    let calls = 0;
    const flaky = (): Promise<IssuedToken> => {
      calls += 1;
      if (calls === 1) return Promise.reject(new Error('network down'));
      return Promise.resolve({ accessToken: 'token-ok', expiresInMs: 3_599_000 });
    };
    await expect(cache.get('k', flaky)).rejects.toThrow('network down');
    expect(await cache.get('k', flaky)).toBe('token-ok');
  });

  it('When the same consumer key is used on two environments, then they get separate cache keys', () => {
    const sandbox = tokenCacheKey({ baseUrl: 'https://sandbox.safaricom.co.ke/', consumerKey: 'k' });
    const production = tokenCacheKey({ baseUrl: 'https://api.safaricom.co.ke', consumerKey: 'k' });
    expect(sandbox).not.toBe(production);
    expect(sandbox).toBe(tokenCacheKey({ baseUrl: 'https://sandbox.safaricom.co.ke', consumerKey: 'k' }));
  });
});
