/**
 * `npm run temporal:install`: makes sure a Temporal CLI is available (see ensureTemporalCli for the
 * search order and the install methods) and prints its path on stdout.
 */
import { ensureTemporalCli, findTemporalCli } from './cli';
import { prefixedLog } from '../log';

async function main(): Promise<void> {
  const log = prefixedLog('temporal');
  const existing = findTemporalCli();
  if (existing) log(`Using the Temporal CLI from ${existing.source}: ${existing.path}`);
  const cliPath = existing?.path ?? (await ensureTemporalCli({ log }));
  process.stdout.write(`${cliPath}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
