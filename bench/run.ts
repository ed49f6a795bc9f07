/**
 * `npm run bench`: measures ImaraPay's speed and memory on this machine, each figure beside a
 * baseline measured in the same run, prints a table and writes bench/results/<timestamp>.json
 * (and .md). See BENCHMARKS.md for what the figures mean.
 *
 *   npm run bench                         the issue's sizes (BENCHMARKS.md says how long they take)
 *   npm run bench -- --quick              small sizes: a smoke run of a few minutes
 *   npm run bench -- --scenarios e2e,status --payments 500
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../scripts/paths';
import { AMOUNT_PAID_AFTER_DELAY, merchantFor, paymentWorkflowIdOf, pushPayment } from './payments';
import { describeMachine, markdownTable, summaryRows, textTable, type ScenarioResults } from './report';
import { details } from './details';
import { runEndToEnd } from './scenarios/endToEnd';
import { runInFlight } from './scenarios/inFlight';
import { runPushLatency } from './scenarios/pushLatency';
import { runStatusReads } from './scenarios/statusReads';
import { startStack, type Stack, type TemporalEngine } from './stack';
import { readShape, type MeasuredShape } from './temporal';

const SCENARIOS = ['e2e', 'latency', 'status', 'inflight'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const HELP = `npm run bench -- [options]
  --quick                 small sizes for a smoke run (a few minutes on 2 busy cores)
  --scenarios LIST        any of ${SCENARIOS.join(',')} (default: all)
  --payments N            end-to-end payments (default 2000; quick 100)
  --concurrency N         end-to-end and in-flight clients (default 50)
  --latency-requests LIST requests at 1, 10 and 50 clients (default 200,500,1000; quick 20,60,100)
  --status-seconds S      length of one status-read round (default 10; quick 2)
  --status-rounds N       alternating baseline/ImaraPay rounds (default 3; quick 2)
  --in-flight N           payments waiting at once (default 10000; quick 300)
  --callback-delay-ms MS  simulated customer's answer delay (default 250)
  --merchants N           merchants sharing the load (default 1: one wallet row)
  --spread-merchants N    end-to-end also runs with the payments spread over N merchants (wallet contention)
  --timeout-minutes M     give up on one scenario after this long (default 20)
  --engine dev|production Temporal engine: the CLI's dev server (default) or the production server on
                          a Postgres cluster of its own with 4 history shards (npm run temporal:install-server)
  --workers N             payment workers on the task queue (default 1)
  --cpu-prof              diagnosis: write a V8 CPU profile of every child (slows them; figures not comparable)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      scenarios: { type: 'string' },
      payments: { type: 'string' },
      concurrency: { type: 'string' },
      'latency-requests': { type: 'string' },
      'status-seconds': { type: 'string' },
      'status-rounds': { type: 'string' },
      'in-flight': { type: 'string' },
      'callback-delay-ms': { type: 'string' },
      merchants: { type: 'string' },
      'spread-merchants': { type: 'string' },
      'timeout-minutes': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      engine: { type: 'string', default: 'dev' },
      workers: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const quick = values.quick ?? false;
  const int = (value: string | undefined, fallback: number, min = 1) => {
    const parsed = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new Error(`expected a whole number ≥ ${min}, got ${value}`);
    return parsed;
  };
  const scenarios = new Set(
    (values.scenarios ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()) as ScenarioName[],
  );
  for (const s of scenarios)
    if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}; use ${SCENARIOS.join(',')}`);
  const latencyRequests = (values['latency-requests'] ?? (quick ? '20,60,100' : '200,500,1000'))
    .split(',')
    .map((v) => int(v, 0));
  const options = {
    quick,
    scenarios: [...scenarios],
    payments: int(values.payments, quick ? 100 : 2000),
    concurrency: int(values.concurrency, 50),
    latencyLevels: [1, 10, 50].map((concurrency, i) => ({
      concurrency,
      requests: latencyRequests[i] ?? latencyRequests.at(-1)!,
    })),
    statusRoundMs: int(values['status-seconds'], quick ? 2 : 10) * 1000,
    statusRounds: int(values['status-rounds'], quick ? 2 : 3),
    inFlight: int(values['in-flight'], quick ? 300 : 10_000),
    callbackDelayMs: int(values['callback-delay-ms'], 250, 0),
    merchants: int(values.merchants, 1),
    spreadMerchants: int(values['spread-merchants'], 0, 0),
    timeoutMs: int(values['timeout-minutes'], 20) * 60_000,
    cpuProfile: values['cpu-prof'] ?? false,
    engine: parseEngine(values.engine),
    workers: int(values.workers, 1),
  };

  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(REPO_ROOT, 'bench', 'results');
  const runDir = join(resultsDir, stamp);
  mkdirSync(runDir, { recursive: true });
  const t0 = performance.now();
  const log = (message: string) =>
    process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);
  const cores = os.cpus().length;
  const machine = await describeMachine(null);
  log(
    `${cores} cores, ${machine.memoryGiB} GiB; scenarios ${options.scenarios.join(', ')}${quick ? ' (quick)' : ''}; ${options.engine} engine, ${options.workers} worker(s); logs in ${runDir}`,
  );

  let stack: Stack | null = null;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    process.exitCode = 130;
    log('interrupted: stopping every process the bench started');
    // stop() is idempotent: the finally below waits for this same stop before the process ends.
    if (stack) void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: ScenarioResults = {};
  const timings: Record<string, number> = {};
  let shape: MeasuredShape | null = null;
  try {
    stack = await startStack({
      callbackDelayMs: options.callbackDelayMs,
      merchants: options.merchants,
      createMerchants: options.spreadMerchants,
      runDir,
      cpuProfile: options.cpuProfile,
      engine: options.engine,
      workers: options.workers,
      log,
    });
    timings.setupS = (performance.now() - t0) / 1000;
    shape = await probeShape(stack);
    log(
      `a payment's history: ${shape.activitiesBeforeAnswer} activities before the answer, ${shape.activitiesAfterSignal} after the callback (${shape.localActivities} of them local), ${shape.signals} signal, ${shape.timers} timer, ${shape.searchAttributeUpserts} search-attribute upserts, ${shape.historyEvents} events`,
    );

    const timed = async <T>(name: ScenarioName, run: () => Promise<T>): Promise<T | undefined> => {
      if (!scenarios.has(name) || interrupted) return undefined;
      const start = performance.now();
      const result = await run();
      timings[`${name}S`] = (performance.now() - start) / 1000;
      log(`${name} done in ${timings[`${name}S`]!.toFixed(0)} s`);
      return result;
    };
    const common = { shape, cores, timeoutMs: options.timeoutMs };
    results.e2e = await timed('e2e', () =>
      runEndToEnd(
        stack!,
        {
          ...common,
          payments: options.payments,
          concurrency: options.concurrency,
          callbackDelayMs: options.callbackDelayMs,
          spreadOver: options.spreadMerchants > 1 ? stack!.merchants.slice(0, options.spreadMerchants) : undefined,
        },
        log,
      ),
    );
    results.status = await timed('status', () =>
      runStatusReads(
        stack!,
        { ...common, concurrency: 50, roundMs: options.statusRoundMs, rounds: options.statusRounds, payments: 100 },
        log,
      ),
    );
    results.inflight = await timed('inflight', () =>
      runInFlight(stack!, { ...common, payments: options.inFlight, concurrency: options.concurrency }, log),
    );
    // Last: its payments are left waiting for callbacks that never come, and the stack is torn down after.
    results.latency = await timed('latency', () =>
      runPushLatency(stack!, { ...common, levels: options.latencyLevels }, log),
    );

    // The code under test is what was checked out when the children started: keep the git state from then.
    const described = {
      ...(await describeMachine(stack)),
      git: machine.git,
      loadAverageAtStart: machine.loadAverageAtStart,
    };
    const rows = summaryRows(results);
    const detailText = details(results, stack, shape);
    const durationS = (performance.now() - t0) / 1000;
    const report = {
      startedAt: startedAt.toISOString(),
      durationS,
      timings,
      options,
      machine: described,
      paymentShape: shape,
      workers: stack.workerFacts,
      table: rows,
      results,
    };
    const jsonFile = join(resultsDir, `${stamp}.json`);
    writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(resultsDir, `${stamp}.md`), `${markdownTable(rows)}\n\n${detailText}\n`);
    process.stdout.write(
      `\n${textTable(rows)}\n\n${detailText}\n\nRun took ${(durationS / 60).toFixed(1)} min. Results: ${jsonFile}\n`,
    );
  } finally {
    if (stack) {
      if (!interrupted) log('stopping every process the bench started');
      await stack.stop();
    }
  }
}

function parseEngine(value: string | undefined): TemporalEngine {
  if (value === 'dev' || value === 'production') return value;
  throw new Error(`--engine takes dev or production, not ${value}`);
}

/** One payment through the API, and the shape of its history, which the baseline workflow copies. */
async function probeShape(stack: Stack): Promise<MeasuredShape> {
  const push = await pushPayment(stack, merchantFor(stack, 0), AMOUNT_PAID_AFTER_DELAY);
  const workflowId = paymentWorkflowIdOf(push.transactionId);
  let timer: NodeJS.Timeout | undefined;
  const result = (await Promise.race([
    stack.temporal.workflow.getHandle(workflowId).result(),
    new Promise(
      (_, reject) =>
        (timer = setTimeout(() => reject(new Error('the probe payment did not settle within 60 s')), 60_000)),
    ),
  ]).finally(() => clearTimeout(timer))) as { status?: string };
  if (result.status !== 'completed') throw new Error(`the probe payment ended ${JSON.stringify(result)}`);
  return readShape(stack.temporal, workflowId);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
