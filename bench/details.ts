import type { WorkerMetrics } from './metrics';
import type { Timeline } from './payments';
import type { ImaraPayRun } from './scenarios/endToEnd';
import { cpuLine, type ScenarioResults } from './report';
import type { Stack } from './stack';
import type { MeasuredShape } from './temporal';

const n = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
const pct = (value: number) => `${(value * 100).toFixed(0)}%`;

function timelineLines(t: Timeline): string[] {
  const segment = (label: string, value: number | undefined) =>
    value === undefined ? [] : [`    ${label.padEnd(58)} ${n(value).padStart(8)} ms`];
  return [
    ...segment('request → row inserted (API: auth, reads, insert)', t.apiBeforeWorkflowMs),
    ...segment('row inserted → fee reserved (update-with-start, task, reserveFee)', t.startToFeeReservedMs),
    ...segment('fee reserved → push at simulator (task, sendStkPush reads)', t.feeReservedToPushMs),
    ...segment('push at simulator → API answered (accepted-push write, update)', t.pushToAnswerMs),
    ...segment('= POST /api/stk-push as the client saw it', t.requestMs),
    ...segment('push → callback sent (simulated customer, configured)', t.customerDelayMs),
    ...segment('callback sent → stored by the API', t.callbackToStoredMs),
    ...segment('callback stored → fee captured (signal, task, settlePayment)', t.storedToSettledMs),
    ...segment('fee captured → webhook received (task, deliverWebhook)', t.settledToWebhookMs),
    ...segment('= request → webhook received', t.endToEndMs),
  ];
}

function workerLines(m: WorkerMetrics | null): string[] {
  if (!m) return ['    (worker metrics unavailable)'];
  const activities = Object.entries(m.activities)
    .map(([type, a]) => `${type} ${n(a.meanMs)}`)
    .join(' · ');
  return [
    `    activity execution, mean ms: ${activities || '—'}`,
    `    workflow task: schedule-to-start ${n(m.workflowTaskScheduleToStartMs)} ms, execution ${n(m.workflowTaskExecutionMs)} ms (${n(m.workflowTasks, 0)} tasks); activity schedule-to-start ${n(m.activityScheduleToStartMs)} ms`,
    `    sticky cache: ${n(m.stickyCacheHits, 0)} hits, ${n(m.stickyCacheMisses, 0)} misses, ${n(m.forcedEvictions, 0)} forced evictions`,
  ];
}

function postgresLines(run: ImaraPayRun): string[] {
  const pg = run.window.postgres;
  const per = (value: number, digits = 1) => n(value / run.completed, digits);
  return [
    `  Postgres per payment: ${per(pg.commits)} commits, ${per(pg.activeMs)} ms in statements (lock waits included), ${per(pg.idleInTransactionMs)} ms idle inside open transactions; ` +
      `${n(pg.meanActiveBackends)} backends active on average; a backend waited on a lock in ${pct(pg.lockWaitShare)} of samples (mean ${n(pg.meanLockWaiters, 2)} waiting)`,
    ...pg.lockWaitQueries.map((q) => `    lock wait (${q.samples} samples) ${q.query}`),
  ];
}

/** The "where time goes" part of the report, as text under the table. */
export function details(results: ScenarioResults, stack: Stack, shape: MeasuredShape): string {
  const out: string[] = [];
  const { e2e, latency, status, inflight } = results;
  if (e2e) {
    const real = e2e.imarapay;
    const base = e2e.baselines;
    const baseDone = base[0].completed + base[1].completed;
    out.push(
      `1. End-to-end: ${real.completed}/${e2e.payments} payments settled (${real.failed} failed), ${real.webhooksReceived} webhooks received, in ${n(real.elapsedMs / 1000)} s; baseline runs ${n(base[0].elapsedMs / 1000)} s and ${n(base[1].elapsedMs / 1000)} s.`,
      `  CPU per payment, ms (measured from /proc; machine ${pct(real.window.machineBusy)} busy with this run):`,
      `    ImaraPay: ${cpuLine(real.window, real.completed)}`,
      `    baseline: ${cpuLine([base[0].window, base[1].window], baseDone)} (machine ${pct((base[0].window.machineBusy + base[1].window.machineBusy) / 2)} busy)`,
      ...postgresLines(real),
      '  Worker:',
      ...workerLines(real.window.workers.worker),
      `  Baseline worker: ${workerLines(base[0].window.workers.baselineWorker)[0]!.trim()}`,
      `  Temporal history per payment: ${shape.historyEvents} events (${shape.searchAttributeUpserts} search-attribute upserts, ${shape.workflowTasks} workflow tasks, ${shape.localActivities} of ${shape.activitiesBeforeAnswer + shape.activitiesBeforeSignal + shape.activitiesAfterSignal} activities local) vs ${e2e.baselineHistoryEvents} for the bare workflow (every activity regular).`,
      `  stk-push during the run: p50 ${n(real.startLatency.p50)} ms, p99 ${n(real.startLatency.p99)} ms (baseline update-with-start p50 ${n(base[0].startLatency.p50)} ms, p99 ${n(base[0].startLatency.p99)} ms)`,
      '  One payment, medians of its wall time:',
      ...timelineLines(real.timeline),
    );
    if (e2e.spread) {
      const spread = e2e.spread;
      out.push(
        `  Spread over ${spread.merchants} merchants: ${n(spread.perSecond)}/s, ${spread.completed} settled (${spread.failed} failed) in ${n(spread.elapsedMs / 1000)} s`,
        `    CPU per payment, ms: ${cpuLine(spread.window, spread.completed)}`,
        ...postgresLines(spread),
        ...workerLines(spread.window.workers.worker),
        `    request → webhook received, median ${n(spread.timeline.endToEndMs)} ms (one merchant: ${n(real.timeline.endToEndMs)} ms)`,
      );
    }
    out.push('');
  }
  if (latency) {
    out.push(
      `2. stk-push latency (9908 payments: no callback runs during the measurement). Same-shape workflow shown for attribution.`,
    );
    for (const level of latency.levels) {
      out.push(
        `  ${level.concurrency} client(s): ImaraPay p50/p99 ${n(level.imarapay.p50)}/${n(level.imarapay.p99)} ms (${n(level.imarapay.perSecond)}/s); trivial update-with-start ${n(level.trivial.p50)}/${n(level.trivial.p99)} ms; same-shape bare workflow ${n(level.sameShape.p50)}/${n(level.sameShape.p99)} ms`,
        `    CPU per request, ms: ${cpuLine(level.window, level.imarapay.count)}`,
        ...timelineLines(level.timeline).slice(0, 5),
      );
    }
    out.push(
      `  Left waiting (run last, then torn down): ${latency.leftWaiting.payments} payments and ${latency.leftWaiting.bare} bare workflows.`,
      '',
    );
  }
  if (status) {
    out.push(
      `3. Status reads, per request (rounds/s ImaraPay ${status.imarapay.rounds.map((r) => n(r, 0)).join(', ')}; bare ${status.baseline.rounds.map((r) => n(r, 0)).join(', ')}):`,
      `    ImaraPay CPU µs: ${cpuLine(status.imarapay.windows, status.imarapay.count, 1000)}; ${n(status.imarapay.commitsPerRequest)} Postgres commits; p50 ${n(status.imarapay.p50)} ms`,
      `    bare read CPU µs: ${cpuLine(status.baseline.windows, status.baseline.count, 1000)}; ${n(status.baseline.commitsPerRequest)} Postgres commits; p50 ${n(status.baseline.p50)} ms`,
      '',
    );
  }
  if (inflight) {
    const { imarapay: real, baseline } = inflight;
    out.push(
      `4. In flight: ${real.started} payments waiting (filled in ${n(real.fillMs / 1000)} s, ${n((real.started * 1000) / real.fillMs)}/s), ${real.cachedWhileWaiting} of them in the worker's cache (max ${real.maxCachedWorkflows}).`,
      `    worker RSS while waiting ${n(real.workerRssWaitingMiB, 0)} MiB, peak ${n(real.workerPeakRssMiB, 0)} MiB; API ${n(real.apiRssWaitingMiB, 0)} / peak ${n(real.apiPeakRssMiB, 0)} MiB; baseline worker ${n(baseline.workerRssWaitingMiB, 0)} / peak ${n(baseline.workerPeakRssMiB, 0)} MiB`,
      `    drained ${real.drained} in ${n(real.drainMs / 1000)} s (${n((real.drained * 1000) / real.drainMs)}/s), ${real.webhooksReceived} webhooks; baseline ${baseline.drained} in ${n(baseline.drainMs / 1000)} s`,
      `    CPU per payment over fill + drain, ms: ${cpuLine(real.window, real.started)}`,
      '  Worker over fill + drain:',
      ...workerLines(real.workerMetrics),
      '  Baseline worker over fill + drain:',
      ...workerLines(baseline.workerMetrics),
      '',
    );
  }
  const { worker } = stack.workerFacts;
  out.push(
    `Workers run with the SDK defaults: maxCachedWorkflows ${worker.maxCachedWorkflows} (from a ${worker.heapSizeLimitMiB} MiB heap limit).`,
  );
  return out.join('\n');
}
