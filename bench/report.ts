import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../scripts/paths';
import type { Part, WindowSummary } from './observe';
import type { EndToEndResult } from './scenarios/endToEnd';
import type { InFlightResult } from './scenarios/inFlight';
import type { PushLatencyResult } from './scenarios/pushLatency';
import type { StatusReadsResult } from './scenarios/statusReads';
import type { Stack } from './stack';

export interface ScenarioResults {
  e2e?: EndToEndResult;
  latency?: PushLatencyResult;
  status?: StatusReadsResult;
  inflight?: InFlightResult;
}

/** One line of the summary table. */
export interface Row {
  scenario: string;
  measure: string;
  imarapay: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: 'met' | 'missed' | '';
}

/** Targets of the issue, as ratios to the baselines (memory: an absolute bound). */
export const TARGETS = { e2eRatio: 0.6, p99Ratio: 2, statusRatio: 0.7, workerMemoryMiB: 1.5 * 1024 };

const n = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
const verdict = (ok: boolean | null): Row['verdict'] => (ok === null ? '' : ok ? 'met' : 'missed');

/** The summary rows: each ImaraPay figure beside the baseline measured in the same run. */
export function summaryRows(results: ScenarioResults): Row[] {
  const rows: Row[] = [];
  const { e2e, latency, status, inflight } = results;
  if (e2e) {
    rows.push({
      scenario: `1 end-to-end (${e2e.payments}, ${e2e.concurrency} clients)`,
      measure: 'payments/s',
      imarapay: n(e2e.imarapay.perSecond),
      baseline: `${n(e2e.baselinePerSecond)} (${n(e2e.baselines[0].perSecond)}, ${n(e2e.baselines[1].perSecond)})`,
      ratio: n(e2e.ratio, 2),
      target: `≥ ${TARGETS.e2eRatio}`,
      verdict: verdict(e2e.ratio >= TARGETS.e2eRatio && e2e.imarapay.failed === 0),
    });
    if (e2e.spread) {
      rows.push({
        scenario: `  same, spread over ${e2e.spread.merchants} merchants`,
        measure: 'payments/s',
        imarapay: n(e2e.spread.perSecond),
        baseline: n(e2e.baselinePerSecond),
        ratio: n(e2e.spread.perSecond / e2e.baselinePerSecond, 2),
        target: '',
        verdict: '',
      });
    }
  }
  for (const level of latency?.levels ?? []) {
    rows.push({
      scenario: `2 stk-push latency, ${level.concurrency} client${level.concurrency > 1 ? 's' : ''}`,
      measure: 'p50 / p95 / p99 ms',
      imarapay: `${n(level.imarapay.p50)} / ${n(level.imarapay.p95)} / ${n(level.imarapay.p99)}`,
      baseline: `${n(level.trivial.p50)} / ${n(level.trivial.p95)} / ${n(level.trivial.p99)}`,
      ratio: `p99 ${n(level.p99Ratio, 2)}×`,
      target: `≤ ${TARGETS.p99Ratio}×`,
      verdict: verdict(level.p99Ratio <= TARGETS.p99Ratio && level.imarapay.errors.length === 0),
    });
  }
  if (status) {
    rows.push({
      scenario: `3 status reads, ${status.concurrency} clients`,
      measure: 'requests/s (p99 ms)',
      imarapay: `${n(status.imarapay.perSecond, 0)} (${n(status.imarapay.p99)})`,
      baseline: `${n(status.baseline.perSecond, 0)} (${n(status.baseline.p99)})`,
      ratio: n(status.ratio, 2),
      target: `≥ ${TARGETS.statusRatio}`,
      verdict: verdict(status.ratio >= TARGETS.statusRatio && status.imarapay.errors.length === 0),
    });
  }
  if (inflight) {
    const { imarapay: real, baseline } = inflight;
    rows.push({
      scenario: `4 in flight (${inflight.payments})`,
      measure: 'worker peak RSS MiB',
      imarapay: n(real.workerPeakRssMiB, 0),
      baseline: n(baseline.workerPeakRssMiB, 0),
      ratio: n(inflight.memoryRatio, 2),
      target: `< ${TARGETS.workerMemoryMiB} MiB`,
      verdict: verdict(real.workerPeakRssMiB === null ? null : real.workerPeakRssMiB < TARGETS.workerMemoryMiB),
    });
    rows.push({
      scenario: '',
      measure: 'API peak RSS MiB',
      imarapay: n(real.apiPeakRssMiB, 0),
      baseline: '—',
      ratio: '',
      target: '',
      verdict: '',
    });
    rows.push({
      scenario: '',
      measure: 'time to drain s',
      imarapay: n(real.drainMs / 1000),
      baseline: n(baseline.drainMs / 1000),
      ratio: n(inflight.drainRatio, 2),
      target: '',
      verdict: verdict(real.drained === real.started && real.started === inflight.payments),
    });
    rows.push({
      scenario: '',
      measure: 'cache evictions / misses (replays)',
      imarapay: `${n(real.workerMetrics?.forcedEvictions, 0)} / ${n(real.workerMetrics?.stickyCacheMisses, 0)}`,
      baseline: `${n(baseline.workerMetrics?.forcedEvictions, 0)} / ${n(baseline.workerMetrics?.stickyCacheMisses, 0)}`,
      ratio: '',
      target: `cache ${real.maxCachedWorkflows}`,
      verdict: '',
    });
  }
  return rows;
}

const COLUMNS: Array<[keyof Row, string]> = [
  ['scenario', 'Scenario'],
  ['measure', 'Measure'],
  ['imarapay', 'ImaraPay'],
  ['baseline', 'Baseline'],
  ['ratio', 'Ratio'],
  ['target', 'Target'],
  ['verdict', ''],
];

/** A plain-text table for the terminal. */
export function textTable(rows: Row[]): string {
  const widths = COLUMNS.map(([key, title]) => Math.max(title.length, ...rows.map((r) => String(r[key]).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    line(COLUMNS.map(([, t]) => t)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(COLUMNS.map(([k]) => String(r[k])))),
  ].join('\n');
}

/** The same table in Markdown, for BENCHMARKS.md. */
export function markdownTable(rows: Row[]): string {
  const head = `| ${COLUMNS.map(([, t]) => t).join(' | ')} |\n|${COLUMNS.map(() => '---').join('|')}|`;
  return [head, ...rows.map((r) => `| ${COLUMNS.map(([k]) => String(r[k]).replace(/\|/g, '\\|')).join(' | ')} |`)].join(
    '\n',
  );
}

const PART_NAMES: Record<Part, string> = {
  api: 'API',
  worker: 'worker',
  simulator: 'simulator',
  temporal: 'Temporal server',
  postgres: 'Postgres',
  baselineWorker: 'baseline worker',
  readServer: 'bare read server',
  bench: 'bench client',
};

/** CPU per unit of work by part, e.g. "API 4.1 · worker 9.3 · …" (ms per payment, µs per request). */
export function cpuLine(window: WindowSummary | WindowSummary[], units: number, scale = 1): string {
  const windows = Array.isArray(window) ? window : [window];
  const totals = new Map<Part, number>();
  for (const w of windows)
    for (const [part, ms] of Object.entries(w.cpuMs) as Array<[Part, number]>)
      totals.set(part, (totals.get(part) ?? 0) + ms);
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .map(([part, ms]) => `${PART_NAMES[part]} ${n((ms * scale) / units, 2)}`)
    .concat(`total ${n((all * scale) / units, 2)}`)
    .join(' · ');
}

/** Where the bench ran and on what versions. */
export async function describeMachine(stack: Stack | null): Promise<Record<string, unknown>> {
  const pkg = (name: string) => {
    try {
      return (
        JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
      ).version;
    } catch {
      return null;
    }
  };
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  let postgres: string | null = null;
  let temporalServer: string | null = null;
  if (stack) {
    postgres = (await stack.pg.query<{ version: string }>('select version()')).rows[0]?.version ?? null;
    const info = await stack.temporal.connection.workflowService.getSystemInfo({}).catch(() => null);
    temporalServer = info?.serverVersion ?? null;
  }
  const changed = git(['status', '--porcelain']);
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg(),
    versions: {
      node: process.version,
      temporalServer,
      temporalSdk: pkg('@temporalio/worker'),
      postgres,
      mikroOrm: pkg('@mikro-orm/core'),
      koa: pkg('koa'),
    },
    git: {
      commit: git(['rev-parse', 'HEAD']),
      uncommittedFiles: changed === null ? null : changed.split('\n').filter(Boolean).length,
    },
  };
}
