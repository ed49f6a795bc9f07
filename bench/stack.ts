import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { loadConfig, type Config } from '../config/config';
import { createOrm, migrate, type Orm } from '../db/orm';
import { createChannel, createMerchant, issueApiKey, topUp } from '../db/merchants';
import { freePort, waitForPort } from '../scripts/net';
import { REPO_ROOT } from '../scripts/paths';
import { LoggingLauncher } from '../scripts/production/launcher';
import { freeTemporalPort, postgresSpecWatching, startTemporalOnPostgres, tsx } from '../scripts/production/shape';
import { resolveTemporal, type ResolvedTemporal } from '../scripts/temporal/devServer';
import { createHttpClient, type HttpClient } from './load';
import { simulatorRecordSettings } from '../scripts/simulatorCertificate';
import { findPid, spawnBenchChild, waitForLine, type BenchChild } from './proc';
import { startWebhookReceiver, type WebhookReceiver } from './webhooks';
import { READY_MARKER } from './workerRuntime';

export type Log = (message: string) => void;

export interface StackOptions {
  /** How long the simulated customer takes to answer (and the baseline waits before signalling). */
  callbackDelayMs: number;
  /** How many merchants share the load (1: every payment moves the same wallet row). */
  merchants: number;
  /** Merchants to create in all (≥ merchants), for the spread end-to-end run. */
  createMerchants: number;
  /** Where child logs and bundles go. */
  runDir: string;
  /** Profile every child with node --cpu-prof (profiles in runDir/profiles; slows them down). */
  cpuProfile?: boolean;
  /** `dev`: the CLI's dev server (SQLite in memory, one shard); `production`: the Temporal server on a Postgres cluster of its own, 4 shards. */
  engine?: TemporalEngine;
  /** Payment workers (each a child process); the metrics and the memory figures come from the first. */
  workers?: number;
  log: Log;
}

export type TemporalEngine = 'dev' | 'production';

/** A merchant the bench pays through: its channel, its API key as a ready Authorization header. */
export interface BenchMerchant {
  merchantId: number;
  channelId: number;
  authorization: string;
}

/** Facts about a bench worker, printed by it at start. */
export interface WorkerFacts {
  maxCachedWorkflows: number;
  heapSizeLimitMiB: number;
  [key: string]: unknown;
}

export interface Stack {
  config: Config;
  databaseName: string;
  /** The bench's own connection to the bench database (timelines). */
  pg: PgClient;
  /** A connection to the admin database, for pg_stat_activity and pg_stat_database (so sampling adds nothing to the bench database's counters). */
  statsPg: PgClient;
  orm: Orm;
  temporal: Client;
  temporalAddress: string;
  http: HttpClient;
  apiUrl: string;
  simulatorUrl: string;
  readServerUrl: string;
  webhooks: WebhookReceiver;
  /** Every bench merchant. */
  merchants: BenchMerchant[];
  /** The first `merchants` of them, which the scenarios pay through. */
  paying: BenchMerchant[];
  /** The payment task queue (API and bench worker) and the baseline worker's own. */
  taskQueue: string;
  baselineTaskQueue: string;
  /** pid of every part whose CPU and memory the report shows. */
  pids: {
    api: number;
    worker: number;
    simulator: number;
    temporal: number | null;
    baselineWorker: number;
    readServer: number;
  };
  metricsUrls: { worker: string; baselineWorker: string };
  workerFacts: { worker: WorkerFacts; baselineWorker: WorkerFacts };
  stop(): Promise<void>;
}

const ADMIN_URL =
  process.env.BENCH_DATABASE_ADMIN_URL ??
  process.env.TEST_DATABASE_ADMIN_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Starts ImaraPay the way it runs in production, one process per part, on this machine: a fresh
 * Postgres database on the machine's server, a Temporal dev server (in memory), the Daraja
 * simulator, the payment worker and the API as child processes; plus the baseline worker and the
 * bare read server. Every step that started something is undone by stop(), also after a failure.
 */
export async function startStack({
  callbackDelayMs,
  merchants: merchantCount,
  createMerchants,
  runDir,
  cpuProfile = false,
  engine = 'dev',
  workers: workerCount = 1,
  log,
}: StackOptions): Promise<Stack> {
  const undo: Array<() => Promise<void>> = [];
  let stopped: Promise<void> | null = null;
  // Idempotent: an interrupt and the normal end may both ask; the steps run once, newest first.
  const stopAll = () =>
    (stopped ??= (async () => {
      for (const step of undo.reverse()) {
        await step().catch((err: unknown) =>
          log(`clean-up step failed: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
    })());
  try {
    mkdirSync(runDir, { recursive: true });
    const databaseName = `imarapay_bench_${randomBytes(4).toString('hex')}`;
    await adminQuery(`create database ${databaseName}`);
    undo.push(() => adminQuery(`drop database if exists ${databaseName} with (force)`));
    const databaseUrl = withDatabase(ADMIN_URL, databaseName);
    log(`database ${databaseName} created`);

    log('starting Temporal and bundling the workflows (webpack takes a few seconds)');
    // The dev server logs every cancelled long poll as an error; keep its output out of the table.
    const temporalLog = createWriteStream(join(runDir, 'temporal.log'), { flags: 'a' });
    undo.push(() => new Promise<void>((resolve) => temporalLog.end(() => resolve())));
    const [temporalStart, ...bundles] = await Promise.allSettled([
      engine === 'production'
        ? startProductionTemporal(runDir, (line) => temporalLog.write(`${line}\n`))
        : resolveTemporal({ headless: true, log: (line) => temporalLog.write(`${line}\n`) }),
      writeBundle(join(REPO_ROOT, 'workflows', 'index.ts'), join(runDir, 'payment-workflows.js')),
      writeBundle(join(__dirname, 'baselines', 'workflows.ts'), join(runDir, 'baseline-workflows.js')),
    ]);
    if (temporalStart.status === 'fulfilled') undo.push(() => temporalStart.value.stop());
    const failed = [temporalStart, ...bundles].find((outcome) => outcome.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const temporalServer = (temporalStart as PromiseFulfilledResult<ResolvedTemporal & { pid?: number }>).value;
    const [paymentBundle, baselineBundle] = bundles.map(
      (outcome) => (outcome as PromiseFulfilledResult<string>).value,
    ) as [string, string];

    const orm = await createOrm({ databaseUrl, poolSize: 4 });
    undo.push(() => orm.close());
    await migrate(orm);
    const pg = new PgClient({ connectionString: databaseUrl });
    await pg.connect();
    undo.push(() => pg.end());
    const statsPg = new PgClient({ connectionString: ADMIN_URL });
    await statsPg.connect();
    undo.push(() => statsPg.end());

    const webhooks = await startWebhookReceiver();
    undo.push(() => webhooks.stop());
    const [apiPort, simulatorPort, readPort, workerMetricsPort, baselineMetricsPort] = await distinctPorts(5);
    const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
    const baselineTaskQueue = `${taskQueue}-baseline`;
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalServer.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_WORKFLOW_BUNDLE: paymentBundle,
      API_PORT: String(apiPort),
      PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
      DARAJA_BASE_URL: `http://127.0.0.1:${simulatorPort}`,
      SIMULATOR_PORT: String(simulatorPort),
      // Long enough that no payment ever falls back to STK queries during the bench.
      PAYMENT_CALLBACK_TIMEOUT_MS: String(3_600_000),
      LOG_LEVEL: 'warn',
      // The bench's webhook receiver listens on loopback.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      // The load comes from one merchant and one key, far past what a merchant's own traffic may be.
      RATE_LIMIT_PAYMENTS_PER_API_KEY: '100000/1s',
      RATE_LIMIT_PAYMENTS_PER_MERCHANT: '100000/1s',
    });
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(config)) env[key] = String(value);

    const start = (name: string, script: string, extra: NodeJS.ProcessEnv = {}) => {
      const child = spawnBenchChild({
        name,
        script,
        env: { ...env, ...extra },
        logFile: join(runDir, `${name}.log`),
        cpuProfileDir: cpuProfile ? join(runDir, 'profiles') : undefined,
      });
      undo.push(() => child.stop());
      return child;
    };
    log('starting the simulator, workers, API and read server as child processes');
    const simulator = start('simulator', 'bench/simulator.ts', { BENCH_CALLBACK_DELAY_MS: String(callbackDelayMs) });
    // Transaction Status encrypts to the simulator's certificate, derived as npm start does.
    Object.assign(
      env,
      await simulatorRecordSettings({}, { simulatorUrl: `http://127.0.0.1:${simulatorPort}`, dataDir: runDir }),
    );
    const worker = start('worker', 'bench/worker.ts', { BENCH_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}` });
    // More workers on the same task queue; only the first one's metrics are scraped.
    const moreWorkers = await Promise.all(
      Array.from({ length: workerCount - 1 }, async (_, i) =>
        start(`worker-${i + 2}`, 'bench/worker.ts', { BENCH_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` }),
      ),
    );
    const api = start('api', 'api/main.ts');
    const baselineWorker = start('baseline-worker', 'bench/baselines/worker.ts', {
      BENCH_METRICS_ADDRESS: `127.0.0.1:${baselineMetricsPort}`,
      TEMPORAL_TASK_QUEUE: baselineTaskQueue,
      TEMPORAL_WORKFLOW_BUNDLE: baselineBundle,
    });
    const readServer = start('read-server', 'bench/baselines/readServer.ts', { BENCH_PORT: String(readPort) });
    const [workerLine, baselineLine] = await Promise.all([
      waitForLine(worker, READY_MARKER, 120_000),
      waitForLine(baselineWorker, READY_MARKER, 120_000),
      ...moreWorkers.map((child) => waitForLine(child, READY_MARKER, 120_000)),
      ...[apiPort, simulatorPort, readPort].map((port) => waitForChildPort(port, [api, simulator, readServer])),
    ]);

    const connection = await Connection.connect({ address: temporalServer.address });
    undo.push(() => connection.close());
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const http = createHttpClient(256);
    undo.push(async () => http.close());

    const merchants: BenchMerchant[] = [];
    const total = Math.max(merchantCount, createMerchants);
    for (let i = 0; i < total; i += 1) merchants.push(await createBenchMerchant(orm, config, webhooks.url, i));
    log(
      `${total} merchant(s) ready, each with KES 50,000,000 in its service wallet; scenarios pay through ${merchantCount}`,
    );

    return {
      config,
      databaseName,
      pg,
      statsPg,
      orm,
      temporal,
      temporalAddress: temporalServer.address,
      http,
      apiUrl: `http://127.0.0.1:${apiPort}/api`,
      simulatorUrl: `http://127.0.0.1:${simulatorPort}`,
      readServerUrl: `http://127.0.0.1:${readPort}`,
      webhooks,
      merchants,
      paying: merchants.slice(0, merchantCount),
      taskQueue,
      baselineTaskQueue,
      pids: {
        api: api.pid,
        worker: worker.pid,
        simulator: simulator.pid,
        temporal:
          temporalServer.pid ??
          (temporalServer.startedHere
            ? findPid(['start-dev', `--port ${temporalServer.address.split(':')[1]}`])
            : null),
        baselineWorker: baselineWorker.pid,
        readServer: readServer.pid,
      },
      metricsUrls: {
        worker: `http://127.0.0.1:${workerMetricsPort}/metrics`,
        baselineWorker: `http://127.0.0.1:${baselineMetricsPort}/metrics`,
      },
      workerFacts: { worker: factsOf(workerLine), baselineWorker: factsOf(baselineLine) },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The production engine for the bench: an embedded Postgres cluster of its own (in runDir) holding
 * Temporal's databases, and the Temporal server on it with 4 history shards (scripts/production).
 * The app's database stays on the machine's server, as with the dev engine, so that only the
 * engine differs between the two.
 */
async function startProductionTemporal(runDir: string, log: Log): Promise<ResolvedTemporal & { pid: number }> {
  const launcher = new LoggingLauncher(runDir);
  try {
    let announce: (url: string) => void = () => undefined;
    const announced = new Promise<string>((resolve) => (announce = resolve));
    const postgres = launcher.spawn(
      postgresSpecWatching(
        tsx('temporal-postgres', 'scripts/postgres/run.ts', {
          ...process.env,
          EMBEDDED_POSTGRES_PORT: String(await freePort()),
          EMBEDDED_POSTGRES_DATA_DIR: join(runDir, 'temporal-postgres'),
          EMBEDDED_POSTGRES_MAX_CONNECTIONS: '200',
        }),
        announce,
        () => undefined,
      ),
    );
    const url = new URL(
      await Promise.race([
        announced,
        postgres.exited.then((): never => {
          throw new Error('the embedded Postgres for Temporal exited during start-up');
        }),
      ]),
    );
    const server = await startTemporalOnPostgres({
      launcher,
      postgres: {
        host: url.hostname,
        port: Number(url.port),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      },
      configDir: join(runDir, 'temporal-config'),
      port: await freeTemporalPort(),
      namespace: 'default',
      log,
    });
    return {
      address: server.address,
      uiUrl: null,
      startedHere: true,
      pid: server.process.pid,
      exited: server.process.exited,
      stop: () => launcher.stopAll(),
    };
  } catch (err) {
    await launcher.stopAll();
    throw err;
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new PgClient({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function writeBundle(workflowsPath: string, file: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(workflowsPath),
    logger: new DefaultLogger('WARN'),
  });
  writeFileSync(file, code);
  return file;
}

async function distinctPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < count && tries < count * 20; tries += 1) ports.add(await freePort());
  if (ports.size < count) throw new Error('could not find enough free ports');
  return [...ports];
}

/** Waits for a child's port, failing early with its output when one of the children exits. */
async function waitForChildPort(port: number, children: BenchChild[]): Promise<void> {
  const giveUp = new AbortController();
  const exits = children.map((child) =>
    child.process.exited.then((exit) => {
      throw new Error(
        `${child.name} exited during start-up (${JSON.stringify(exit)}):\n${child.output().slice(-3000)}`,
      );
    }),
  );
  try {
    await Promise.race([waitForPort({ host: '127.0.0.1', port, timeoutMs: 120_000, signal: giveUp.signal }), ...exits]);
  } finally {
    giveUp.abort();
    exits.forEach((exit) => exit.catch(() => undefined));
  }
}

function factsOf(line: string): WorkerFacts {
  return JSON.parse(line.slice(line.indexOf(READY_MARKER) + READY_MARKER.length)) as WorkerFacts;
}

async function createBenchMerchant(
  orm: Orm,
  config: Config,
  webhookUrl: string,
  index: number,
): Promise<BenchMerchant> {
  const em = orm.em.fork();
  const suffix = `${index}-${randomBytes(3).toString('hex')}`;
  const merchantId = await createMerchant(em, {
    name: `Bench shop ${suffix}`,
    email: `bench-${suffix}@example.test`,
    kycStatus: 'verified',
    callbackUrl: webhookUrl,
  });
  const channelId = await createChannel(em, { merchantId, accountType: 'till', accountNumber: '5123456' });
  await topUp(em, { merchantId, amount: 50_000_000, reference: 'bench opening balance' });
  const key = await issueApiKey(em, config.API_KEY_PEPPER, merchantId, 'bench key');
  return {
    merchantId,
    channelId,
    authorization: `Basic ${Buffer.from(`${key.username}:${key.password}`).toString('base64')}`,
  };
}
