import type { LogEntry } from '@temporalio/worker';
import type { Logger } from '../config/logger';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * The Temporal SDK's log lines (activity failures among them), written through the project's pino
 * logger: an activity that fails on a database error is then logged by its class, SQLSTATE and
 * constraint, like any other, and never with its SQL or parameters (config/logger.ts).
 */
export function sdkLogFunction(logger: Logger): (entry: LogEntry) => void {
  const sdk = logger.child({ component: 'temporal-sdk' });
  return ({ level, message, meta }) => sdk[PINO_LEVEL[level]]({ ...meta }, message);
}
