/**
 * Runs the embedded Postgres as a process of its own, for `npm start`. Prints
 * `DATABASE_URL=<url>` and `POSTGRES_PID=<postmaster pid>` on stdout once the `imarapay` database
 * accepts connections. EMBEDDED_POSTGRES_PORT, EMBEDDED_POSTGRES_DATA_DIR and
 * EMBEDDED_POSTGRES_MAX_CONNECTIONS choose another cluster (the production shape runs its own).
 *
 * If the postmaster dies on its own (a crash, or an immediate stop by the chaos suite), this
 * process exits with code 1, so that whoever supervises it sees Postgres gone.
 *
 * Stopping: `embedded-postgres` itself stops the cluster on SIGINT/SIGTERM/SIGHUP and then exits,
 * so this script adds no signal handlers. It also stops the cluster if its parent dies without
 * saying goodbye (SIGKILL), so a crashed `npm start` does not leave Postgres holding the data folder.
 */
import { setInterval } from 'node:timers';
import { startEmbeddedPostgres } from './embedded';

/** How often the parent and the postmaster are checked. */
const PARENT_CHECK_MS = 1_000;

async function main(): Promise<void> {
  // Plain lines: the supervisor that runs this script adds the `[postgres]` prefix.
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const parent = process.ppid;
  const env = process.env;
  const postgres = await startEmbeddedPostgres({
    log,
    port: env.EMBEDDED_POSTGRES_PORT ? Number(env.EMBEDDED_POSTGRES_PORT) : undefined,
    dataDir: env.EMBEDDED_POSTGRES_DATA_DIR || undefined,
    maxConnections: env.EMBEDDED_POSTGRES_MAX_CONNECTIONS ? Number(env.EMBEDDED_POSTGRES_MAX_CONNECTIONS) : undefined,
  });
  process.stdout.write(`DATABASE_URL=${postgres.databaseUrl}\nPOSTGRES_PID=${postgres.pid}\n`);

  const watch = setInterval(() => {
    if (!isAlive(postgres.pid)) {
      clearInterval(watch);
      log('the postmaster exited on its own');
      process.exit(1);
    }
    if (process.ppid === parent) return;
    clearInterval(watch);
    log('parent process is gone; stopping Postgres');
    postgres.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`stopping Postgres failed: ${String(err)}`);
        process.exit(1);
      },
    );
  }, PARENT_CHECK_MS);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
