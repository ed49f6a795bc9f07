import os from 'node:os';
import type { Client as PgClient } from 'pg';
import { pause } from './load';
import { scrape, workerMetricsDelta, type Sample, type WorkerMetrics } from './metrics';
import { cpuMs, memory } from './proc';
import type { Stack } from './stack';

/** The parts whose CPU is measured; `postgres` is the sum of the backends serving the bench database. */
export type Part = 'api' | 'worker' | 'simulator' | 'temporal' | 'postgres' | 'baselineWorker' | 'readServer' | 'bench';

export interface WindowSummary {
  wallMs: number;
  /** CPU time used by each part in the window, ms (user + system, all threads). */
  cpuMs: Partial<Record<Part, number>>;
  /** Sum of cpuMs / (wall × cores): how busy the machine was with this scenario. */
  machineBusy: number;
  /** Highest resident set sampled in the window, MiB. */
  maxRssMiB: Partial<Record<Part, number>>;
  postgres: PostgresActivity;
  workers: { worker: WorkerMetrics | null; baselineWorker: WorkerMetrics | null };
  /** 1-minute load average at the start and the end (other work on the machine shows here). */
  loadAverage: [number, number];
}

export interface PostgresActivity {
  /** Transactions committed (each autocommit statement is one). */
  commits: number;
  rollbacks: number;
  /** Time backends spent executing statements, ms (pg_stat_database.active_time; flushed about once a second). */
  activeMs: number;
  /** Time backends sat inside an open transaction waiting for the client, ms. */
  idleInTransactionMs: number;
  /** Mean number of backends waiting on a lock, over the samples. */
  meanLockWaiters: number;
  /** Share of samples in which at least one backend waited on a lock. */
  lockWaitShare: number;
  /** What the lock waiters were running, most frequent first: `wait_event: query start` → samples. */
  lockWaitQueries: Array<{ query: string; samples: number }>;
  /** Mean number of backends running a statement. */
  meanActiveBackends: number;
  samples: number;
}

interface DbStats {
  commits: number;
  rollbacks: number;
  activeMs: number;
  idleInTransactionMs: number;
}

const SAMPLE_EVERY_MS = 200;

/**
 * Measures one scenario: CPU of every part, Postgres activity and lock waits (sampled from
 * pg_stat_activity), peak memory, and the worker metrics, between start and end().
 */
export async function observe(stack: Stack, parts: Part[], cores: number): Promise<{ end(): Promise<WindowSummary> }> {
  const pids = partPids(stack);
  const cpuStart = new Map<Part, number>();
  for (const part of parts) {
    const value = part === 'bench' ? benchCpuMs() : part === 'postgres' ? 0 : pids[part] ? cpuMs(pids[part]!) : null;
    if (value !== null) cpuStart.set(part, value);
  }
  const metricsBefore = await scrapeWorkers(stack);
  const dbBefore = await databaseStats(stack.statsPg, stack.databaseName);
  const load0 = os.loadavg()[0]!;
  const startedAt = performance.now();

  // Backends come and go with the pools; each one's CPU is counted from the first time it is seen.
  const backendFirst = new Map<number, number>();
  const backendLast = new Map<number, number>();
  const maxRss = new Map<Part, number>();
  const lockQueries = new Map<string, number>();
  let samples = 0;
  let waiterSum = 0;
  let samplesWithWaiters = 0;
  let activeSum = 0;
  let running = true;

  const sampler = (async () => {
    // Bounded by end(); the iteration cap is a guard against a window left open by a bug.
    for (let i = 0; running && i < 100_000; i += 1) {
      const sample = await stack.statsPg
        .query<{
          pid: number;
          state: string | null;
          wait_event_type: string | null;
          wait_event: string | null;
          query: string;
        }>(
          `select pid, state, wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) as query
             from pg_stat_activity where datname = $1`,
          [stack.databaseName],
        )
        .catch(() => null);
      // The stats connection is gone (the bench is stopping): the window ends with the samples it has.
      if (!sample) break;
      const { rows } = sample;
      samples += 1;
      let waiters = 0;
      for (const row of rows) {
        const cpu = cpuMs(row.pid);
        if (cpu !== null) {
          if (!backendFirst.has(row.pid)) backendFirst.set(row.pid, cpu);
          backendLast.set(row.pid, cpu);
        }
        if (row.state === 'active') activeSum += 1;
        if (row.wait_event_type === 'Lock') {
          waiters += 1;
          const key = `${row.wait_event}: ${row.query}`;
          lockQueries.set(key, (lockQueries.get(key) ?? 0) + 1);
        }
      }
      waiterSum += waiters;
      if (waiters > 0) samplesWithWaiters += 1;
      for (const part of parts) {
        const pid = pids[part];
        const mem = pid ? memory(pid) : part === 'bench' ? { rss: process.memoryUsage().rss, peakRss: 0 } : null;
        if (mem) maxRss.set(part, Math.max(maxRss.get(part) ?? 0, mem.rss / 2 ** 20));
      }
      await pause(SAMPLE_EVERY_MS);
    }
  })();

  return {
    async end() {
      running = false;
      await sampler;
      const wallMs = performance.now() - startedAt;
      const cpu: WindowSummary['cpuMs'] = {};
      for (const part of parts) {
        if (part === 'postgres') {
          let sum = 0;
          for (const [pid, first] of backendFirst) sum += (cpuMs(pid) ?? backendLast.get(pid) ?? first) - first;
          cpu.postgres = sum;
          continue;
        }
        const now = part === 'bench' ? benchCpuMs() : pids[part] ? cpuMs(pids[part]!) : null;
        const before = cpuStart.get(part);
        if (now !== null && before !== undefined) cpu[part] = now - before;
      }
      const metricsAfter = await scrapeWorkers(stack);
      // pg_stat_database is updated by each backend about once a second.
      await pause(1100);
      const dbAfter = await databaseStats(stack.statsPg, stack.databaseName);
      const busy = Object.values(cpu).reduce((a, b) => a + (b ?? 0), 0);
      return {
        wallMs,
        cpuMs: cpu,
        machineBusy: busy / (wallMs * cores),
        maxRssMiB: Object.fromEntries(maxRss),
        postgres: {
          commits: dbAfter.commits - dbBefore.commits,
          rollbacks: dbAfter.rollbacks - dbBefore.rollbacks,
          activeMs: dbAfter.activeMs - dbBefore.activeMs,
          idleInTransactionMs: dbAfter.idleInTransactionMs - dbBefore.idleInTransactionMs,
          meanLockWaiters: samples ? waiterSum / samples : 0,
          lockWaitShare: samples ? samplesWithWaiters / samples : 0,
          lockWaitQueries: [...lockQueries]
            .sort((a, b) => b[1] - a[1])
            .slice(0, 5)
            .map(([query, count]) => ({ query, samples: count })),
          meanActiveBackends: samples ? activeSum / samples : 0,
          samples,
        },
        workers: {
          worker: parts.includes('worker') ? workerMetricsDelta(metricsBefore.worker, metricsAfter.worker) : null,
          baselineWorker: parts.includes('baselineWorker')
            ? workerMetricsDelta(metricsBefore.baselineWorker, metricsAfter.baselineWorker)
            : null,
        },
        loadAverage: [load0, os.loadavg()[0]!],
      };
    },
  };
}

function partPids(stack: Stack): Partial<Record<Part, number>> {
  const { api, worker, simulator, temporal, baselineWorker, readServer } = stack.pids;
  return { api, worker, simulator, baselineWorker, readServer, ...(temporal ? { temporal } : {}) };
}

function benchCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function scrapeWorkers(stack: Stack): Promise<{ worker: Sample[]; baselineWorker: Sample[] }> {
  const [worker, baselineWorker] = await Promise.all([
    scrape(stack.http, stack.metricsUrls.worker),
    scrape(stack.http, stack.metricsUrls.baselineWorker),
  ]);
  return { worker, baselineWorker };
}

async function databaseStats(pg: PgClient, database: string): Promise<DbStats> {
  const { rows } = await pg.query<{
    xact_commit: string;
    xact_rollback: string;
    active_time: number | null;
    idle_in_transaction_time: number | null;
  }>(
    'select xact_commit, xact_rollback, active_time, idle_in_transaction_time from pg_stat_database where datname = $1',
    [database],
  );
  const row = rows[0];
  return {
    commits: Number(row?.xact_commit ?? 0),
    rollbacks: Number(row?.xact_rollback ?? 0),
    activeMs: Number(row?.active_time ?? 0),
    idleInTransactionMs: Number(row?.idle_in_transaction_time ?? 0),
  };
}
