/**
 * Experiment behind a BENCHMARKS.md suggestion: how much of the STK push latency is the activity
 * round trips before the answer, and what local activities would save. Measures update-with-start
 * latency of the bare same-shape workflow with 0..N of its pre-answer activities run as local
 * activities, beside the trivial round trip and ImaraPay itself, in alternating rounds.
 *
 *   node --import tsx bench/experiments/pushRoundTrips.ts [requestsPerRound=50] [rounds=2]
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runClients, summarize } from '../load';
import { AMOUNT_AWAITS_CONTROL, merchantFor, paymentWorkflowIdOf, pushPayment, AMOUNT_PAID_AFTER_DELAY } from '../payments';
import { startStack } from '../stack';
import { readShape, startBareShape, trivialRoundTrip } from '../temporal';

async function main(): Promise<void> {
  const perRound = Number(process.argv[2] ?? 50);
  const rounds = Number(process.argv[3] ?? 2);
  const log = (message: string) => process.stderr.write(`[experiment] ${message}\n`);
  const stack = await startStack({ callbackDelayMs: 250, merchants: 1, createMerchants: 1, runDir: mkdtempSync(join(os.tmpdir(), 'imarapay-exp-')), log });
  try {
    const probe = await pushPayment(stack, merchantFor(stack, 0), AMOUNT_PAID_AFTER_DELAY);
    await stack.temporal.workflow.getHandle(paymentWorkflowIdOf(probe.transactionId)).result();
    const shape = await readShape(stack.temporal, paymentWorkflowIdOf(probe.transactionId));
    let seq = 0;
    const variants: Array<[string, () => Promise<void>]> = [
      ['trivial update-with-start', () => trivialRoundTrip(stack.temporal, stack.baselineTaskQueue, `exp-trivial-${seq++}`)],
      ...Array.from({ length: shape.activitiesBeforeAnswer + 1 }, (_, local): [string, () => Promise<void>] => [
        `bare shape, ${local}/${shape.activitiesBeforeAnswer} pre-answer activities local`,
        () => startBareShape(stack.temporal, stack.baselineTaskQueue, `exp-shape-${seq++}`, shape, 3_600_000, local),
      ]),
      ['ImaraPay POST /api/stk-push (9908)', async () => void (await pushPayment(stack, merchantFor(stack, 0), AMOUNT_AWAITS_CONTROL))],
    ];
    for (const concurrency of [1, 10]) {
      const latencies = new Map<string, number[]>(variants.map(([name]) => [name, []]));
      for (let round = 0; round < rounds; round += 1) {
        for (const [name, call] of variants) {
          await runClients({ count: 5, concurrency, deadline: Date.now() + 60_000, call });
          const run = await runClients({ count: perRound, concurrency, deadline: Date.now() + 300_000, call });
          latencies.get(name)!.push(...run.latencies);
        }
      }
      console.log(`\n${concurrency} client(s), ${perRound * rounds} requests each:`);
      for (const [name, values] of latencies) {
        const s = summarize(values);
        console.log(`  ${name.padEnd(48)} p50 ${s.p50.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms   p99 ${s.p99.toFixed(1).padStart(7)} ms`);
      }
    }
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
