/**
 * `npm start`: the whole of ImaraPay on one machine, as one supervised process tree.
 *
 *   Postgres     DATABASE_URL, or an embedded cluster in .data/postgres
 *   Temporal     TEMPORAL_ADDRESS, or a dev server with the Web UI, state in .data/temporal.db
 *   migrations   db/migrate.ts, once
 *   simulator, worker, API   one child each, output prefixed with its name; the worker and the API
 *                            start once the simulator's certificate is saved (DARAJA_CERTIFICATE_PATH)
 *   dashboard    web/dist, built with Vite when missing or older than web/
 *   demo merchant            created if missing, with dashboard logins (development only), printed and saved
 *
 *   metrics      the API's and the worker's ops listeners on 127.0.0.1:9464 and :9465
 *
 * Ports: API_PORT, SIMULATOR_PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, POSTGRES_PORT, API_METRICS_PORT,
 * WORKER_METRICS_PORT; every URL that names one of them follows it (scripts/portSettings.ts).
 * IMARAPAY_DATA_DIR moves .data (Postgres, Temporal's SQLite file, the demo merchant file).
 *
 * Ctrl-C stops everything in reverse order, each API and worker given its shutdown grace; if any
 * part dies, the rest is stopped and the exit code is 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config/config';
import { logFormatOf } from '../config/logger';
import { ensureDemoMerchant } from '../db/demoMerchant';
import { ensureDemoLogins, type DemoLogins } from '../db/demoLogins';
import { prefixedLog } from './log';
import { dialHost, waitForPort } from './net';
import { DATA_DIR, REPO_ROOT } from './paths';
import { portFollowers, portFromEnv as portSetting, PortSettingError } from './portSettings';
import { Supervisor, shutdownWaitMs, type ChildSpec } from './supervisor';
import { simulatorRecordSettings } from './simulatorCertificate';
import { resolveTemporal } from './temporal/devServer';
import { SIMULATOR_INITIATOR } from '../simulator/initiator';
import { buildDashboardIfStale } from './web/build';

/** Port of the embedded Postgres; away from 5432 so that a system Postgres can keep that one. */
const POSTGRES_PORT = portFromEnv('POSTGRES_PORT', 54329);
const TEMPORAL_PORT = portFromEnv('TEMPORAL_PORT', 7233);
const TEMPORAL_UI_PORT = portFromEnv('TEMPORAL_UI_PORT', 8233);
const API_METRICS_PORT = portFromEnv('API_METRICS_PORT', 9464);
const WORKER_METRICS_PORT = portFromEnv('WORKER_METRICS_PORT', 9465);

const DEMO_MERCHANT_FILE = path.join(DATA_DIR, 'demo-merchant.json');

const log = prefixedLog('start');
const supervisor = new Supervisor(log);
supervisor.handleSignals();

void supervisor.run(async () => {
  const settings = loadConfig(); // fail on a bad setting before anything starts
  fs.mkdirSync(DATA_DIR, { recursive: true });
  // The API serves web/dist at /; build it first so the printed URL opens the current dashboard.
  buildDashboardIfStale(prefixedLog('web'));

  if (process.env.DATABASE_URL) log('Using the Postgres at DATABASE_URL');
  const databaseUrl = process.env.DATABASE_URL || (await startPostgresChild());
  const temporal = await resolveTemporal({
    port: TEMPORAL_PORT,
    uiPort: TEMPORAL_UI_PORT,
    dbFile: path.join(DATA_DIR, 'temporal.db'),
    ownProcessGroup: true,
    log: prefixedLog('temporal'),
  });
  supervisor.watch({ name: 'temporal', ...temporal });

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    // Every URL that names a part must name the port that part really listens on: Daraja's callbacks
    // (the API), the worker's pushes and queries (the simulator), the admin pages' workflow links.
    ...portFollowers(process.env, {
      apiHost: settings.API_HOST,
      api: settings.API_PORT,
      simulatorHost: settings.SIMULATOR_HOST,
      simulator: settings.SIMULATOR_PORT,
      temporalUiUrl: temporal.uiUrl,
    }),
    // On this machine a merchant's receiver is usually local (http://127.0.0.1:…): allowed here, explicitly.
    WEBHOOK_ALLOW_PRIVATE_TARGETS:
      process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? (process.env.APP_ENV === 'production' ? 'false' : 'true'),
    // The children write to the supervisor's pipes: they log as this terminal (or redirect) calls for.
    LOG_FORMAT: logFormatOf(),
  };
  const config = loadConfig(env);

  await supervisor.runToCompletion(tsx('migrate', 'db/migrate.ts', env));
  supervisor.spawn(tsx('simulator', 'simulator/main.ts', env));
  // Transaction Status encrypts the initiator's password to the simulator's certificate (new at each
  // start): the worker and the API start once it is saved, unless DARAJA_BASE_URL names another Daraja.
  const useSimulator = !process.env.DARAJA_BASE_URL;
  const appEnv = {
    ...env,
    ...(await simulatorRecordSettings(process.env, {
      simulatorUrl: `http://${dialHost(settings.SIMULATOR_HOST)}:${settings.SIMULATOR_PORT}`,
      dataDir: DATA_DIR,
      useSimulator,
    })),
  };
  // Each process its own ops listener on loopback (METRICS_PORT=0 turns both off).
  const metricsOff = process.env.METRICS_PORT === '0';
  const metrics = { api: metricsOff ? 0 : API_METRICS_PORT, worker: metricsOff ? 0 : WORKER_METRICS_PORT };
  supervisor.spawn(drained(tsx('worker', 'worker/main.ts', { ...appEnv, METRICS_PORT: String(metrics.worker) })));
  supervisor.spawn(drained(tsx('api', 'api/main.ts', { ...appEnv, METRICS_PORT: String(metrics.api) })));
  const apiHost = dialHost(config.API_HOST);
  await Promise.all([
    waitForPort({ host: apiHost, port: config.API_PORT, signal: supervisor.signal }),
    waitForPort({ host: '127.0.0.1', port: config.SIMULATOR_PORT, signal: supervisor.signal }),
  ]);

  const demo = await ensureDemoMerchant(config, DEMO_MERCHANT_FILE, useSimulator ? SIMULATOR_INITIATOR : undefined);
  const logins = await ensureDemoLogins(config, demo.merchant_id, readSavedDemo());
  const dashboardUrl = `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/`;
  const merchant = { ...demo, temporal_ui_url: temporal.uiUrl, dashboard_url: dashboardUrl, ...logins };
  fs.writeFileSync(DEMO_MERCHANT_FILE, `${JSON.stringify(merchant, null, 2)}\n`, { mode: 0o600 });
  printBanner({
    config,
    merchant,
    databaseUrl,
    simulatorUrl: config.DARAJA_BASE_URL,
    metrics: metricsOff ? null : metrics,
  });
});

/** A port from the environment variable `name`, or `fallback` when unset; exits on a value that is not a port. */
function portFromEnv(name: string, fallback: number): number {
  try {
    return portSetting(process.env, name, fallback);
  } catch (err) {
    if (!(err instanceof PortSettingError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

/** What the last run saved in .data/demo-merchant.json (dashboard passwords that may still work). */
function readSavedDemo(): Partial<DemoLogins> | null {
  try {
    return JSON.parse(fs.readFileSync(DEMO_MERCHANT_FILE, 'utf8')) as Partial<DemoLogins>;
  } catch {
    return null;
  }
}

/** Starts scripts/postgres/run.ts as a supervised child and waits for the URL it prints. */
async function startPostgresChild(): Promise<string> {
  let announce: (url: string) => void = () => undefined;
  const announced = new Promise<string>((resolve) => (announce = resolve));
  const postgres = supervisor.spawn({
    ...tsx('postgres', 'scripts/postgres/run.ts', { ...process.env, EMBEDDED_POSTGRES_PORT: String(POSTGRES_PORT) }),
    onLine: (line) => {
      const match = /^DATABASE_URL=(\S+)$/.exec(line);
      if (match) announce(match[1]);
    },
  });
  return Promise.race([
    announced,
    postgres.exited.then((): never => {
      throw new Error('embedded Postgres exited before it was ready');
    }),
  ]);
}

/** An API or worker child, given its shutdown grace to finish requests and activities before SIGKILL. */
function drained(spec: ChildSpec): ChildSpec {
  return { ...spec, stopTimeoutMs: shutdownWaitMs(spec.env ?? process.env) };
}

/** A child that runs a TypeScript entry point through tsx's loader (one process, no tsx wrapper). */
function tsx(name: string, script: string, env: NodeJS.ProcessEnv): ChildSpec {
  return { name, command: process.execPath, args: ['--import', 'tsx', script], cwd: REPO_ROOT, env };
}

interface BannerInput {
  config: Config;
  merchant: Awaited<ReturnType<typeof ensureDemoMerchant>> & {
    temporal_ui_url: string | null;
    dashboard_url: string;
  } & Partial<DemoLogins>;
  databaseUrl: string;
  simulatorUrl: string;
  /** The ops listeners' ports, or null when metrics are off. */
  metrics: { api: number; worker: number } | null;
}

function printBanner({ merchant, databaseUrl, simulatorUrl, config, metrics }: BannerInput): void {
  const rows: [string, string | number][] = [
    ['Dashboard', merchant.dashboard_url],
    ['Payments API', merchant.base_url],
    ['Temporal Web UI', merchant.temporal_ui_url ?? `(external server at ${config.TEMPORAL_ADDRESS})`],
    ['Daraja simulator', simulatorUrl],
    ['Postgres', withoutPassword(databaseUrl)],
    ...(metrics
      ? ([
          ['API metrics', `http://${config.METRICS_HOST}:${metrics.api}/metrics`],
          ['Worker metrics', `http://${config.METRICS_HOST}:${metrics.worker}/metrics`],
          ['Readiness', `${merchant.base_url.replace(/\/api$/, '')}/api/ready`],
        ] as [string, string][])
      : []),
  ];
  const credentials: [string, string | number][] = [
    ['api_username', merchant.api_username],
    ['api_password', merchant.api_password],
    ['account_id', merchant.account_id],
    ['merchant_id', merchant.merchant_id],
    ...(merchant.email
      ? ([
          ['email', merchant.email],
          ['password', merchant.password!],
          ['admin_email', merchant.admin_email!],
          ['admin_password', merchant.admin_password!],
        ] as [string, string][])
      : []),
  ];
  const table = (pairs: [string, string | number][], indent: string) =>
    pairs.map(([k, v]) => `${indent}${k.padEnd(18)}${v}`).join('\n');
  process.stdout.write(
    [
      '',
      'ImaraPay is running. Press Ctrl-C to stop.',
      '',
      table(rows, '  '),
      '',
      `  Demo merchant (saved in ${path.relative(REPO_ROOT, DEMO_MERCHANT_FILE)}):`,
      table(credentials, '    '),
      '',
      '',
    ].join('\n'),
  );
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
