/**
 * `npm run temporal:install-server`: builds the production Temporal server and its schema tool into
 * `.tools/bin` (see serverInstall.ts) and prints their paths on stdout.
 */
import { prefixedLog } from '../log';
import { installTemporalServer } from './serverInstall';

installTemporalServer({ log: prefixedLog('temporal') }).then(
  (tools) => process.stdout.write(`${tools.server}\n${tools.sqlTool}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
