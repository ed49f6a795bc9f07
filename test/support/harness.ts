import { randomBytes, randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import pino from 'pino';
import type { Registry } from 'prom-client';
import { loadConfig, type Config } from '../../config/config';
import { createApp } from '../../api/app';
import { createHttpServer } from '../../api/httpServer';
import { createOrm, migrate, type Orm } from '../../db/orm';
import { createSqlPool, type RunSql } from '../../db/sqlPool';
import { createChannel, createMerchant, issueApiKey, topUp } from '../../db/merchants';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../simulator/app';
import { createPaymentWorker } from '../../worker/createWorker';
import { freePort } from '../../scripts/net';
import { createTestDatabase, dropTestDatabase } from './database';

/** Short, real durations so that every path (timer, query, late callback, retries) runs in seconds. */
export const TEST_TIMINGS = {
  PAYMENT_CALLBACK_TIMEOUT_MS: '2500',
  PAYMENT_QUERY_WINDOW_MS: '5000',
  PAYMENT_QUERY_INTERVAL_MS: '300',
  PAYMENT_QUERY_MAX_INTERVAL_MS: '800',
  PAYMENT_LATE_CALLBACK_WINDOW_MS: '8000',
  PAYMENT_PUSH_DEADLINE_MS: '15000',
  WEBHOOK_INITIAL_RETRY_MS: '200',
  WEBHOOK_MAX_RETRY_MS: '1000',
  WEBHOOK_RETRY_WINDOW_MS: '20000',
  DARAJA_HTTP_TIMEOUT_MS: '1500',
};

export interface Stack {
  config: Config;
  /** The "production" Daraja simulator, when started withProductionDaraja. */
  productionSimulator: Simulator | null;
  orm: Orm;
  /** The API's pool for its hot prepared reads (db/sqlPool.ts). */
  runSql: RunSql;
  temporal: Client;
  simulator: Simulator;
  /** The API's base URL, e.g. http://127.0.0.1:51234/api */
  apiUrl: string;
  /** An HTTP client that never throws on status codes. */
  http: AxiosInstance;
  taskQueue: string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  simulator?: SimulatorOptions;
  /** Also run a second simulator as "production" Daraja (its own credentials), wired to DARAJA_PRODUCTION_*. */
  withProductionDaraja?: boolean;
  env?: Record<string, string>;
  /** Start without a worker (tests that start it themselves, or run it in another process). */
  withoutWorker?: boolean;
  /** Where the API records its metrics (observability/); none: not recorded. */
  metrics?: Registry;
  /** Give the worker the simulator's M-Pesa certificate (DARAJA_CERTIFICATE_PATH), so it can build SecurityCredentials. */
  withSimulatorCertificate?: boolean;
}

const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The whole product on real parts: Postgres database, Temporal worker, API and simulator over HTTP. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const temporalAddress = process.env.TEMPORAL_TEST_ADDRESS;
  const bundlePath = process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE;
  if (!temporalAddress || !bundlePath)
    throw new Error(
      'Integration tests need the jest globalSetup (TEMPORAL_TEST_ADDRESS, TEMPORAL_TEST_WORKFLOW_BUNDLE)',
    );

  const databaseUrl = await createTestDatabase();
  const simulator = createSimulator({
    callbackDelayMs: 150,
    lateCallbackDelayMs: 6000,
    pushHangMs: 3000,
    ...options.simulator,
  });
  const { url: simulatorUrl } = await simulator.start(0);
  const productionCredentials = {
    consumerKey: 'live-key',
    consumerSecret: 'live-secret',
    shortcode: '4123456',
    passkey: 'live-passkey-0123456789',
  };
  const productionSimulator = options.withProductionDaraja
    ? createSimulator({
        callbackDelayMs: 150,
        credentials: {
          consumerKey: productionCredentials.consumerKey,
          consumerSecret: productionCredentials.consumerSecret,
          passkeys: { [productionCredentials.shortcode]: productionCredentials.passkey },
        },
      })
    : null;
  const productionEnv = productionSimulator
    ? {
        DARAJA_PRODUCTION_BASE_URL: (await productionSimulator.start(0)).url,
        DARAJA_PRODUCTION_CONSUMER_KEY: productionCredentials.consumerKey,
        DARAJA_PRODUCTION_CONSUMER_SECRET: productionCredentials.consumerSecret,
        DARAJA_PRODUCTION_SHORTCODE: productionCredentials.shortcode,
        DARAJA_PRODUCTION_PASSKEY: productionCredentials.passkey,
      }
    : {};
  const certificateEnv: Record<string, string> = {};
  if (options.withSimulatorCertificate) {
    const path = join(tmpdir(), `imarapay-simulator-${randomBytes(6).toString('hex')}.pem`);
    await writeFile(path, await simulator.control.certificate());
    certificateEnv.DARAJA_CERTIFICATE_PATH = path;
  }
  const apiPort = await freePort();
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    API_PORT: String(apiPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
    DARAJA_BASE_URL: simulatorUrl,
    LOG_LEVEL: 'silent',
    // Test receivers listen on loopback; production stacks (which refuse the setting) test the guard.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: options.env?.APP_ENV === 'production' ? 'false' : 'true',
    // Test files sign in and push far faster than people do; the rate-limit tests set their own limits.
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '10000/1s',
    RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_IP: '10000/1s',
    RATE_LIMIT_LOGIN_CODES_PER_ACCOUNT: '10000/1s',
    RATE_LIMIT_LOGIN_PER_IP: '10000/1s',
    RATE_LIMIT_SIGN_UP_PER_IP: '10000/1s',
    RATE_LIMIT_PAYMENTS_PER_API_KEY: '10000/1s',
    RATE_LIMIT_PAYMENTS_PER_MERCHANT: '10000/1s',
    RATE_LIMIT_REDELIVERIES_PER_MERCHANT: '10000/1s',
    RATE_LIMIT_KYC_PER_MERCHANT: '10000/1s',
    RATE_LIMIT_EXPORTS_PER_MERCHANT: '10000/1s',
    RATE_LIMIT_STATEMENT_UPLOADS_PER_MERCHANT: '10000/1s',
    RATE_LIMIT_CHECKOUT_PER_LINK: '10000/1s',
    RATE_LIMIT_CHECKOUT_PER_IP: '10000/1s',
    RATE_LIMIT_CHECKOUT_PER_PHONE: '10000/1s',
    RATE_LIMIT_CHECKOUT_READS_PER_IP: '10000/1s',
    RATE_LIMIT_REVERSALS_PER_MERCHANT: '10000/1s',
    RATE_LIMIT_INITIATOR_CHANGES_PER_MERCHANT: '10000/1s',
    ...TEST_TIMINGS,
    ...productionEnv,
    ...certificateEnv,
    ...options.env,
  });

  const orm = await createOrm({ databaseUrl, poolSize: 20 });
  await migrate(orm);
  // Test files share one Temporal namespace; distinct id ranges keep their `payment-<id>` workflow IDs apart.
  await orm.em.getConnection().execute(`select setval('transactions_id_seq', ?)`, [randomInt(1, 2_000_000) * 1000]);
  const connection = await Connection.connect({ address: temporalAddress });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const sqlPool = createSqlPool({ databaseUrl });
  const app = createApp({ config, orm, runSql: sqlPool.run, temporal, logger: silent, metrics: options.metrics });
  const server: Server = createHttpServer(app, { requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS }).listen(
    apiPort,
    '127.0.0.1',
  );
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));

  let worker: { worker: Worker; running: Promise<void>; connection: NativeConnection } | null = null;
  const startWorker = async () => {
    if (worker) return;
    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    const created = await createPaymentWorker({
      config,
      orm,
      connection: workerConnection,
      logger: silent,
      workflowBundle: { codePath: bundlePath },
      taskQueue,
    });
    worker = { worker: created, running: created.run(), connection: workerConnection };
  };
  const stopWorker = async () => {
    if (!worker) return;
    const current = worker;
    worker = null;
    current.worker.shutdown();
    await current.running;
    await current.connection.close();
  };
  if (!options.withoutWorker) await startWorker();

  return {
    config,
    productionSimulator,
    orm,
    runSql: sqlPool.run,
    temporal,
    simulator,
    apiUrl: `http://127.0.0.1:${apiPort}/api`,
    http: axios.create({ baseURL: `http://127.0.0.1:${apiPort}/api`, validateStatus: () => true, timeout: 60_000 }),
    taskQueue,
    startWorker,
    stopWorker,
    async stop() {
      await stopWorker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await simulator.stop();
      await productionSimulator?.stop();
      await connection.close();
      await sqlPool.close();
      await orm.close();
      await dropTestDatabase(databaseUrl);
    },
  };
}

export interface MerchantFixture {
  merchantId: number;
  channelId: number;
  username: string;
  password: string;
  /** Ready `Authorization` header value. */
  authorization: string;
}

/** A verified merchant with a till, a wallet holding `walletKes`, and a sandbox API key. */
export async function createMerchantFixture(
  stack: Stack,
  {
    walletKes = 1000,
    callbackUrl = null,
    kycStatus = 'verified',
  }: { walletKes?: number; callbackUrl?: string | null; kycStatus?: 'verified' | 'pending' } = {},
): Promise<MerchantFixture> {
  const em = stack.orm.em.fork();
  const suffix = randomBytes(4).toString('hex');
  const merchantId = await createMerchant(em, {
    name: `Test shop ${suffix}`,
    email: `shop-${suffix}@example.test`,
    kycStatus,
    callbackUrl,
  });
  const channelId = await createChannel(em, { merchantId, accountType: 'till', accountNumber: '5123456' });
  if (walletKes > 0) await topUp(em, { merchantId, amount: walletKes, reference: 'test opening balance' });
  const key = await issueApiKey(em, stack.config.API_KEY_PEPPER, merchantId, 'test key');
  return {
    merchantId,
    channelId,
    username: key.username,
    password: key.password,
    authorization: `Basic ${Buffer.from(`${key.username}:${key.password}`).toString('base64')}`,
  };
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Keeps the Rust core's log noise out of test output. */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new (require('@temporalio/worker').DefaultLogger)('WARN') });
  } catch {
    // already installed by an earlier test file in this worker process
  }
}
