import { randomUUID } from 'node:crypto';
import axios from 'axios';
import pino from 'pino';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { freePort } from '../../scripts/net';
import { startTemporalDevServer, type TemporalDevServer } from '../../scripts/temporal/devServer';
import { createPaymentWorker } from '../../worker/createWorker';
import { killApiProcess, startApiProcess, type ApiProcess } from '../support/apiProcess';
import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';

/**
 * The real API process (api/main.ts) against a Temporal dev server of this file's own, which it
 * stops and starts: the API starts while Temporal is not there yet, and lives through an outage
 * long enough that gRPC's default reconnect backoff would keep it away from Temporal for tens of
 * seconds after its return.
 */

quietTemporalRuntime();

/** The start deadline the API runs with here (TEMPORAL_START_DEADLINE_MS). */
const START_DEADLINE_MS = 2_000;
/** What "promptly" allows on top of the start deadline: one loaded machine's scheduling noise. */
const ANSWER_SLACK_MS = 2_500;
/** Long enough for gRPC's default backoff (1 s × 1.6ⁿ) to reach gaps of 20 s and more. */
const OUTAGE_MS = 45_000;
/** How soon after Temporal answers again the API must be ready. */
const READY_WITHIN_MS = 5_000;

const http = axios.create({ validateStatus: () => true, timeout: 90_000 });

let stack: Stack;
let merchant: MerchantFixture;
let temporalPort: number;
let temporal: TemporalDevServer | null = null;
let api: ApiProcess | undefined;
let apiUrl: string;
let worker: { worker: Worker; running: Promise<void>; connection: NativeConnection } | null = null;

async function startTemporal(): Promise<void> {
  temporal = await startTemporalDevServer({ port: temporalPort, headless: true, log: () => undefined });
}

async function stopTemporal(): Promise<void> {
  await temporal?.stop();
  temporal = null;
}

async function startWorker(): Promise<void> {
  const connection = await NativeConnection.connect({ address: `127.0.0.1:${temporalPort}` });
  const created = await createPaymentWorker({
    config: stack.config,
    orm: stack.orm,
    connection,
    logger: pino({ level: 'silent' }),
    workflowBundle: { codePath: process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE! },
    taskQueue: stack.taskQueue,
  });
  worker = { worker: created, running: created.run(), connection };
}

async function stopWorker(): Promise<void> {
  if (!worker) return;
  const current = worker;
  worker = null;
  current.worker.shutdown();
  await current.running;
  await current.connection.close();
}

/** One payment start with a fresh Idempotency-Key: its answer and how long it took. */
async function pushOnce(amount = 500) {
  const started = Date.now();
  const res = await http.post(
    `${apiUrl}/stk-push`,
    { account_id: merchant.channelId, phone_number: '0712345678', amount, description: 'Outage test' },
    { headers: { Authorization: merchant.authorization, 'Idempotency-Key': randomUUID() } },
  );
  return { res, tookMs: Date.now() - started };
}

function expectPromptNotStarted({ res, tookMs }: Awaited<ReturnType<typeof pushOnce>>): void {
  expect([res.status, res.data.code]).toEqual([503, 'temporarily_unavailable']);
  expect(res.headers['retry-after']).toBe('5');
  expect(tookMs).toBeLessThan(START_DEADLINE_MS + ANSWER_SLACK_MS);
}

/** Polls /api/ready until it is 200; answers how long that took from `since`. */
async function readyAfter(since: number, giveUpMs: number): Promise<number> {
  while (Date.now() - since < giveUpMs) {
    const res = await http.get(`${apiUrl}/ready`, { timeout: 5_000 }).catch(() => null);
    if (res?.status === 200) return Date.now() - since;
    await new Promise((r) => setTimeout(r, 200));
  }
  return Number.POSITIVE_INFINITY;
}

beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
  merchant = await createMerchantFixture(stack, { walletKes: 10_000 });
  temporalPort = await freePort();
  const apiPort = await freePort();
  apiUrl = `http://127.0.0.1:${apiPort}/api`;
  api = await startApiProcess(stack.config, {
    API_PORT: String(apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_START_DEADLINE_MS: String(START_DEADLINE_MS),
    READINESS_TIMEOUT_MS: '1500',
  });
});

afterAll(async () => {
  await stopWorker().catch(() => undefined);
  await killApiProcess(api);
  await stopTemporal();
  await stack?.stop();
});

describe('The API through Temporal outages', () => {
  it('When Temporal is unreachable at start, then the API starts unready, refuses starts promptly, and is ready once Temporal is up', async () => {
    // startApiProcess resolved: the API listens although nothing answers at TEMPORAL_ADDRESS.
    expect(api!.child.exitCode).toBeNull();
    const unready = await http.get(`${apiUrl}/ready`);
    expect([unready.status, unready.data.checks]).toEqual([503, { postgres: 'ok', temporal: 'failing' }]);
    expectPromptNotStarted(await pushOnce());

    await startTemporal();
    expect(await readyAfter(Date.now(), READY_WITHIN_MS)).toBeLessThan(READY_WITHIN_MS);
    await startWorker();
    const { res } = await pushOnce();
    expect([res.status, res.data.message]).toEqual([200, 'STK push sent successfully']);
  });

  it('When Temporal is down long enough to push gRPC reconnect backoff out, then starts get a prompt 503 throughout, and the API is ready and starting payments within seconds of its return', async () => {
    await stopWorker();
    await stopTemporal();
    const downAt = Date.now();
    while (Date.now() - downAt < OUTAGE_MS) {
      expectPromptNotStarted(await pushOnce());
      const ready = await http.get(`${apiUrl}/ready`);
      expect(ready.status).toBe(503);
      await new Promise((r) => setTimeout(r, 3_000));
    }

    await startTemporal();
    const backAt = Date.now();
    expect(await readyAfter(backAt, READY_WITHIN_MS)).toBeLessThan(READY_WITHIN_MS);
    // The start reaches Temporal at once; its answer waits for the worker, started alongside.
    const push = pushOnce();
    await startWorker();
    const { res } = await push;
    expect([res.status, res.data.message]).toEqual([200, 'STK push sent successfully']);
  });
});
