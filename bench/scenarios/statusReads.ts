import { runClients, summarize, type LatencySummary } from '../load';
import { observe, type Part, type WindowSummary } from '../observe';
import { AMOUNT_PAID_AFTER_DELAY, merchantFor, paymentWorkflowIdOf, pushPayment, type PushRecord } from '../payments';
import type { BenchMerchant, Log, Stack } from '../stack';
import { trackCompletions } from '../temporal';

export interface StatusReadsOptions {
  concurrency: number;
  /** Length of one round, ms; rounds alternate baseline / ImaraPay. */
  roundMs: number;
  rounds: number;
  /** Settled payments to read (spread over the merchants). */
  payments: number;
  cores: number;
  timeoutMs: number;
}

export interface ReadSide extends LatencySummary {
  perSecond: number;
  /** Requests/s of each round, in order. */
  rounds: number[];
  errors: string[];
  /** CPU per request, µs, by part; Postgres commits per request. */
  cpuMicrosPerRequest: Partial<Record<Part, number>>;
  commitsPerRequest: number;
  windows: WindowSummary[];
}

export interface StatusReadsResult {
  concurrency: number;
  imarapay: ReadSide;
  baseline: ReadSide;
  /** ImaraPay requests/s over baseline requests/s (target ≥ 0.7). */
  ratio: number;
}

/**
 * Scenario 3: GET /api/transaction/status/:checkoutRequestId with Basic auth at 50 concurrent
 * clients, against a bare Koa route doing one primary-key read of the same table, in alternating
 * rounds so that a noisy spell hits both sides.
 */
export async function runStatusReads(stack: Stack, options: StatusReadsOptions, log: Log): Promise<StatusReadsResult> {
  log(`status: settling ${options.payments} payments to read`);
  const readable = await settledPayments(stack, options);
  const sides = {
    imarapay: {
      latencies: [] as number[],
      rounds: [] as number[],
      errors: [] as string[],
      windows: [] as WindowSummary[],
      ok: 0,
      ms: 0,
    },
    baseline: {
      latencies: [] as number[],
      rounds: [] as number[],
      errors: [] as string[],
      windows: [] as WindowSummary[],
      ok: 0,
      ms: 0,
    },
  };
  const calls = {
    imarapay: async (index: number) => {
      const { push, merchant } = readable[index % readable.length]!;
      const answer = await stack.http.request('GET', `${stack.apiUrl}/transaction/status/${push.checkoutRequestId}`, {
        headers: { authorization: merchant.authorization },
      });
      if (answer.status !== 200 || answer.body.status !== 'completed')
        throw new Error(`status answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
    },
    baseline: async (index: number) => {
      const { push } = readable[index % readable.length]!;
      const answer = await stack.http.request('GET', `${stack.readServerUrl}/read/${push.transactionId}`);
      if (answer.status !== 200) throw new Error(`read answered ${answer.status}`);
    },
  };
  const parts: Record<keyof typeof sides, Part[]> = {
    imarapay: ['api', 'postgres', 'bench'],
    baseline: ['readServer', 'postgres', 'bench'],
  };

  for (let round = 0; round < options.rounds; round += 1) {
    for (const side of ['baseline', 'imarapay'] as const) {
      // A short unmeasured warm-up fills the connection pools and the JIT.
      await runClients({
        count: 1_000_000,
        concurrency: options.concurrency,
        deadline: Date.now() + Math.min(1000, options.roundMs / 4),
        call: calls[side],
      });
      const window = await observe(stack, parts[side], options.cores);
      const run = await runClients({
        count: 10_000_000,
        concurrency: options.concurrency,
        deadline: Date.now() + options.roundMs,
        call: calls[side],
      });
      sides[side].windows.push(await window.end());
      const ms = run.endedAt - run.startedAt;
      sides[side].latencies.push(...run.latencies);
      sides[side].errors.push(...run.errors.slice(0, 5));
      sides[side].rounds.push((run.latencies.length * 1000) / ms);
      sides[side].ok += run.latencies.length;
      sides[side].ms += ms;
    }
    log(
      `status: round ${round + 1}/${options.rounds}: ImaraPay ${sides.imarapay.rounds.at(-1)!.toFixed(0)}/s, bare read ${sides.baseline.rounds.at(-1)!.toFixed(0)}/s`,
    );
  }

  const finish = (side: keyof typeof sides): ReadSide => {
    const s = sides[side];
    const cpu: Partial<Record<Part, number>> = {};
    for (const part of parts[side])
      cpu[part] = (s.windows.reduce((sum, w) => sum + (w.cpuMs[part] ?? 0), 0) * 1000) / s.ok;
    return {
      ...summarize(s.latencies),
      perSecond: (s.ok * 1000) / s.ms,
      rounds: s.rounds,
      errors: s.errors.slice(0, 10),
      cpuMicrosPerRequest: cpu,
      commitsPerRequest: s.windows.reduce((sum, w) => sum + w.postgres.commits, 0) / s.ok,
      windows: s.windows,
    };
  };
  const imarapay = finish('imarapay');
  const baseline = finish('baseline');
  return { concurrency: options.concurrency, imarapay, baseline, ratio: imarapay.perSecond / baseline.perSecond };
}

interface Readable {
  push: PushRecord;
  merchant: BenchMerchant;
}

async function settledPayments(stack: Stack, options: StatusReadsOptions): Promise<Readable[]> {
  const pushes: Readable[] = [];
  const tracker = trackCompletions(stack.temporal, {
    concurrency: 20,
    deadline: Date.now() + options.timeoutMs,
    accept: (r) => (r as { status?: string }).status === 'completed',
  });
  await runClients({
    count: options.payments,
    concurrency: 20,
    deadline: Date.now() + options.timeoutMs,
    call: async (index) => {
      const merchant = merchantFor(stack, index);
      const push = await pushPayment(stack, merchant, AMOUNT_PAID_AFTER_DELAY);
      pushes[index] = { push, merchant };
      tracker.add(paymentWorkflowIdOf(push.transactionId));
    },
  });
  tracker.close();
  const closed = await tracker.done();
  const settled = pushes.filter((r) => r && closed.closedAt.has(paymentWorkflowIdOf(r.push.transactionId)));
  if (settled.length === 0) throw new Error('no payment settled, nothing to read');
  return settled;
}
