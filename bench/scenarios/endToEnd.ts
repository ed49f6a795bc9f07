import { bareCallbackSignal } from '../baselines/workflows';
import { runClients, summarize, type LatencySummary } from '../load';
import { observe, type WindowSummary } from '../observe';
import {
  AMOUNT_PAID_AFTER_DELAY,
  merchantFor,
  paymentWorkflowIdOf,
  pushPayment,
  timelineOf,
  type PushRecord,
  type Timeline,
} from '../payments';
import type { BenchMerchant, Log, Stack } from '../stack';
import { readShape, startBareShape, trackCompletions, type MeasuredShape } from '../temporal';

export interface EndToEndOptions {
  payments: number;
  concurrency: number;
  callbackDelayMs: number;
  shape: MeasuredShape;
  cores: number;
  timeoutMs: number;
  /** When set, ImaraPay also runs with the payments spread over these merchants (wallet contention). */
  spreadOver?: BenchMerchant[];
}

export interface EndToEndRun {
  completed: number;
  failed: number;
  /** First request sent → last workflow closed, ms. */
  elapsedMs: number;
  perSecond: number;
  /** Start (API request or update-with-start) latency as the clients saw it. */
  startLatency: LatencySummary;
  errors: string[];
  window: WindowSummary;
}

export type ImaraPayRun = EndToEndRun & { timeline: Timeline; webhooksReceived: number };

export interface EndToEndResult {
  payments: number;
  concurrency: number;
  callbackDelayMs: number;
  merchants: number;
  imarapay: ImaraPayRun;
  /** The same ImaraPay run with the payments spread over several merchants' wallets. */
  spread?: ImaraPayRun & { merchants: number };
  /** The bare same-shape workflow, run before and after ImaraPay; the ratio uses their mean. */
  baselines: [EndToEndRun, EndToEndRun];
  baselinePerSecond: number;
  ratio: number;
  /** History events of one bare workflow (a payment's count is in the payment shape). */
  baselineHistoryEvents: number;
}

/**
 * Scenario 1: N payments through POST /api/stk-push from concurrent clients, the simulator answering
 * each by callback after a short delay, until every workflow closed (settled, webhook delivered).
 * Baseline: the bare workflow of the same shape started by a client with update-with-start and
 * signalled after the same delay, once before and once after, so a noisy spell hits both sides.
 */
export async function runEndToEnd(stack: Stack, options: EndToEndOptions, log: Log): Promise<EndToEndResult> {
  const tag = Date.now().toString(36);
  log(`e2e: baseline (bare workflow of the same shape), ${options.payments} workflows`);
  const before = await runBaseline(stack, options, `bare-e2e-${tag}-a`, log);
  log(
    `e2e: baseline ${before.perSecond.toFixed(1)}/s; now ImaraPay, ${options.payments} payments from ${options.concurrency} clients`,
  );
  const imarapay = await runImaraPay(stack, options, stack.paying, log);
  log(`e2e: ImaraPay ${imarapay.perSecond.toFixed(1)}/s`);
  let spread: EndToEndResult['spread'];
  if (options.spreadOver && options.spreadOver.length > 1) {
    log(`e2e: ImaraPay again, the payments spread over ${options.spreadOver.length} merchants`);
    spread = { ...(await runImaraPay(stack, options, options.spreadOver, log)), merchants: options.spreadOver.length };
    log(`e2e: spread over ${spread.merchants} merchants ${spread.perSecond.toFixed(1)}/s`);
  }
  log('e2e: baseline again');
  const after = await runBaseline(stack, options, `bare-e2e-${tag}-b`, log);
  const bareShape = await readShape(stack.temporal, `bare-e2e-${tag}-a-0`);
  const baselinePerSecond = (before.perSecond + after.perSecond) / 2;
  return {
    payments: options.payments,
    concurrency: options.concurrency,
    callbackDelayMs: options.callbackDelayMs,
    merchants: stack.paying.length,
    imarapay,
    ...(spread ? { spread } : {}),
    baselines: [before, after],
    baselinePerSecond,
    ratio: imarapay.perSecond / baselinePerSecond,
    baselineHistoryEvents: bareShape.historyEvents,
  };
}

async function runImaraPay(
  stack: Stack,
  options: EndToEndOptions,
  merchants: BenchMerchant[],
  log: Log,
): Promise<ImaraPayRun> {
  const deadline = Date.now() + options.timeoutMs;
  const window = await observe(stack, ['api', 'worker', 'simulator', 'temporal', 'postgres', 'bench'], options.cores);
  const tracker = trackCompletions(stack.temporal, {
    concurrency: options.concurrency,
    deadline,
    accept: (r) => (r as { status?: string }).status === 'completed',
  });
  const pushes: PushRecord[] = [];
  const firstRequest = Date.now();
  const clients = await runClients({
    count: options.payments,
    concurrency: options.concurrency,
    deadline,
    call: async (index) => {
      const push = await pushPayment(stack, merchantFor(stack, index, merchants), AMOUNT_PAID_AFTER_DELAY);
      pushes.push(push);
      tracker.add(paymentWorkflowIdOf(push.transactionId));
    },
    onProgress: (done) => log(`e2e: ${done}/${options.payments} payments started`),
    progressEvery: Math.max(100, Math.round(options.payments / 5)),
  });
  tracker.close();
  const closed = await tracker.done();
  const summary = await window.end();
  const lastClosed = latest(closed.closedAt.values(), firstRequest);
  const elapsedMs = lastClosed - firstRequest;
  return {
    completed: closed.closedAt.size,
    failed: closed.failures.size + clients.errors.length,
    elapsedMs,
    perSecond: (closed.closedAt.size * 1000) / elapsedMs,
    startLatency: summarize(clients.latencies),
    errors: [...clients.errors, ...closed.failures.values()].slice(0, 10),
    window: summary,
    timeline: await timelineOf(stack, pushes, true),
    webhooksReceived: pushes.filter((p) => stack.webhooks.completedAt.has(p.transactionId)).length,
  };
}

async function runBaseline(stack: Stack, options: EndToEndOptions, idPrefix: string, log: Log): Promise<EndToEndRun> {
  const deadline = Date.now() + options.timeoutMs;
  const window = await observe(stack, ['baselineWorker', 'temporal', 'bench'], options.cores);
  const tracker = trackCompletions(stack.temporal, {
    concurrency: options.concurrency,
    deadline,
    accept: (r) => r === 'paid',
  });
  const signals: Array<Promise<void>> = [];
  const signalErrors: string[] = [];
  const firstRequest = Date.now();
  const clients = await runClients({
    count: options.payments,
    concurrency: options.concurrency,
    deadline,
    call: async (index) => {
      const workflowId = `${idPrefix}-${index}`;
      await startBareShape(stack.temporal, stack.baselineTaskQueue, workflowId, options.shape, 3_600_000);
      tracker.add(workflowId);
      // The simulated customer answers after the same delay as in the ImaraPay run.
      signals.push(
        new Promise<void>((resolve) => setTimeout(resolve, options.callbackDelayMs))
          .then(() => stack.temporal.workflow.getHandle(workflowId).signal(bareCallbackSignal, 'paid'))
          .catch((err: unknown) => void signalErrors.push(err instanceof Error ? err.message : String(err))),
      );
    },
    onProgress: (done) => log(`e2e baseline: ${done}/${options.payments} started`),
    progressEvery: Math.max(100, Math.round(options.payments / 2)),
  });
  await Promise.all(signals);
  tracker.close();
  const closed = await tracker.done();
  const summary = await window.end();
  const lastClosed = latest(closed.closedAt.values(), firstRequest);
  const elapsedMs = lastClosed - firstRequest;
  return {
    completed: closed.closedAt.size,
    failed: closed.failures.size + clients.errors.length + signalErrors.length,
    elapsedMs,
    perSecond: (closed.closedAt.size * 1000) / elapsedMs,
    startLatency: summarize(clients.latencies),
    errors: [...clients.errors, ...signalErrors, ...closed.failures.values()].slice(0, 10),
    window: summary,
  };
}

function latest(values: Iterable<number>, floor: number): number {
  let max = floor;
  for (const value of values) max = Math.max(max, value);
  return max;
}
