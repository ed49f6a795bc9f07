import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';

/**
 * Runs one activity function in a mock activity context (heartbeats, cancellation, `log`), as the
 * worker would, with the SDK's activity log kept to errors: unit tests assert outcomes, not log lines.
 */
export function runActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(fn, ...args);
}
