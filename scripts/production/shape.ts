import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { Log } from '../log';
import { isPortOpen, waitForPort } from '../net';
import { REPO_ROOT } from '../paths';
import { simulatorRecordSettings } from '../simulatorCertificate';
import type { ManagedProcess } from '../processes';
import { shutdownWaitMs, type ChildSpec } from '../supervisor';
import { ensureTemporalCli } from '../temporal/cli';
import {
  namespaceSetupEnv,
  portsFrom,
  schemaSetupEnv,
  temporalServerChild,
  writeServerConfig,
  type TemporalPostgres,
} from '../temporal/productionServer';
import { installTemporalServer } from '../temporal/serverInstall';

/**
 * ImaraPay in its production shape, on this machine: its own Postgres cluster, the Temporal server
 * (not the dev server) on that Postgres with several history shards, the migrations, the Daraja
 * simulator, several API instances and several workers. Used by `npm run production:local`
 * (under the Supervisor) and by `npm run chaos` (which kills and restarts the parts).
 */
export interface ShapeOptions {
  /** Postgres data, the Temporal config and the workflow bundle go here. */
  dataDir: string;
  ports: ShapePorts;
  apiInstances: number;
  workers: number;
  /** App settings on top of the defaults (timers, secrets, log level); DATABASE_URL etc. are set here. */
  appEnv: NodeJS.ProcessEnv;
  /** Where Daraja's callbacks go: a proxy in front of the APIs, or the first API when omitted. */
  publicBaseUrl?: string;
  /** Where the app reaches Daraja (a fault injector may sit in between); the simulator when omitted. */
  darajaBaseUrl?: string;
  /** The simulator as a child (default simulator/main.ts). */
  simulatorScript?: string;
  launcher: Launcher;
  log: Log;
}

export interface ShapePorts {
  postgres: number;
  /** The Temporal frontend; the other services use the ports after it (productionServer.portsFrom). */
  temporal: number;
  simulator: number;
  /** One per API instance. */
  apis: number[];
  /** Ops listeners (GET /metrics), one per API instance and one per worker; none when omitted. */
  metrics?: { apis: number[]; workers: number[] };
}

/** How the parts are run: the Supervisor for production:local, restartable children for chaos. */
export interface Launcher {
  spawn(spec: ChildSpec): ManagedProcess;
  runToCompletion(spec: ChildSpec): Promise<void>;
  signal?: AbortSignal;
}

/** Everything needed to (re)start each part later: the chaos suite restarts them after a kill. */
export interface ShapeParts {
  postgres: ChildSpec;
  temporal: ChildSpec;
  simulator: ChildSpec;
  apis: ChildSpec[];
  workers: ChildSpec[];
}

export interface RunningShape {
  databaseUrl: string;
  temporalAddress: string;
  apiUrls: string[];
  simulatorUrl: string;
  /** The environment every app process got. */
  env: NodeJS.ProcessEnv;
  parts: ShapeParts;
  processes: {
    postgres: ManagedProcess;
    temporal: ManagedProcess;
    simulator: ManagedProcess;
    apis: ManagedProcess[];
    workers: ManagedProcess[];
  };
  /** Latest pid of the postmaster (it changes when Postgres is restarted). */
  postgresPid(): number;
}

const HOST = '127.0.0.1';

/** Starts every part in dependency order; the launcher stops what started if a step fails. */
export async function startShape(opts: ShapeOptions): Promise<RunningShape> {
  const { dataDir, ports, launcher, log } = opts;
  fs.mkdirSync(dataDir, { recursive: true });
  let postgresPid = 0;
  let announceUrl: (url: string) => void = () => undefined;
  const announced = new Promise<string>((resolve) => (announceUrl = resolve));
  // The same spec restarts Postgres after a fault: its POSTGRES_PID line keeps postgresPid current.
  const postgresSpec = postgresSpecWatching(
    tsx('postgres', 'scripts/postgres/run.ts', {
      ...process.env,
      EMBEDDED_POSTGRES_PORT: String(ports.postgres),
      EMBEDDED_POSTGRES_DATA_DIR: path.join(dataDir, 'postgres'),
      EMBEDDED_POSTGRES_MAX_CONNECTIONS: '300',
    }),
    announceUrl,
    (pid) => (postgresPid = pid),
  );
  const postgres = launcher.spawn(postgresSpec);
  const databaseUrl = await Promise.race([
    announced,
    postgres.exited.then((): never => {
      throw new Error('embedded Postgres exited before it was ready');
    }),
  ]);
  const url = new URL(databaseUrl);
  const pg: TemporalPostgres = {
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };

  const namespace = opts.appEnv.TEMPORAL_NAMESPACE ?? 'default';
  const {
    spec: temporalSpec,
    process: temporal,
    address: temporalAddress,
  } = await startTemporalOnPostgres({
    launcher,
    postgres: pg,
    configDir: path.join(dataDir, 'temporal-config'),
    port: ports.temporal,
    namespace,
    log,
  });

  const bundle = path.join(dataDir, 'workflow-bundle.js');
  log('bundling the workflows once for every worker');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(path.join(REPO_ROOT, 'workflows', 'index.ts')),
    logger: new DefaultLogger('WARN'),
  });
  fs.writeFileSync(bundle, code);

  const apiUrls = ports.apis.map((port) => `http://${HOST}:${port}`);
  const simulatorUrl = `http://${HOST}:${ports.simulator}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...opts.appEnv,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_WORKFLOW_BUNDLE: bundle,
    PUBLIC_BASE_URL: opts.publicBaseUrl ?? apiUrls[0],
    DARAJA_BASE_URL: opts.darajaBaseUrl ?? simulatorUrl,
    SIMULATOR_PORT: String(ports.simulator),
  };
  await launcher.runToCompletion(tsx('migrate', 'db/migrate.ts', env));

  const simulatorSpec = tsx('simulator', opts.simulatorScript ?? 'simulator/main.ts', env);
  const simulator = launcher.spawn(simulatorSpec);
  // Transaction Status encrypts to the simulator's certificate (scripts/simulatorCertificate.ts, as
  // npm start): the APIs and workers start once it is saved, and keep it across their restarts.
  Object.assign(env, await simulatorRecordSettings(opts.appEnv, { simulatorUrl, dataDir, timeoutMs: 120_000 }));
  // Each API and worker gets its own ops listener, or none (an inherited METRICS_PORT would collide),
  // and its shutdown grace before it is killed.
  const metricsPort = (kind: 'apis' | 'workers', i: number) => String(ports.metrics?.[kind][i] ?? 0);
  const appSpec = (name: string, script: string, partEnv: NodeJS.ProcessEnv): ChildSpec => ({
    ...tsx(name, script, partEnv),
    stopTimeoutMs: shutdownWaitMs(partEnv),
  });
  const workerSpecs = Array.from({ length: opts.workers }, (_, i) =>
    appSpec(`worker-${i + 1}`, 'worker/main.ts', { ...env, METRICS_PORT: metricsPort('workers', i) }),
  );
  const apiSpecs = ports.apis.map((port, i) =>
    appSpec(`api-${i + 1}`, 'api/main.ts', { ...env, API_PORT: String(port), METRICS_PORT: metricsPort('apis', i) }),
  );
  const workers = workerSpecs.map((spec) => launcher.spawn(spec));
  const apis = apiSpecs.map((spec) => launcher.spawn(spec));
  await Promise.all(
    [ports.simulator, ...ports.apis].map((port) =>
      waitForPort({ host: HOST, port, timeoutMs: 120_000, signal: launcher.signal }),
    ),
  );

  return {
    databaseUrl,
    temporalAddress,
    apiUrls,
    simulatorUrl,
    env,
    parts: {
      postgres: postgresSpec,
      temporal: temporalSpec,
      simulator: simulatorSpec,
      apis: apiSpecs,
      workers: workerSpecs,
    },
    processes: { postgres, temporal, simulator, apis, workers },
    postgresPid: () => postgresPid,
  };
}

export interface TemporalOnPostgresOptions {
  launcher: Launcher;
  postgres: TemporalPostgres;
  /** Where the server's config file is written. */
  configDir: string;
  /** The frontend port; the other services take the ports after it (portsFrom). */
  port: number;
  namespace: string;
  log: Log;
}

/**
 * The production Temporal engine on a Postgres: the schemas set up by deploy/temporal/setup-schema.sh
 * (what the compose file's admin-tools job runs), the server started with HISTORY_SHARDS shards, then
 * the namespace and search attributes registered by deploy/temporal/setup-namespace.sh.
 */
export async function startTemporalOnPostgres({
  launcher,
  postgres,
  configDir,
  port,
  namespace,
  log,
}: TemporalOnPostgresOptions): Promise<{ spec: ChildSpec; process: ManagedProcess; address: string }> {
  const tools = await installTemporalServer({ log });
  const cliPath = await ensureTemporalCli({ log });
  log('Temporal schema: deploy/temporal/setup-schema.sh (the compose file runs the same script)');
  await launcher.runToCompletion({
    name: 'temporal-schema',
    command: 'sh',
    args: [path.join(REPO_ROOT, 'deploy/temporal/setup-schema.sh')],
    env: schemaSetupEnv(tools, postgres),
  });
  writeServerConfig(configDir, { postgres, ports: portsFrom(port) });
  const spec = temporalServerChild(tools, configDir);
  const server = launcher.spawn(spec);
  const address = `${HOST}:${port}`;
  // The frontend's port opens before the server has joined its own cluster: a server that dies
  // after that (bad config) must end start-up, not leave the namespace step retrying for minutes.
  const died = server.exited.then((exit): never => {
    throw new Error(`the Temporal server exited during start-up (${JSON.stringify(exit)})`);
  });
  died.catch(() => undefined);
  await Promise.race([waitForPort({ host: HOST, port, timeoutMs: 120_000, signal: launcher.signal }), died]);
  log('Temporal namespace and search attributes: deploy/temporal/setup-namespace.sh');
  const namespaceStep = launcher.runToCompletion({
    name: 'temporal-namespace',
    command: 'sh',
    args: [path.join(REPO_ROOT, 'deploy/temporal/setup-namespace.sh')],
    env: namespaceSetupEnv(cliPath, address, namespace),
  });
  namespaceStep.catch(() => undefined);
  await Promise.race([namespaceStep, died]);
  return { spec, process: server, address };
}

/** The Postgres child spec, listening for its DATABASE_URL= and POSTGRES_PID= lines. */
export function postgresSpecWatching(
  base: ChildSpec,
  onUrl: (url: string) => void,
  onPid: (pid: number) => void,
): ChildSpec {
  return {
    ...base,
    onLine: (line) => {
      base.onLine?.(line);
      const url = /^DATABASE_URL=(\S+)$/.exec(line);
      if (url) onUrl(url[1]!);
      const pid = /^POSTGRES_PID=(\d+)$/.exec(line);
      if (pid) onPid(Number(pid[1]));
    },
  };
}

/** A frontend port whose whole range (portsFrom) is free right now, for a server next to others. */
export async function freeTemporalPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries += 1) {
    // Membership ports are stored in a smallint column: every port of the range must stay ≤ 32767.
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const open = await Promise.all(Object.values(portsFrom(base)).map((port) => isPortOpen(HOST, port, 300)));
    if (!open.some(Boolean)) return base;
  }
  throw new Error('found no free range of ports for the Temporal server');
}

/** A child that runs a TypeScript entry point through tsx's loader (one process, no tsx wrapper). */
export function tsx(name: string, script: string, env: NodeJS.ProcessEnv): ChildSpec {
  return { name, command: process.execPath, args: ['--import', 'tsx', script], cwd: REPO_ROOT, env };
}
