import http from 'node:http';
import { ApiKeySchema } from '../../db/entities';
import { issueApiKey } from '../../db/merchants';
import type { Access } from '../../api/access';
import type { DescribedEndpoint } from '../../api/openapi';
import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin, signInMerchantUser } from '../support/signedInUsers';
import { registeredEndpoints } from '../../api/registeredEndpoints';

/**
 * Every registered endpoint × path variants × callers, each combination with the one status it
 * must get. The endpoints come from the same registry that builds the router and the OpenAPI
 * document, so a new endpoint is covered the moment it exists.
 */

quietTemporalRuntime();
jest.setTimeout(300_000);

interface Answer {
  status: number;
  body: { error?: string; code?: string } | null;
  headers: http.IncomingHttpHeaders;
}

/** One request exactly as written: no client-side normalisation of `..`, `./`, `//` or encodings. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body ?? (['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : undefined);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          ...headers,
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Answer['body'] = null;
          try {
            parsed = text ? (JSON.parse(text) as Answer['body']) : null;
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

type CallerName =
  'none' | 'malformed' | 'wrongKey' | 'revokedKey' | 'keyA' | 'liveKeyA' | 'keyB' | 'sessionA' | 'sessionB' | 'admin';
/** 'allowed': past the access rule (any status but 401, 403 and 5xx). */
type Outcome = 'allowed' | 401 | 403 | 404;

const everyone = (outcome: Outcome): Record<CallerName, Outcome> => ({
  none: outcome,
  malformed: outcome,
  wrongKey: outcome,
  revokedKey: outcome,
  keyA: outcome,
  liveKeyA: outcome,
  keyB: outcome,
  sessionA: outcome,
  sessionB: outcome,
  admin: outcome,
});
const noCredentials = { none: 401, malformed: 401, wrongKey: 401, revokedKey: 401 } as const;

/** What each access rule answers each caller on an endpoint's own path. */
const EXPECTED: Record<Access, Record<CallerName, Outcome>> = {
  public: everyone('allowed'),
  merchant: {
    ...noCredentials,
    keyA: 'allowed',
    liveKeyA: 'allowed',
    keyB: 'allowed',
    sessionA: 'allowed',
    sessionB: 'allowed',
    admin: 403,
  },
  dashboard: {
    ...noCredentials,
    keyA: 403,
    liveKeyA: 403,
    keyB: 403,
    sessionA: 'allowed',
    sessionB: 'allowed',
    admin: 403,
  },
  signedIn: {
    ...noCredentials,
    keyA: 401,
    liveKeyA: 401,
    keyB: 401,
    sessionA: 'allowed',
    sessionB: 'allowed',
    admin: 'allowed',
  },
  admin: { ...noCredentials, keyA: 401, liveKeyA: 401, keyB: 401, sessionA: 403, sessionB: 403, admin: 'allowed' },
  // The canonical path carries a wrong token: no caller gets past it.
  darajaCallback: everyone(404),
  darajaResult: everyone(404),
  darajaReversal: everyone(404),
};

/** The endpoint's own path with every parameter filled by a value that names nothing (so nothing changes). */
const canonicalPath = (endpoint: DescribedEndpoint) =>
  endpoint.path.replace(/:(\w+)/g, (_m, name: string) => (name === 'token' ? 'not-the-token' : '987654321'));

/** Spellings of the same path that must not reach any endpoint. Each changes only static segments. */
function variantsOf(path: string): Array<[string, string]> {
  const segments = path.split('/').slice(1);
  const firstStatic = segments[0]!;
  const lastStaticIndex = segments
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => !/^987654321$|^not-the-token$/.test(s))
    .pop()!.i;
  const withSegment = (index: number, value: string) =>
    '/' + segments.map((s, i) => (i === index ? value : s)).join('/');
  const lastStatic = segments[lastStaticIndex]!;
  const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const rest = '/' + segments.slice(1).join('/');
  return [
    ['upper case', path.toUpperCase()],
    ['mixed case', withSegment(lastStaticIndex, upperFirst(lastStatic))],
    ['mixed-case prefix', `/${upperFirst(firstStatic)}${rest === '/' ? '' : rest}`],
    ['trailing slash', `${path}/`],
    ['double slash', `/${firstStatic}/${rest}`],
    ['leading double slash', `/${path}`],
    [
      'percent-encoded letter',
      withSegment(lastStaticIndex, `%${lastStatic.charCodeAt(0).toString(16)}${lastStatic.slice(1)}`),
    ],
    ['percent-encoded slash', `/${firstStatic}%2F${segments.slice(1).join('/')}`],
    ['dot segment', `/${firstStatic}/.${rest}`],
    ['dot-dot segment', `/${firstStatic}/x/..${rest}`],
    ['semicolon suffix', withSegment(0, `${firstStatic};jsessionid=1`)],
    ['overlong', withSegment(0, `${firstStatic}${'a'.repeat(8_000)}`)],
  ];
}

describe('Access control: every endpoint × path variant × caller', () => {
  let stack: Stack;
  let port: number;
  let a: MerchantFixture;
  let b: MerchantFixture;
  let callers: Record<CallerName, () => Promise<Record<string, string>>>;
  const endpoints = registeredEndpoints().endpoints;

  beforeAll(async () => {
    stack = await startStack({ withProductionDaraja: true });
    port = Number(new URL(stack.apiUrl).port);
    a = await createMerchantFixture(stack);
    b = await createMerchantFixture(stack);
    const em = stack.orm.em.fork();
    const live = await issueApiKey(em, stack.config.API_KEY_PEPPER, a.merchantId, 'live key', 'production');
    const revoked = await issueApiKey(em, stack.config.API_KEY_PEPPER, a.merchantId, 'revoked key');
    await em.nativeUpdate(ApiKeySchema, { username: revoked.username }, { revokedAt: new Date() });
    const fixed = (authorization: string) => async () => ({ authorization });
    callers = {
      none: async () => ({}),
      malformed: fixed('Basic !!!not-base64'),
      wrongKey: fixed(basic(a.username, 'not-the-secret')),
      revokedKey: fixed(basic(revoked.username, revoked.password)),
      keyA: fixed(a.authorization),
      liveKeyA: fixed(basic(live.username, live.password)),
      keyB: fixed(b.authorization),
      // A session per request: the logout endpoint ends the one it is given.
      sessionA: async () => ({ authorization: await signInMerchantUser(stack, a.merchantId) }),
      sessionB: async () => ({ authorization: await signInMerchantUser(stack, b.merchantId) }),
      admin: async () => ({ authorization: await signInAdmin(stack) }),
    };
  });
  afterAll(() => stack?.stop());

  it('When any caller calls an endpoint on its own path, then the access rule decides: 401, 403, or past it', async () => {
    const wrong: string[] = [];
    for (const endpoint of endpoints) {
      const path = canonicalPath(endpoint);
      for (const [name, headers] of Object.entries(callers) as Array<
        [CallerName, () => Promise<Record<string, string>>]
      >) {
        const expected = EXPECTED[endpoint.access][name];
        const answer = await send(port, endpoint.method.toUpperCase(), path, await headers());
        const ok =
          expected === 'allowed'
            ? answer.status !== 401 && answer.status !== 403 && answer.status < 500
            : answer.status === expected &&
              typeof answer.body?.error === 'string' &&
              typeof answer.body?.code === 'string';
        if (!ok)
          wrong.push(
            `${endpoint.method.toUpperCase()} ${endpoint.path} as ${name}: expected ${expected}, got ${answer.status} ${JSON.stringify(answer.body)}`,
          );
      }
    }
    expect(wrong).toEqual([]);
  });

  it('When a path is spelled differently (case, slashes, encodings, dot segments, suffixes, length), then it is a JSON 404 for every caller', async () => {
    const wrong: string[] = [];
    const fixedHeaders = Object.fromEntries(
      await Promise.all(Object.entries(callers).map(async ([name, headers]) => [name, await headers()] as const)),
    );
    for (const endpoint of endpoints) {
      for (const [variant, path] of variantsOf(canonicalPath(endpoint))) {
        for (const [name, headers] of Object.entries(fixedHeaders)) {
          const answer = await send(port, endpoint.method.toUpperCase(), path, headers);
          if (answer.status !== 404 || answer.body?.code !== 'not_found') {
            wrong.push(
              `${endpoint.method.toUpperCase()} ${endpoint.path} (${variant}: ${path.slice(0, 80)}) as ${name}: got ${answer.status} ${JSON.stringify(answer.body).slice(0, 120)}`,
            );
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('When the admin paths of the original report are tried with an upper-case prefix, then nothing is served', async () => {
    for (const [method, path] of [
      ['GET', '/API/admin/users'],
      ['GET', '/API/admin/kyc/1/documents/1'],
      ['GET', '/API/admin/overview'],
      ['PUT', '/API/admin/pricing'],
      ['GET', '/API/transactions'],
    ] as const) {
      const answer = await send(port, method, path);
      expect({ path, status: answer.status, code: answer.body?.code }).toEqual({
        path,
        status: 404,
        code: 'not_found',
      });
    }
  });

  it('When another merchant, or the same merchant with the other environment’s key, names a merchant’s payment, customer, channel or key, then 404 as for a missing one, and nothing changes', async () => {
    const headersOf = async (name: CallerName) => ({ headers: await callers[name]() });
    const push = await stack.http.post(
      '/stk-push',
      { account_id: a.channelId, phone_number: '0712345678', amount: 100, external_reference: 'ISO-1' },
      await headersOf('keyA'),
    );
    expect(push.status).toBe(200);
    const { transaction_id: transactionId, checkout_request_id: checkoutRequestId } = push.data as {
      transaction_id: number;
      checkout_request_id: string;
    };
    const payment = (await stack.http.get('/v1/payments', await headersOf('keyA'))).data.data[0] as {
      id: string;
      customerId: string;
    };
    const customer = ((await stack.http.get('/customers', await headersOf('keyA'))).data as Array<{ id: string }>)[0]!;
    const keys = (await stack.http.get('/api-keys', await headersOf('sessionA'))).data as Array<{
      id: number;
      revoked_at: string | null;
    }>;
    const liveKey = keys.find((k) => k.revoked_at === null)!;

    const reads = [
      `/transaction/status/${transactionId}`,
      `/transaction/status/${checkoutRequestId}`,
      `/customers/${customer.id}`,
      `/v1/payments/${payment.id}`,
      `/v1/customers/${payment.customerId}`,
    ];
    for (const path of reads) {
      expect({ path, status: (await stack.http.get(path, await headersOf('keyA'))).status }).toEqual({
        path,
        status: 200,
      });
      for (const other of ['keyB', 'sessionB', 'liveKeyA'] as const) {
        const res = await stack.http.get(path, await headersOf(other));
        expect({ path, other, status: res.status, code: res.data.code }).toEqual({
          path,
          other,
          status: 404,
          code: 'not_found',
        });
      }
    }

    const writes: Array<[string, () => Promise<{ status: number }>]> = [
      [
        'deactivate A’s channel',
        async () => stack.http.post(`/accounts/${a.channelId}/deactivate`, {}, await headersOf('keyB')),
      ],
      ['revoke A’s key', async () => stack.http.delete(`/api-keys/${liveKey.id}`, await headersOf('sessionB'))],
      [
        'update A’s customer',
        async () =>
          stack.http.patch(`/v1/customers/${payment.customerId}`, { name: 'Mallory' }, await headersOf('keyB')),
      ],
      [
        'push to A’s channel',
        async () =>
          stack.http.post(
            '/stk-push',
            { account_id: a.channelId, phone_number: '0712345678', amount: 100 },
            await headersOf('keyB'),
          ),
      ],
    ];
    for (const [what, write] of writes) expect({ what, status: (await write()).status }).toEqual({ what, status: 404 });
    const channels = (await stack.http.get('/accounts', await headersOf('keyA'))).data as Array<{
      id: number;
      is_active: boolean;
    }>;
    expect(channels.find((c) => c.id === a.channelId)?.is_active).toBe(true);
    expect((await stack.http.get('/accounts', { headers: { authorization: a.authorization } })).status).toBe(200);
    expect(
      (
        (await stack.http.get(`/v1/customers/${payment.customerId}`, await headersOf('keyA'))).data as {
          name: string | null;
        }
      ).name,
    ).not.toBe('Mallory');
  });
});
