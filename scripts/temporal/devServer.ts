import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../workflows/searchAttributes';
import type { Log } from '../log';
import { freePort, isPortOpen } from '../net';
import { describeExit, spawnManaged, type ExitInfo } from '../processes';
import { ensureTemporalCli } from './cli';

const HOST = '127.0.0.1';

export interface DevServerOptions {
  /** Frontend gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; a free one when omitted (ignored when headless). */
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  /** SQLite file that keeps workflows across restarts; in memory when omitted. */
  dbFile?: string;
  /** Extra namespace to create at launch ("default" always exists). */
  namespace?: string;
  /** Receives the server's own output and our progress lines. */
  log: Log;
  /** The binary to run; found or installed with ensureTemporalCli when omitted. */
  cliPath?: string;
  /** See SpawnManagedOptions.ownProcessGroup: true under a supervisor that stops children in order. */
  ownProcessGroup?: boolean;
  /** How long to wait for the frontend to answer. */
  readyTimeoutMs?: number;
}

export interface TemporalDevServer {
  /** host:port of the frontend, for Connection.connect / NativeConnection.connect. */
  address: string;
  /** The Web UI, or null when headless. */
  uiUrl: string | null;
  /** Settles when the server process exits. */
  exited: Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}

/**
 * Runs `temporal server start-dev` on 127.0.0.1 with ImaraPay's search attributes registered, and
 * resolves once the frontend serves requests and knows those attributes.
 */
export async function startTemporalDevServer(opts: DevServerOptions): Promise<TemporalDevServer> {
  const { headless = false, dbFile, namespace, log, readyTimeoutMs = 60_000 } = opts;
  const cliPath = opts.cliPath ?? (await ensureTemporalCli({ log }));
  const port = opts.port ?? (await freePort(HOST));
  const uiPort = headless ? null : (opts.uiPort ?? (await freePortOtherThan(port)));
  if (await isPortOpen(HOST, port)) {
    throw new Error(
      `Port ${port} on ${HOST} is already in use. If a Temporal server is running there, ` +
        `use it with TEMPORAL_ADDRESS=${HOST}:${port}.`,
    );
  }
  if (uiPort !== null && (await isPortOpen(HOST, uiPort))) {
    throw new Error(`Port ${uiPort} on ${HOST} (Temporal Web UI) is already in use.`);
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(port),
    ...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(dbFile ? ['--db-filename', dbFile] : []),
    ...(namespace && namespace !== 'default' ? ['--namespace', namespace] : []),
    ...SEARCH_ATTRIBUTE_REGISTRATIONS.flatMap((registration) => ['--search-attribute', registration]),
    // What Temporal's own CI uses: the dev server's SQLite need not survive a power cut.
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=OFF',
    // The version check phones home; pointless offline and in CI.
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    // `warn` would show a screenful of harmless connection warnings on every shutdown.
    '--log-level',
    'error',
  ];
  const server = spawnManaged({
    name: 'temporal',
    command: cliPath,
    args,
    onLine: (line) => log(line),
    ownProcessGroup: opts.ownProcessGroup ?? false,
    stopTimeoutMs: 10_000,
  });

  const address = `${HOST}:${port}`;
  const giveUp = new AbortController();
  try {
    await Promise.race([
      waitUntilReady(address, namespace ?? 'default', readyTimeoutMs, giveUp.signal),
      server.exited.then((exit) => {
        throw new Error(`temporal server start-dev exited during start-up (${describeExit(exit)})`);
      }),
    ]);
  } catch (err) {
    giveUp.abort();
    await server.stop();
    throw err;
  }

  return {
    address,
    uiUrl: uiPort === null ? null : `http://${HOST}:${uiPort}`,
    exited: server.exited,
    stop: async () => {
      await server.stop();
    },
  };
}

async function freePortOtherThan(taken: number): Promise<number> {
  for (;;) {
    const port = await freePort(HOST);
    if (port !== taken) return port;
  }
}

/**
 * Polls until the frontend answers, the namespace exists and every custom search attribute is
 * registered: a workflow that upserts an unknown attribute would fail its tasks over and over.
 */
async function waitUntilReady(
  address: string,
  namespace: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const expected = SEARCH_ATTRIBUTE_REGISTRATIONS.map((registration) => registration.split('=')[0]);
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline && !signal.aborted) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.workflowService.describeNamespace({ namespace });
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = expected.filter((name) => !(name in (customAttributes ?? {})));
      if (missing.length === 0) return;
      lastError = new Error(`search attributes not registered yet: ${missing.join(', ')}`);
    } catch (err) {
      lastError = err;
    } finally {
      await connection?.close();
    }
    await sleep(250);
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new Error(`Temporal at ${address} was not ready within ${timeoutMs} ms: ${reason}`, { cause: lastError });
}

/** A Temporal server for the dev tools: the one named by TEMPORAL_ADDRESS, or a fresh dev server. */
export interface ResolvedTemporal {
  address: string;
  uiUrl: string | null;
  /** False when TEMPORAL_ADDRESS named a server someone else runs. */
  startedHere: boolean;
  /** Settles if the dev server started here exits; never settles for an external server. */
  exited: Promise<ExitInfo>;
  /** Stops the dev server started here; does nothing for an external server. */
  stop(): Promise<void>;
}

/**
 * Uses the server at TEMPORAL_ADDRESS when it is set (its search attributes are then the operator's
 * job, see docker-compose.yml), otherwise starts a dev server with `opts`.
 */
export async function resolveTemporal(opts: DevServerOptions & { env?: NodeJS.ProcessEnv }): Promise<ResolvedTemporal> {
  const external = (opts.env ?? process.env).TEMPORAL_ADDRESS;
  if (external) {
    opts.log(`Using the Temporal server at TEMPORAL_ADDRESS=${external}`);
    return {
      address: external,
      uiUrl: null,
      startedHere: false,
      exited: new Promise(() => undefined),
      stop: async () => undefined,
    };
  }
  const server = await startTemporalDevServer(opts);
  return { ...server, startedHere: true };
}
