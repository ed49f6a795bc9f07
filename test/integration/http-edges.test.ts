import net from 'node:net';
import { callbackToken } from '../../config/callbackUrl';
import { CustomerSchema } from '../../db/entities';
import { signInMerchantUser } from '../support/signedInUsers';
import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';

/**
 * What arrives at the edge of the API before any use case: control characters, bodies read only
 * after authentication, every error in the `{ error, code }` shape (Node's own 408/431 too), slow
 * clients cut off in seconds, security headers, and forwarded-for headers not trusted by default.
 */

quietTemporalRuntime();
jest.setTimeout(120_000);

/** Writes raw bytes on a fresh connection and collects whatever comes back until the server closes it. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

const statusLine = (response: string) => response.split('\r\n')[0];
const jsonBody = (response: string) =>
  JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { error: string; code: string };

describe('The edge of the API', () => {
  let stack: Stack;
  let port: number;
  let merchant: MerchantFixture;
  const auth = () => ({ headers: { Authorization: merchant.authorization } });

  beforeAll(async () => {
    stack = await startStack({ env: { HTTP_REQUEST_TIMEOUT_MS: '1500' } });
    port = Number(new URL(stack.apiUrl).port);
    merchant = await createMerchantFixture(stack);
  });
  afterAll(() => stack?.stop());

  describe('Control characters', () => {
    it('When a NUL reaches a field of any endpoint (public, key or path), then 400 validation_failed names it and nothing is stored', async () => {
      const cases: Array<[string, () => Promise<{ status: number; data: { code?: string; field?: string } }>, string]> =
        [
          [
            'login email',
            () => stack.http.post('/auth/login', { email: 'a\u0000@example.test', password: 'x'.repeat(12) }),
            'email',
          ],
          [
            'sign-up business name',
            () =>
              stack.http.post('/auth/signup', {
                business_name: 'Shop\u0000',
                email: 'nul@example.test',
                password: 'long enough password',
              }),
            'business_name',
          ],
          ['status reference', () => stack.http.get('/transaction/status/%00', auth()), 'reference'],
          ['Express payment id', () => stack.http.get('/v1/payments/trxn_%00', auth()), 'id'],
          ['Express list cursor', () => stack.http.get('/v1/payments?starting_after=%00', auth()), 'starting_after'],
          [
            'metadata key',
            () =>
              stack.http.post(
                '/v1/payments',
                { phoneNumber: '254712345678', amount: 10, description: 'x', metadata: { ['k\u0000']: 'v' } },
                auth(),
              ),
            'metadata',
          ],
          [
            'metadata value',
            () =>
              stack.http.post(
                '/v1/payments',
                { phoneNumber: '254712345678', amount: 10, description: 'x', metadata: { k: 'v\u0000' } },
                auth(),
              ),
            'metadata.k',
          ],
          [
            'C1 control in a description',
            () =>
              stack.http.post(
                '/stk-push',
                { account_id: merchant.channelId, phone_number: '0712345678', amount: 10, description: 'Pay\u0085' },
                auth(),
              ),
            'description',
          ],
        ];
      for (const [what, call, field] of cases) {
        const res = await call();
        expect({ what, status: res.status, code: res.data.code, field: res.data.field }).toEqual({
          what,
          status: 400,
          code: 'validation_failed',
          field,
        });
      }
      expect(await stack.orm.em.fork().count(CustomerSchema, {})).toBe(0);
    });

    it('When a string is not Unicode text (an unpaired surrogate), then 400 names it instead of a database error', async () => {
      const customer = await stack.http.post(
        '/v1/customers',
        { phoneNumber: '254712345671', metadata: { k: 'a\ud800' } },
        auth(),
      );
      expect({ status: customer.status, code: customer.data.code, field: customer.data.field }).toEqual({
        status: 400,
        code: 'validation_failed',
        field: 'metadata.k',
      });
      const payment = await stack.http.post(
        '/v1/payments',
        { phoneNumber: '254712345678', amount: 10, description: 'x', customerMetadata: { k: '\udc00' } },
        auth(),
      );
      expect({ status: payment.status, code: payment.data.code }).toEqual({ status: 400, code: 'validation_failed' });
    });

    it('When a body nests thousands of levels deep, then it is refused with 400 on a public endpoint, not worked through', async () => {
      const deep = '['.repeat(3_500) + ']'.repeat(3_500);
      for (const path of ['/auth/login', '/auth/signup']) {
        const res = await stack.http.post(path, deep, { headers: { 'Content-Type': 'application/json' } });
        expect({ path, status: res.status, code: res.data.code, error: res.data.error }).toEqual({
          path,
          status: 400,
          code: 'validation_failed',
          error: expect.stringContaining('nests deeper than 32 levels'),
        });
      }
    });

    it('When a status read carries a control character in its query, then it is refused like on every other route', async () => {
      const res = await stack.http.get(`/transaction/status/987654321?x=%00`, auth());
      expect({ status: res.status, field: res.data.field }).toEqual({ status: 400, field: 'x' });
    });

    it('When the Basic username or password holds a control character, then 401 like any wrong key', async () => {
      for (const credentials of [
        `${merchant.username}\u0000:${merchant.password}`,
        `${merchant.username}:${merchant.password}\u0000`,
        `ak\u0000:x`,
      ]) {
        const res = await stack.http.get('/accounts', {
          headers: { Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
        });
        expect({ status: res.status, code: res.data.code }).toEqual({ status: 401, code: 'unauthorized' });
      }
    });
  });

  describe('Bodies', () => {
    it('When a request without credentials promises an 8 MB KYC body and sends none of it, then it is answered 401 at once, not read', async () => {
      const response = await rawExchange(
        port,
        'POST /api/kyc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8000000\r\nConnection: close\r\n\r\n',
      );
      expect(statusLine(response)).toBe('HTTP/1.1 401 Unauthorized');
      expect(jsonBody(response).code).toBe('unauthorized');
    });

    it('When a body is larger than its endpoint takes, then 400 says so (each endpoint has its own limit)', async () => {
      const big = {
        account_id: merchant.channelId,
        phone_number: '0712345678',
        amount: 10,
        external_reference: 'x'.repeat(20_000),
      };
      const res = await stack.http.post('/stk-push', big, auth());
      expect(res.status).toBe(400);
      expect(res.data).toEqual({ error: 'Request body is larger than 16 kB', code: 'validation_failed' });
    });

    it('When a client promises more body than it sends, then it is answered 408 in JSON within the request timeout', async () => {
      const headers = `POST /api/stk-push HTTP/1.1\r\nHost: x\r\nAuthorization: ${merchant.authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"amount":`;
      const response = await rawExchange(port, headers);
      expect(statusLine(response)).toBe('HTTP/1.1 408 Request Timeout');
      expect(jsonBody(response)).toEqual({ error: 'The request was not received in time', code: 'request_timeout' });
    });

    it('When the request headers are too large, then 431 in JSON', async () => {
      const response = await rawExchange(
        port,
        `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(statusLine(response)).toBe('HTTP/1.1 431 Request Header Fields Too Large');
      expect(jsonBody(response).code).toBe('headers_too_large');
    });
  });

  describe('Media types', () => {
    it('When an Express customer is updated with a form body, then 415 unsupported_media_type and the customer is unchanged', async () => {
      const created = await stack.http.post('/v1/customers', { phoneNumber: '254712345690', name: 'Amina' }, auth());
      expect(created.status).toBe(201);
      const res = await stack.http.post(`/v1/customers/${created.data.id}`, 'name=Changed', {
        headers: { ...auth().headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect([res.status, res.data.code]).toEqual([415, 'unsupported_media_type']);
      expect(res.data.error).toMatch(/Content-Type: application\/json/);
      expect((await stack.http.get(`/v1/customers/${created.data.id}`, auth())).data.name).toBe('Amina');
    });

    it('When an STK push is sent as JSON text under text/plain, then 415 says to send application/json (not "account_id is required")', async () => {
      const body = JSON.stringify({ account_id: merchant.channelId, phone_number: '0712345678', amount: 10 });
      const res = await stack.http.post('/stk-push', body, {
        headers: { ...auth().headers, 'Content-Type': 'text/plain' },
      });
      expect([res.status, res.data]).toEqual([
        415,
        {
          code: 'unsupported_media_type',
          error: 'This endpoint reads a JSON body: send it with Content-Type: application/json (not text/plain)',
        },
      ]);
    });

    it('When a JSON body declares another charset, then 415; application/json with or without utf-8 and a +json type are read', async () => {
      const push = (contentType: string) =>
        stack.http.post('/stk-push', '{"amount":"x"}', { headers: { ...auth().headers, 'Content-Type': contentType } });
      expect((await push('application/json; charset=iso-8859-1')).status).toBe(415);
      for (const contentType of [
        'application/json',
        'application/json; charset=utf-8',
        'application/merge-patch+json',
      ]) {
        const res = await push(contentType);
        expect({ contentType, status: res.status, field: res.data.field }).toEqual({
          contentType,
          status: 400,
          field: 'account_id',
        });
      }
    });

    it('When a POST that takes no body fields is sent without a body, then it is read as {}', async () => {
      const session = await signInMerchantUser(stack, merchant.merchantId);
      const res = await stack.http.post('/auth/logout', undefined, { headers: { Authorization: session } });
      expect(res.status).toBeLessThan(300);
    });

    it('When a signed-in merchant promises 8 MB of JSON to POST /api/kyc, then it is answered 415 at once and none of it is read', async () => {
      const session = await signInMerchantUser(stack, merchant.merchantId);
      const response = await rawExchange(
        port,
        `POST /api/kyc HTTP/1.1\r\nHost: x\r\nAuthorization: ${session}\r\nContent-Type: application/json\r\nContent-Length: 8000000\r\n\r\n[[[[`,
      );
      expect(statusLine(response)).toBe('HTTP/1.1 415 Unsupported Media Type');
      expect(jsonBody(response).code).toBe('unsupported_media_type');
    });

    it('When a JSON body nests deeper than allowed, then the refusal comes while reading: the rest of a huge body is never parsed', async () => {
      // 33 levels, then 15 kB that would be valid JSON: refused as too deep, not as invalid or too large.
      const deep = '['.repeat(33) + '0,'.repeat(7_000) + '0' + ']'.repeat(33);
      const res = await stack.http.post('/stk-push', deep, {
        headers: { ...auth().headers, 'Content-Type': 'application/json' },
      });
      expect([res.status, res.data.error]).toEqual([400, 'Request body nests deeper than 32 levels']);
    });
  });

  describe('Methods', () => {
    it('When a client sends CONNECT, then it gets a JSON 501 instead of a dropped connection', async () => {
      const response = await rawExchange(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      expect(statusLine(response)).toBe('HTTP/1.1 501 Not Implemented');
      expect(jsonBody(response)).toEqual({
        error: 'CONNECT is not a method this API implements',
        code: 'not_implemented',
      });
    });
  });

  describe('Error shape', () => {
    it('When a known path is called with another method, then 405 in JSON with Allow; an unknown method is 501 in JSON', async () => {
      const notAllowed = await stack.http.delete('/pricing');
      expect(notAllowed.status).toBe(405);
      expect(notAllowed.headers.allow).toBe('HEAD, GET');
      expect(notAllowed.data).toMatchObject({ code: 'method_not_allowed' });
      const notImplemented = await stack.http.request({ method: 'PURGE', url: '/pricing' });
      expect(notImplemented.status).toBe(501);
      expect(notImplemented.data).toMatchObject({ code: 'not_implemented' });
    });

    it('When a Daraja callback path carries a wrong token, then 404 in the documented shape', async () => {
      const res = await stack.http.post(`${stack.apiUrl.replace(/\/api$/, '')}/hooks/daraja/${'0'.repeat(32)}/1`, {});
      expect(res.status).toBe(404);
      expect(res.data).toEqual({ error: 'Not found', code: 'not_found' });
    });
  });

  describe('Headers', () => {
    it('When anything is answered, then it carries the security headers and a strict Content-Security-Policy', async () => {
      const res = await stack.http.get('/health');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    });

    it('When a dashboard page’s path merely begins with an API word (/api-keys), then the dashboard answers it; an odd spelling of an API path stays a JSON 404', async () => {
      for (const page of ['/api-keys', '/transactions/42', '/documentation']) {
        const res = await stack.http.get(`${stack.apiUrl.replace(/\/api$/, '')}${page}`);
        // The dashboard's page (or, when web/dist is not built, its "not built yet" answer): never the API's 404.
        expect({ page, status: res.status === 404, json: /json/.test(String(res.headers['content-type'])) }).toEqual({
          page,
          status: false,
          json: false,
        });
      }
      for (const variant of ['/API/admin/users', '/Api/pricing', '/hooks', '/DOCS']) {
        const res = await stack.http.get(`${stack.apiUrl.replace(/\/api$/, '')}${variant}`);
        expect({ variant, status: res.status, code: res.data.code }).toEqual({
          variant,
          status: 404,
          code: 'not_found',
        });
      }
    });

    it('When X-Forwarded-For is sent and no proxy is configured, then the client address is the connection’s', async () => {
      const transactionId = 424242;
      const hook = `${stack.apiUrl.replace(/\/api$/, '')}/hooks/daraja/${callbackToken(stack.config.DARAJA_CALLBACK_TOKEN, transactionId)}/${transactionId}`;
      const res = await stack.http.post(hook, { Body: {} }, { headers: { 'X-Forwarded-For': '196.201.214.200' } });
      expect(res.status).toBe(200);
      const rows = await stack.orm.em
        .fork()
        .getConnection()
        .execute<Array<{ source_ip: string }>>('select source_ip from daraja_callbacks');
      expect(rows.map((r) => r.source_ip)).toEqual(['127.0.0.1']);
    });
  });
});
