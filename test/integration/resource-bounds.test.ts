import { readFileSync } from 'node:fs';
import net from 'node:net';
import axios, { type AxiosInstance } from 'axios';
import { freePort } from '../../scripts/net';
import { killApiProcess, startApiProcess, type ApiProcess } from '../support/apiProcess';
import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { kycForm } from '../support/kycForm';
import { signInMerchantUser } from '../support/signedInUsers';

/**
 * What one caller can make the API spend. The API runs as its own process (api/main.ts), so its
 * memory is its own: the worst body each kind of route accepts (the largest JSON at the deepest
 * nesting allowed, 8 MB of nested JSON promised to the KYC route, three 2 MB KYC documents, a
 * 10,000-row CSV export) is sent many times at once, while another merchant reads a status; the
 * other merchant is answered while they are in flight, and the API's peak memory stays bounded.
 * Memory is read from the kernel (VmHWM, the peak resident set), not timed, so a busy machine
 * cannot make it flake.
 */

quietTemporalRuntime();
jest.setTimeout(240_000);

const MB = 1024 * 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (size: number) => Buffer.concat([PNG_SIGNATURE, Buffer.alloc(size - PNG_SIGNATURE.length, 7)]);

/** The process's resident memory now and at its peak, in bytes (Linux /proc). */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** JSON of exactly `bytes` bytes, nested 32 levels (the most allowed), then as many small arrays as fit. */
function worstJson(bytes: number): string {
  const open = '['.repeat(31);
  const close = ']'.repeat(31);
  const cell = '[0],';
  const cells = Math.floor((bytes - open.length - close.length - 5) / cell.length);
  const body = `${open}[${cell.repeat(cells)}[0]]${close}`;
  return body + ' '.repeat(bytes - Buffer.byteLength(body));
}

let stack: Stack;
let api: ApiProcess | undefined;
let limitedApi: ApiProcess | undefined;
let http: AxiosInstance;
let limitedHttp: AxiosInstance;
let loaded: MerchantFixture;
let bystander: MerchantFixture;
let apiPort: number;

beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
  loaded = await createMerchantFixture(stack);
  bystander = await createMerchantFixture(stack);
  apiPort = await freePort();
  api = await startApiProcess(stack.config, { API_PORT: String(apiPort) });
  const limitedPort = await freePort();
  limitedApi = await startApiProcess(stack.config, {
    API_PORT: String(limitedPort),
    RATE_LIMIT_LOGIN_PER_IP: '3/15m',
    RATE_LIMIT_KYC_PER_MERCHANT: '2/1h',
    RATE_LIMIT_EXPORTS_PER_MERCHANT: '2/1h',
  });
  const client = (port: number) =>
    axios.create({ baseURL: `http://127.0.0.1:${port}/api`, validateStatus: () => true, maxBodyLength: Infinity });
  http = client(apiPort);
  limitedHttp = client(limitedPort);
  // 10,000 transactions: the largest CSV export one request may ask for.
  await stack.orm.em
    .fork()
    .getConnection()
    .execute(
      `insert into transactions (public_id, merchant_id, channel_id, environment, phone_number, amount, fee, status, description, account_reference, workflow_id, created_at)
       select 'trxn_load' || g, ?, ?, 'sandbox', '254700000001', 100 + g, 1, 'completed', 'Order ' || g, 'REF-' || g, 'load-' || g,
              timestamptz '2024-07-01T00:00:00Z' + g * interval '1 second'
         from generate_series(1, 10000) g`,
      [loaded.merchantId, loaded.channelId],
    );
});
afterAll(async () => {
  await killApiProcess(api);
  await killApiProcess(limitedApi);
  await stack?.stop();
});

describe('The worst request each kind of route accepts', () => {
  it('When dozens of worst-case bodies and exports are in flight, then another merchant’s status read is answered meanwhile and the API’s peak memory stays bounded', async () => {
    const session = await signInMerchantUser(stack, loaded.merchantId);
    const key = { Authorization: loaded.authorization };
    const json = { 'Content-Type': 'application/json' };
    const worst: Array<() => Promise<{ status: number }>> = [
      // Public, before any credential: the largest JSON it reads (16 kB), nested as deep as allowed.
      () => http.post('/auth/login', worstJson(16 * 1024), { headers: json }),
      // The Express API's 64 kB limit, the largest JSON limit of all.
      () => http.post('/v1/customers', worstJson(64 * 1024), { headers: { ...key, ...json } }),
      // What the review saw: 8 MB of nested JSON sent to the KYC route by a signed-in merchant.
      // (On a raw socket, only its first 8 kB written: the API answers before reading the body and closes the
      // connection, and a client still writing would see a reset instead of the answer.)
      () =>
        promisedBody(
          apiPort,
          `POST /api/kyc HTTP/1.1\r\nHost: x\r\nAuthorization: ${session}\r\nContent-Type: application/json\r\nContent-Length: ${8 * MB}\r\n\r\n`,
          '['.repeat(8 * 1024),
        ),
      // The KYC form at its largest: three 2 MB documents (read in full, then refused or stored).
      () =>
        http.post(
          '/kyc',
          kycForm(
            {
              full_name: 'Load Test',
              id_type: 'national_id',
              id_number: '12345678',
              business_name: 'Load Shop',
              phone_number: '0712345678',
            },
            ['id_front', 'id_back', 'business_certificate'].map((kind) => ({
              kind,
              type: 'image/png',
              content: png(2 * MB),
            })),
          ),
          { headers: { Authorization: session } },
        ),
      // The largest export: 10,000 rows.
      () => http.get('/transactions.csv', { headers: key, responseType: 'text' }),
    ];

    const before = memoryOf(api!.child.pid!);
    const intervals: Array<{ started: number; ended: number; status: number }> = [];
    const inFlight = Array.from({ length: 3 }).flatMap(() =>
      worst.map(async (send) => {
        const started = performance.now();
        const { status } = await send();
        intervals.push({ started, ended: performance.now(), status });
      }),
    );
    // The bystander asks once the burst is under way.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const asked = performance.now();
    const read = await http.get('/transaction/status/ws_CO_not_mine', {
      headers: { Authorization: bystander.authorization },
    });
    const answered = performance.now();
    await Promise.all(inFlight);
    const after = memoryOf(api!.child.pid!);

    expect(read.status).toBe(404);
    // Answered while the burst was still in flight: some worst request started before it and ended after it.
    expect(intervals.some((w) => w.started <= asked && w.ended >= answered)).toBe(true);
    // Every worst request got an answer (no 5xx, no dropped connection).
    expect(intervals.filter((w) => w.status >= 500 || w.status === 0)).toEqual([]);
    // Fifteen worst requests at once (three of each) cost the API at most 256 MB above where it stood.
    expect(after.peak - before.rss).toBeLessThan(256 * MB);
  });
});

describe('Rate limits counted before the body is read', () => {
  it('When a login body is refused (not JSON), then it still counts as an attempt of that address', async () => {
    // The other API process of this file counts the same address in the same table under its own
    // one-second window; start this address's count from nothing.
    await stack.orm.em.fork().getConnection().execute('delete from rate_limits');
    const refused = [];
    for (let i = 0; i < 3; i += 1) {
      refused.push(
        (await limitedHttp.post('/auth/login', 'email=a@b.c&password=x', { headers: { 'Content-Type': 'text/plain' } }))
          .status,
      );
    }
    expect(refused).toEqual([415, 415, 415]);
    const next = await limitedHttp.post('/auth/login', { email: 'owner@example.test', password: 'a wrong password' });
    expect([next.status, next.data.code]).toEqual([429, 'rate_limited']);
  });

  it('When a merchant submits KYC more often than allowed, then the next is 429 before a byte of it is read', async () => {
    const fixture = await createMerchantFixture(stack, { kycStatus: 'pending' });
    const session = await signInMerchantUser(stack, fixture.merchantId);
    for (let i = 0; i < 2; i += 1) {
      const res = await limitedHttp.post('/kyc', kycForm({ full_name: 'x' }, []), {
        headers: { Authorization: session },
      });
      expect(res.status).toBe(400);
    }
    const response = await rawExchange(
      Number(new URL(limitedHttp.defaults.baseURL!).port),
      `POST /api/kyc HTTP/1.1\r\nHost: x\r\nAuthorization: ${session}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 6000000\r\n\r\n`,
    );
    expect(response.split('\r\n')[0]).toBe('HTTP/1.1 429 Too Many Requests');
  });

  it('When a merchant exports CSV more often than allowed, then the next export is 429 with Retry-After', async () => {
    const fixture = await createMerchantFixture(stack);
    const key = { Authorization: fixture.authorization };
    expect((await limitedHttp.get('/transactions.csv', { headers: key })).status).toBe(200);
    expect((await limitedHttp.get('/transactions.csv', { headers: key })).status).toBe(200);
    const limited = await limitedHttp.get('/transactions.csv', { headers: key });
    expect([limited.status, limited.data.code]).toEqual([429, 'rate_limited']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

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

/** Sends a request's head and the start of its body; resolves with the answer's status once the server closes. */
function promisedBody(port: number, head: string, body: string): Promise<{ status: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
      socket.write(body);
    });
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.on('error', () => undefined); // EPIPE or a reset once the server has answered and closed
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0) }));
  });
}
