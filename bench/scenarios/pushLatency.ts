import { runClients, summarize, type LatencySummary } from '../load';
import { observe, type WindowSummary } from '../observe';
import {
  AMOUNT_AWAITS_CONTROL,
  merchantFor,
  paymentWorkflowIdOf,
  pushPayment,
  timelineOf,
  type PushRecord,
  type Timeline,
} from '../payments';
import type { Log, Stack } from '../stack';
import { startBareShape, trivialRoundTrip, type MeasuredShape } from '../temporal';

export interface PushLatencyOptions {
  /** Concurrency level → measured requests at that level. */
  levels: Array<{ concurrency: number; requests: number }>;
  shape: MeasuredShape;
  cores: number;
  timeoutMs: number;
}

export interface LatencyLevel {
  concurrency: number;
  requests: number;
  imarapay: LatencySummary & { errors: string[]; perSecond: number };
  /** The target baseline: trivial workflow, update answered in its first task. Half before, half after ImaraPay. */
  trivial: LatencySummary & { errors: string[] };
  /** For attribution only: the bare same-shape workflow answered after its "push" activities. */
  sameShape: LatencySummary & { errors: string[] };
  /** p99 of ImaraPay over p99 of the trivial round trip (target ≤ 2). */
  p99Ratio: number;
  p50Ratio: number;
  timeline: Timeline;
  window: WindowSummary;
}

export interface PushLatencyResult {
  levels: LatencyLevel[];
  /** Payments and bare workflows left waiting by the measurement (the bench runs this scenario last and then tears the stack down). */
  leftWaiting: { payments: number; bare: number };
}

const WARM_UP = 10;

/**
 * Scenario 2: latency of POST /api/stk-push at several concurrency levels. The payments use the
 * 9908 amount, so no callback, settlement or webhook runs while latency is measured (the trivial
 * baseline has none either). They are left waiting: bench/run.ts runs this scenario last.
 */
export async function runPushLatency(stack: Stack, options: PushLatencyOptions, log: Log): Promise<PushLatencyResult> {
  const tag = Date.now().toString(36);
  const deadline = Date.now() + options.timeoutMs;
  const waitingPayments: string[] = [];
  const waitingBare: string[] = [];
  const levels: LatencyLevel[] = [];
  let seq = 0;

  const measure = async (concurrency: number, count: number, call: (index: number) => Promise<void>) => {
    await runClients({ count: Math.min(WARM_UP, count), concurrency, deadline, call });
    const run = await runClients({ count, concurrency, deadline, call });
    return { ...run, summary: summarize(run.latencies) };
  };

  for (const { concurrency, requests } of options.levels) {
    log(
      `latency: ${concurrency} concurrent client(s), ${requests} requests each for the trivial baseline, the same-shape workflow and ImaraPay`,
    );
    const trivialCall = async () =>
      trivialRoundTrip(stack.temporal, stack.baselineTaskQueue, `trivial-${tag}-${seq++}`);
    const trivialA = await measure(concurrency, Math.ceil(requests / 2), trivialCall);
    const shape = await measure(concurrency, requests, async () => {
      const workflowId = `bare-latency-${tag}-${seq++}`;
      await startBareShape(stack.temporal, stack.baselineTaskQueue, workflowId, options.shape, 3_600_000);
      waitingBare.push(workflowId);
    });
    const pushes: PushRecord[] = [];
    const window = await observe(stack, ['api', 'worker', 'simulator', 'temporal', 'postgres', 'bench'], options.cores);
    const real = await measure(concurrency, requests, async (index) => {
      const push = await pushPayment(stack, merchantFor(stack, index), AMOUNT_AWAITS_CONTROL);
      pushes.push(push);
      waitingPayments.push(paymentWorkflowIdOf(push.transactionId));
    });
    const summary = await window.end();
    const trivialB = await measure(concurrency, Math.floor(requests / 2), trivialCall);
    const trivial = summarize([...trivialA.latencies, ...trivialB.latencies]);
    const measuredPushes = pushes.slice(-real.latencies.length);
    levels.push({
      concurrency,
      requests,
      imarapay: {
        ...real.summary,
        errors: real.errors.slice(0, 10),
        perSecond: (real.latencies.length * 1000) / (real.endedAt - real.startedAt),
      },
      trivial: { ...trivial, errors: [...trivialA.errors, ...trivialB.errors].slice(0, 10) },
      sameShape: { ...shape.summary, errors: shape.errors.slice(0, 10) },
      p99Ratio: real.summary.p99 / trivial.p99,
      p50Ratio: real.summary.p50 / trivial.p50,
      timeline: await timelineOf(stack, measuredPushes, false),
      window: summary,
    });
    log(
      `latency c=${concurrency}: ImaraPay p50 ${real.summary.p50.toFixed(1)} / p99 ${real.summary.p99.toFixed(1)} ms; trivial p50 ${trivial.p50.toFixed(1)} / p99 ${trivial.p99.toFixed(1)} ms`,
    );
  }

  return { levels, leftWaiting: { payments: waitingPayments.length, bare: waitingBare.length } };
}
