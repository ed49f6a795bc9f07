import { bareCallbackSignal } from '../baselines/workflows';
import { pause, runClients, waitUntil } from '../load';
import { scrape, workerMetricsDelta, type WorkerMetrics } from '../metrics';
import { observe, type WindowSummary } from '../observe';
import {
  AMOUNT_AWAITS_CONTROL,
  merchantFor,
  openPrompts,
  paymentWorkflowIdOf,
  pushPayment,
  releaseOpenPrompts,
} from '../payments';
import { memory, resetPeakRss } from '../proc';
import type { Log, Stack } from '../stack';
import { startBareShape, trackCompletions, type MeasuredShape } from '../temporal';

export interface InFlightOptions {
  payments: number;
  concurrency: number;
  shape: MeasuredShape;
  cores: number;
  timeoutMs: number;
}

export interface InFlightSide {
  started: number;
  startErrors: string[];
  /** How long it took to get them all waiting, ms. */
  fillMs: number;
  /** Resident memory with everything waiting, MiB, and the peak over the whole scenario (VmHWM after a reset). */
  workerRssWaitingMiB: number | null;
  workerPeakRssMiB: number | null;
  apiRssWaitingMiB?: number | null;
  apiPeakRssMiB?: number | null;
  /** Release → last workflow closed, ms. */
  drainMs: number;
  drained: number;
  drainFailures: string[];
  /** Worker metrics over fill + drain: forced evictions and cache misses say whether histories were replayed. */
  workerMetrics: WorkerMetrics | null;
  /** Workflows in the worker's cache with everything waiting. */
  cachedWhileWaiting: number | null;
  maxCachedWorkflows: number;
  window: WindowSummary;
}

export interface InFlightResult {
  payments: number;
  imarapay: InFlightSide & { webhooksReceived: number };
  baseline: InFlightSide;
  /** Worker peak RSS over the baseline worker's. */
  memoryRatio: number | null;
  drainRatio: number;
}

const MiB = 2 ** 20;

/**
 * Scenario 4: many payments waiting for their callbacks at once (9908: the prompt stays open), then
 * all released in one call: worker and API memory, time to drain, cache evictions. Baseline: as many
 * bare same-shape workflows waiting for their signal on the baseline worker, then all signalled.
 */
export async function runInFlight(stack: Stack, options: InFlightOptions, log: Log): Promise<InFlightResult> {
  const tag = Date.now().toString(36);
  log(`in flight: baseline, ${options.payments} bare workflows waiting for a signal`);
  const bareIds: string[] = [];
  const baseline = await runSide(stack, options, log, {
    label: 'baseline',
    workerPid: stack.pids.baselineWorker,
    metricsUrl: stack.metricsUrls.baselineWorker,
    maxCachedWorkflows: stack.workerFacts.baselineWorker.maxCachedWorkflows,
    parts: ['baselineWorker', 'temporal', 'bench'],
    start: async (index) => {
      const workflowId = `bare-inflight-${tag}-${index}`;
      await startBareShape(stack.temporal, stack.baselineTaskQueue, workflowId, options.shape, 3_600_000);
      bareIds.push(workflowId);
      return workflowId;
    },
    allWaiting: async () => true,
    release: async () => {
      await runClients({
        count: bareIds.length,
        concurrency: options.concurrency,
        deadline: Date.now() + options.timeoutMs,
        call: async (index) => stack.temporal.workflow.getHandle(bareIds[index]!).signal(bareCallbackSignal, 'paid'),
      });
    },
  });

  log(`in flight: ImaraPay, ${options.payments} payments waiting for their callbacks`);
  const transactionIds: number[] = [];
  const imarapay = await runSide(stack, options, log, {
    label: 'ImaraPay',
    workerPid: stack.pids.worker,
    apiPid: stack.pids.api,
    metricsUrl: stack.metricsUrls.worker,
    maxCachedWorkflows: stack.workerFacts.worker.maxCachedWorkflows,
    parts: ['api', 'worker', 'simulator', 'temporal', 'postgres', 'bench'],
    start: async (index) => {
      const push = await pushPayment(stack, merchantFor(stack, index), AMOUNT_AWAITS_CONTROL);
      transactionIds.push(push.transactionId);
      return paymentWorkflowIdOf(push.transactionId);
    },
    allWaiting: async () => (await openPrompts(stack)) >= transactionIds.length,
    release: async () => {
      await releaseOpenPrompts(stack);
    },
  });
  return {
    payments: options.payments,
    imarapay: {
      ...imarapay,
      webhooksReceived: transactionIds.filter((id) => stack.webhooks.completedAt.has(id)).length,
    },
    baseline,
    memoryRatio:
      imarapay.workerPeakRssMiB && baseline.workerPeakRssMiB
        ? imarapay.workerPeakRssMiB / baseline.workerPeakRssMiB
        : null,
    drainRatio: imarapay.drainMs / baseline.drainMs,
  };
}

interface SideSpec {
  label: string;
  workerPid: number;
  apiPid?: number;
  metricsUrl: string;
  maxCachedWorkflows: number;
  parts: Parameters<typeof observe>[1];
  /** Starts the index-th waiting workflow and returns its id. */
  start(index: number): Promise<string>;
  allWaiting(): Promise<boolean>;
  release(): Promise<void>;
}

async function runSide(stack: Stack, options: InFlightOptions, log: Log, spec: SideSpec): Promise<InFlightSide> {
  const deadline = Date.now() + options.timeoutMs;
  const pids = [spec.workerPid, ...(spec.apiPid ? [spec.apiPid] : [])];
  pids.forEach(resetPeakRss);
  const metricsBefore = await scrape(stack.http, spec.metricsUrl);
  const window = await observe(stack, spec.parts, options.cores);
  const ids: string[] = [];
  const fill = await runClients({
    count: options.payments,
    concurrency: options.concurrency,
    deadline,
    call: async (index) => void ids.push(await spec.start(index)),
    onProgress: (done) => log(`in flight (${spec.label}): ${done}/${options.payments} waiting`),
    progressEvery: Math.max(500, Math.round(options.payments / 10)),
  });
  await waitUntil(spec.allWaiting, { deadline });
  // Let the last workflow tasks finish so that the reading is of a quiet, full worker.
  await pause(3000);
  const waiting = { worker: memory(spec.workerPid), api: spec.apiPid ? memory(spec.apiPid) : null };
  const cached = (await scrape(stack.http, spec.metricsUrl))
    .filter((s) => s.name === 'temporal_sticky_cache_size')
    .reduce((sum, s) => sum + s.value, 0);
  log(
    `in flight (${spec.label}): ${ids.length} waiting; worker RSS ${((waiting.worker?.rss ?? NaN) / MiB).toFixed(0)} MiB, ${cached} in its cache (max ${spec.maxCachedWorkflows}); releasing all`,
  );

  const released = Date.now();
  const tracker = trackCompletions(stack.temporal, { concurrency: options.concurrency, deadline, accept: () => true });
  await spec.release();
  ids.forEach((id) => tracker.add(id));
  tracker.close();
  const progress = setInterval(
    () => log(`in flight (${spec.label}): draining, ${Math.round((Date.now() - released) / 1000)} s`),
    15_000,
  );
  const closed = await tracker.done().finally(() => clearInterval(progress));
  let last = released;
  for (const at of closed.closedAt.values()) last = Math.max(last, at);
  const summary = await window.end();
  const after = { worker: memory(spec.workerPid), api: spec.apiPid ? memory(spec.apiPid) : null };
  log(`in flight (${spec.label}): drained ${closed.closedAt.size} in ${((last - released) / 1000).toFixed(1)} s`);
  const mib = (bytes: number | undefined) => (bytes === undefined || Number.isNaN(bytes) ? null : bytes / MiB);
  return {
    started: ids.length,
    startErrors: fill.errors.slice(0, 10),
    fillMs: fill.endedAt - fill.startedAt,
    workerRssWaitingMiB: mib(waiting.worker?.rss),
    workerPeakRssMiB: mib(after.worker?.peakRss),
    ...(spec.apiPid ? { apiRssWaitingMiB: mib(waiting.api?.rss), apiPeakRssMiB: mib(after.api?.peakRss) } : {}),
    drainMs: last - released,
    drained: closed.closedAt.size,
    drainFailures: [...closed.failures.values()].slice(0, 10),
    workerMetrics: workerMetricsDelta(metricsBefore, await scrape(stack.http, spec.metricsUrl)),
    cachedWhileWaiting: cached,
    maxCachedWorkflows: spec.maxCachedWorkflows,
    window: summary,
  };
}
