import v8 from 'node:v8';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';

/**
 * Installs the Temporal Runtime of a bench worker process with the SDK's Prometheus exporter on
 * `bindAddress`, so the bench can read the sticky cache, replay and latency metrics of the worker.
 * Both bench workers (payments and baseline) install it the same way, so its cost is on both sides.
 */
export function installBenchRuntime(bindAddress: string): void {
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { metrics: { prometheus: { bindAddress } } },
  });
}

/** The line a bench worker prints once it polls; the bench waits for it and reads the effective options. */
export const READY_MARKER = 'BENCH_WORKER_READY';

/** Prints READY_MARKER with the options that decide memory and throughput. */
export function announceReady(worker: Worker): void {
  const { options } = worker;
  const facts = {
    maxCachedWorkflows: options.maxCachedWorkflows,
    heapSizeLimitMiB: Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20),
    reuseV8Context: options.reuseV8Context,
    workflowThreadPoolSize: options.workflowThreadPoolSize,
    tuner: options.tuner,
  };
  process.stdout.write(`${READY_MARKER} ${JSON.stringify(facts)}\n`);
}

/** Required environment variable of a bench child process. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (bench child processes are started by bench/run.ts)`);
  return value;
}
