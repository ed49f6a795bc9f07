import type { HttpClient } from './load';

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (enough of it for the SDK's exporter: no escapes in label values). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[4]) });
  }
  return samples;
}

/** Reads a worker's /metrics; an empty list when it does not answer (the figures then show as missing). */
export async function scrape(http: HttpClient, url: string): Promise<Sample[]> {
  try {
    const answer = await http.request('GET', url, { timeoutMs: 10_000 });
    return typeof answer.body === 'string' ? parsePrometheus(answer.body) : [];
  } catch {
    return [];
  }
}

const total = (samples: Sample[], name: string, where: (labels: Record<string, string>) => boolean = () => true) =>
  samples.filter((s) => s.name === name && where(s.labels)).reduce((sum, s) => sum + s.value, 0);

/** The worker figures the report uses, as differences between two scrapes (gauges: the later value). */
export interface WorkerMetrics {
  /** Workflows in the sticky cache at the end (gauge). */
  stickyCacheSize: number | null;
  stickyCacheHits: number;
  stickyCacheMisses: number;
  /** Workflows pushed out of a full cache; each replays its whole history on its next task (a cache miss). */
  forcedEvictions: number;
  workflowTasks: number;
  /** Mean workflow task schedule-to-start (queueing for a worker slot and poller), ms. */
  workflowTaskScheduleToStartMs: number | null;
  /** Mean workflow task execution time in the worker, ms. */
  workflowTaskExecutionMs: number | null;
  /** Mean activity schedule-to-start, ms (queueing for an activity slot). */
  activityScheduleToStartMs: number | null;
  /** Per activity type: count and mean execution time, ms. */
  activities: Record<string, { count: number; meanMs: number }>;
}

/** Differences `after - before` of the worker metrics, by name (the SDK's exporter prefixes them with `temporal_`). */
export function workerMetricsDelta(before: Sample[], after: Sample[]): WorkerMetrics | null {
  if (after.length === 0) return null;
  const delta = (name: string, where?: (labels: Record<string, string>) => boolean) =>
    total(after, name, where) - total(before, name, where);
  const mean = (name: string, where?: (labels: Record<string, string>) => boolean) => {
    const count = delta(`${name}_count`, where);
    return count > 0 ? delta(`${name}_sum`, where) / count : null;
  };
  const activityTypes = [
    ...new Set(
      after
        .filter((s) => s.name === 'temporal_activity_execution_latency_count')
        .map((s) => s.labels.activity_type ?? '?'),
    ),
  ];
  const activities: WorkerMetrics['activities'] = {};
  for (const type of activityTypes) {
    const where = (labels: Record<string, string>) => labels.activity_type === type;
    const count = delta('temporal_activity_execution_latency_count', where);
    if (count > 0) activities[type] = { count, meanMs: mean('temporal_activity_execution_latency', where) ?? NaN };
  }
  const cacheSize = after.filter((s) => s.name === 'temporal_sticky_cache_size');
  return {
    stickyCacheSize: cacheSize.length ? cacheSize.reduce((sum, s) => sum + s.value, 0) : null,
    stickyCacheHits: delta('temporal_sticky_cache_hit'),
    stickyCacheMisses: delta('temporal_sticky_cache_miss'),
    forcedEvictions: delta('temporal_sticky_cache_total_forced_eviction'),
    workflowTasks: delta('temporal_workflow_task_execution_latency_count'),
    workflowTaskScheduleToStartMs: mean('temporal_workflow_task_schedule_to_start_latency'),
    workflowTaskExecutionMs: mean('temporal_workflow_task_execution_latency'),
    activityScheduleToStartMs: mean('temporal_activity_schedule_to_start_latency'),
    activities,
  };
}
