import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import Koa from 'koa';
import pino from 'pino';
import { loadConfig } from '../../config/config';
import { errorHandler } from '../../api/errors';
import {
  createRateLimits,
  parseRateLimit,
  rateLimitKeys,
  rateLimitPolicies,
  type RateLimitKeyOf,
  type RateLimitPolicyName,
} from '../../api/rateLimits';
import { createOrm, migrate, type Orm } from '../../db/orm';
import { createTestDatabase, dropTestDatabase } from '../support/database';

/**
 * The rate-limit module on real Postgres, in a plain Koa app with the API's own error middleware:
 * two "API instances" (two apps, two ORM pools) share one database, as two API processes would.
 */
const config = loadConfig({ RATE_LIMIT_LOGIN_PER_ACCOUNT: '3/15m', RATE_LIMIT_PAYMENTS_PER_API_KEY: '2/10s' });

let databaseUrl: string;
const orms: Orm[] = [];
const servers: Server[] = [];
beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  orms.push(await createOrm({ databaseUrl, poolSize: 2 }), await createOrm({ databaseUrl, poolSize: 2 }));
  await migrate(orms[0]!);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await Promise.all(orms.map((o) => o.close()));
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

/** An app whose one route is limited by `policy` for the caller named in the X-Caller header; answers its base URL. */
async function limitedApp(
  orm: Orm,
  policy: RateLimitPolicyName,
  keyOf: RateLimitKeyOf = (ctx) => ctx.get('X-Caller') || null,
): Promise<string> {
  const { rateLimit } = createRateLimits({ orm, config });
  const app = new Koa();
  app.use(errorHandler(pino({ level: 'silent' })));
  app.use(rateLimit(policy, keyOf));
  app.use((ctx) => {
    ctx.body = { ok: true };
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = (url: string, caller?: string) =>
  axios.get(url, { validateStatus: () => true, headers: caller ? { 'X-Caller': caller } : {} });

describe('Rate limits', () => {
  it('When a caller stays within the limit, then each answer says how much is left', async () => {
    const url = await limitedApp(orms[0]!, 'loginPerAccount');
    const answers = [
      await get(url, 'within@shop.test'),
      await get(url, 'within@shop.test'),
      await get(url, 'within@shop.test'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
    expect(answers[0]!.headers).toMatchObject({ 'ratelimit-limit': '3', 'ratelimit-policy': '3;w=900' });
    const reset = Number(answers[0]!.headers['ratelimit-reset']);
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(900);
  });

  it('When a caller goes past the limit, then 429 rate_limited with Retry-After, and the handler does not run', async () => {
    const url = await limitedApp(orms[0]!, 'loginPerAccount');
    for (let i = 0; i < 3; i++) expect((await get(url, 'brute@shop.test')).status).toBe(200);
    const refused = await get(url, 'brute@shop.test');
    expect(refused.status).toBe(429);
    expect(refused.data).toEqual({
      error: expect.stringMatching(/^Too many requests: at most 3 every 900 s\. Retry after \d+ s\.$/),
      code: 'rate_limited',
      retry_after: expect.any(Number),
    });
    expect(refused.data.ok).toBeUndefined();
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(refused.data.retry_after).toBe(retryAfter);
    expect(refused.headers).toMatchObject({
      'ratelimit-limit': '3',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(retryAfter),
    });
  });

  it('When one caller is limited, then another caller and another policy are not', async () => {
    const login = await limitedApp(orms[0]!, 'loginPerAccount');
    for (let i = 0; i < 4; i++) await get(login, 'noisy@shop.test');
    expect((await get(login, 'noisy@shop.test')).status).toBe(429);
    expect((await get(login, 'quiet@shop.test')).status).toBe(200);
    const payments = await limitedApp(orms[0]!, 'paymentsPerApiKey');
    expect((await get(payments, 'noisy@shop.test')).status).toBe(200);
  });

  it('When requests reach two API instances, then they count against one limit', async () => {
    const first = await limitedApp(orms[0]!, 'paymentsPerApiKey');
    const second = await limitedApp(orms[1]!, 'paymentsPerApiKey');
    expect((await get(first, 'ak_test_shared')).status).toBe(200);
    expect((await get(second, 'ak_test_shared')).status).toBe(200);
    expect((await get(first, 'ak_test_shared')).status).toBe(429);
    expect((await get(second, 'ak_test_shared')).status).toBe(429);
  });

  it('When the key function names no caller, then the request passes uncounted and without headers', async () => {
    const url = await limitedApp(orms[0]!, 'paymentsPerApiKey');
    for (let i = 0; i < 4; i++) {
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('When counters are stored, then they hold no email, IP or key id as such', async () => {
    const url = await limitedApp(orms[0]!, 'loginPerAccount');
    await get(url, 'private.person@shop.test');
    const rows = await orms[0]!.em.fork().getConnection().execute<{ key: string }[]>('select key from rate_limits');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.key).join(' ')).not.toMatch(/@|ak_test_/);
    expect(rows.map((r) => r.key)).toContainEqual(expect.stringMatching(/^loginPerAccount:[\w-]{43}$/));
  });
});

describe('Rate limit keys', () => {
  const ctxWith = (fields: { ip?: string; body?: unknown; caller?: unknown }) =>
    ({
      ip: fields.ip ?? '',
      request: { body: fields.body },
      state: { principal: fields.caller },
    }) as unknown as Parameters<RateLimitKeyOf>[0];

  it('When a login names an email, then it counts against that account whatever its case or spaces', () => {
    expect(rateLimitKeys.loginEmail(ctxWith({ body: { email: ' Owner@Shop.TEST ' } }))).toBe('owner@shop.test');
    expect(rateLimitKeys.loginEmail(ctxWith({ body: { email: 42 } }))).toBeNull();
    expect(rateLimitKeys.loginEmail(ctxWith({}))).toBeNull();
  });

  it('When a caller used an API key, then it counts against that key and its merchant; a dashboard session against its merchant only', () => {
    expect(rateLimitKeys.apiKey(ctxWith({ caller: { apiKey: { id: 7 }, merchant: { id: 3 } } }))).toBe('api-key:7');
    expect(rateLimitKeys.apiKey(ctxWith({ caller: { apiKey: null, merchant: { id: 3 } } }))).toBeNull();
    expect(rateLimitKeys.merchant(ctxWith({ caller: { apiKey: null, merchant: { id: 3 } } }))).toBe('merchant:3');
    expect(rateLimitKeys.merchant(ctxWith({ caller: null }))).toBeNull();
    expect(rateLimitKeys.clientIp(ctxWith({ ip: '41.90.64.10' }))).toBe('41.90.64.10');
  });
});

describe('Rate limit settings', () => {
  it('When nothing is configured, then the documented limits apply', () => {
    expect(rateLimitPolicies(loadConfig({}))).toEqual({
      loginPerAccount: { points: 50, durationSeconds: 3600 },
      loginPerAccountAndIp: { points: 10, durationSeconds: 900 },
      loginCodesPerAccount: { points: 10, durationSeconds: 3600 },
      loginPerIp: { points: 30, durationSeconds: 900 },
      signUpPerIp: { points: 30, durationSeconds: 900 },
      paymentsPerApiKey: { points: 60, durationSeconds: 10 },
      paymentsPerMerchant: { points: 120, durationSeconds: 10 },
      redeliveriesPerMerchant: { points: 30, durationSeconds: 600 },
      kycSubmissionsPerMerchant: { points: 10, durationSeconds: 3600 },
      exportsPerMerchant: { points: 20, durationSeconds: 600 },
      statementUploadsPerMerchant: { points: 20, durationSeconds: 600 },
      reversalsPerMerchant: { points: 30, durationSeconds: 600 },
      initiatorChangesPerMerchant: { points: 10, durationSeconds: 3600 },
      checkoutPerLink: { points: 120, durationSeconds: 60 },
      checkoutPerIp: { points: 30, durationSeconds: 600 },
      checkoutPerPhone: { points: 5, durationSeconds: 600 },
      checkoutReadsPerIp: { points: 3000, durationSeconds: 60 },
    });
  });

  it('When a setting is not <requests>/<window>, then the configuration is refused naming it', () => {
    expect(parseRateLimit('5/2h')).toEqual({ points: 5, durationSeconds: 7200 });
    for (const bad of ['10', '0/15m', '10/15', '10/15d', '-1/1s', '10/0s']) {
      expect(() => loadConfig({ RATE_LIMIT_LOGIN_PER_IP: bad })).toThrow(
        /RATE_LIMIT_LOGIN_PER_IP: must be <requests>\/<window>/,
      );
    }
  });
});

describe('Sign-in limit keys', () => {
  it('When a login names an email from an address, then the per-account-and-address key holds both, so another address has its own count', () => {
    const ctx = (ip: string) => ({ ip, request: { body: { email: ' Owner@Shop.TEST ' } }, state: {} }) as never;
    expect(rateLimitKeys.loginEmailAndIp(ctx('41.90.64.10'))).toBe('owner@shop.test\n41.90.64.10');
    expect(rateLimitKeys.loginEmailAndIp(ctx('41.90.64.11'))).not.toBe(
      rateLimitKeys.loginEmailAndIp(ctx('41.90.64.10')),
    );
  });
});
