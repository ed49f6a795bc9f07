import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DarajaGate } from './darajaGate';
import type { LoggingLauncher } from '../scripts/production/launcher';
import type { WebhookReceiver } from './receiver';
import type { PayingMerchant } from './clients';
import type { RowFacts } from './invariants';
import { temporalLongOutage, type FaultCheck } from './longOutage';
import { reversalsUnderFaults } from './reversals';
import { loseAnswersFor, lostAnswerChecks } from './lostAnswers';

/** What a fault may touch. */
export interface FaultTargets {
  launcher: LoggingLauncher;
  /** Current pid of the postmaster. */
  postgresPid(): number;
  gate: DarajaGate;
  receiver: WebhookReceiver;
  log: (message: string) => void;
  /** Each API instance's own URL (not the proxy's). */
  apiUrls: string[];
  /** The proxy in front of the API instances, as merchants reach it. */
  apiUrl: string;
  /** The simulator's own URL (its control API), not the gate's. */
  simulatorUrl: string;
  temporalAddress: string;
  /** The APIs' TEMPORAL_START_DEADLINE_MS. */
  startDeadlineMs: number;
  /** `--quick`: faults that last minutes last less. */
  quick: boolean;
  /** The row's merchant (set by the row), for faults that send payments of their own. */
  merchant?: PayingMerchant;
}

export interface Fault {
  name: string;
  /** One line for the report and docs/chaos.md. */
  description: string;
  /** Receiver behaviour for the whole row (default: answers 200 at once). */
  receiverSlowMs?: number;
  /**
   * Injects the fault and heals it; resolves once everything it broke runs again, with the checks
   * the fault made itself (beyond the invariants), if any.
   */
  inject(targets: FaultTargets): Promise<void | FaultCheck[]>;
  /** Checks of the fault's own on the row's final facts, beyond the invariants (most faults have none). */
  verify?(facts: RowFacts): FaultCheck[];
}

const s = (seconds: number) => seconds * 1000;

/** SIGKILL a part, leave it dead for `downMs`, start it again from the same spec. */
async function killFor(t: FaultTargets, name: string, downMs: number): Promise<void> {
  t.log(`SIGKILL ${name} for ${downMs / 1000} s`);
  await t.launcher.kill(name, 'SIGKILL');
  await sleep(downMs);
  t.launcher.restart(name);
  t.log(`${name} restarted`);
}

async function killWorkers(t: FaultTargets, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    await killFor(t, `worker-${(round % 2) + 1}`, s(3));
    await sleep(s(3));
  }
}

async function darajaDown(t: FaultTargets, ms: number): Promise<void> {
  t.log(`Daraja unreachable for ${ms / 1000} s`);
  await t.gate.down();
  await sleep(ms);
  await t.gate.up();
  t.log('Daraja reachable again');
}

async function receiverFailing(t: FaultTargets, ms: number): Promise<void> {
  t.log(`merchant webhook receiver answers 500 for ${ms / 1000} s`);
  t.receiver.setMode({ kind: 'failing' });
  await sleep(ms);
  t.receiver.setMode({ kind: 'ok' });
}

/** Sends `signal` to a pid or (negative) process group; one already gone is ignored. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** `pid` and every process below it (from /proc: Linux), parents first. */
function processTree(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // stat is "pid (comm) state ppid …"; comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i += 1)
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  return tree;
}

/**
 * SIGSTOP a part (its whole process group, and `extraPids` with everything below them), leave it
 * paused for `pausedMs`, then SIGCONT: alive, connections open, but silent, as a long GC pause, a VM
 * migration or a stalled disk looks from outside.
 */
async function freezeFor(t: FaultTargets, name: string, pausedMs: number, extraPids: number[] = []): Promise<void> {
  const part = t.launcher.process(name);
  if (!part) throw new Error(`no part called ${name}`);
  const pids = extraPids.flatMap(processTree);
  t.log(`SIGSTOP ${name} for ${pausedMs / 1000} s`);
  signal(-part.pid, 'SIGSTOP');
  for (const pid of pids) signal(pid, 'SIGSTOP');
  await sleep(pausedMs);
  for (const pid of [...pids].reverse()) signal(pid, 'SIGCONT');
  signal(-part.pid, 'SIGCONT');
  t.log(`${name} continued (SIGCONT)`);
}

/** Every fault the suite knows, in the order rows run. */
export const FAULTS: readonly Fault[] = [
  { name: 'none', description: 'no fault: the control row', inject: async () => undefined },
  {
    name: 'worker-kill',
    description: 'SIGKILL a worker 3 times (the two in turn), each restarted after 3 s',
    inject: (t) => killWorkers(t, 3),
  },
  {
    name: 'api-kill',
    description: 'SIGKILL API instance 1, restarted after 10 s (the proxy sends new requests to instance 2)',
    inject: (t) => killFor(t, 'api-1', s(10)),
  },
  {
    name: 'temporal-kill',
    description: 'SIGKILL the Temporal server, restarted on the same Postgres after 30 s',
    inject: (t) => killFor(t, 'temporal', s(30)),
  },
  {
    name: 'postgres-stop',
    description:
      'immediate stop of Postgres (SIGQUIT to the postmaster: no checkpoint, crash recovery on start), started again after 20 s',
    async inject(t) {
      t.log('Postgres immediate stop for 20 s');
      process.kill(t.postgresPid(), 'SIGQUIT');
      await t.launcher.process('postgres')?.exited;
      await sleep(s(20));
      t.launcher.restart('postgres');
      t.log('Postgres restarted');
    },
  },
  {
    name: 'daraja-down',
    description: "Daraja unreachable for 20 s (connections to it refused; the simulator's state is kept)",
    inject: (t) => darajaDown(t, s(20)),
  },
  {
    name: 'webhook-failing',
    description: "the merchant's webhook receiver answers 500 for 20 s",
    inject: (t) => receiverFailing(t, s(20)),
  },
  {
    name: 'webhook-slow',
    description: "the merchant's receiver answers after 1.5 s all row long while a worker is SIGKILLed 3 times",
    receiverSlowMs: 1_500,
    inject: (t) => killWorkers(t, 3),
  },
  {
    name: 'worker-freeze',
    description:
      'SIGSTOP worker 1 for 60 s, then SIGCONT (its webhook POSTs in flight are answered by the receiver while it is paused)',
    inject: (t) => freezeFor(t, 'worker-1', s(60)),
  },
  {
    name: 'temporal-freeze',
    description: 'SIGSTOP the Temporal server for 30 s, then SIGCONT (connections to it stay open, nothing answers)',
    inject: (t) => freezeFor(t, 'temporal', s(30)),
  },
  {
    name: 'postgres-freeze',
    description:
      'SIGSTOP Postgres (the postmaster and every backend) for 30 s, then SIGCONT: connections stay open, statements hang',
    inject: (t) => freezeFor(t, 'postgres', s(30), [t.postgresPid()]),
  },
  {
    name: 'combined',
    description: 'at once: a worker and API instance 1 SIGKILLed, Daraja unreachable 20 s, the receiver failing 20 s',
    inject: async (t) => {
      await Promise.all([
        killFor(t, 'worker-1', s(10)),
        killFor(t, 'api-1', s(10)),
        darajaDown(t, s(20)),
        receiverFailing(t, s(20)),
      ]);
    },
  },
  {
    name: 'reversals',
    description:
      'reverse 8 completed payments (two clients each: one retrying its Idempotency-Key, one with another key) while a worker, ' +
      'API instance 1 and the Temporal server are SIGKILLed (restarted after 3, 10 and 20 s): one reversal and at most one ' +
      'M-Pesa request per payment, an outcome that agrees with M-Pesa, one webhook per outcome',
    inject: (t) =>
      reversalsUnderFaults({
        apiUrl: t.apiUrl,
        simulatorUrl: t.simulatorUrl,
        merchant: t.merchant!,
        receiver: t.receiver,
        log: t.log,
        boundMs: s(120),
        faults: async () => {
          await Promise.all([
            killFor(t, 'worker-1', s(3)),
            killFor(t, 'api-1', s(10)),
            sleep(s(2)).then(() => killFor(t, 'temporal', s(20))),
          ]);
        },
      }),
  },
  {
    name: 'callbacks-lost',
    description:
      'for 8 s, every push\'s callbacks never reach ImaraPay and its STK query says "being processed" for good: ' +
      "each payment ends failed (no_answer), and a paid one is completed by M-Pesa's own record (the reconciliation's Pull Transactions)",
    inject: (t) => loseAnswersFor(t, 'callbacks', s(8)),
    verify: lostAnswerChecks,
  },
  {
    name: 'answers-lost',
    description:
      "for 8 s, every push's answer comes after the push timeout (no CheckoutRequestID, so no STK query) and its callbacks " +
      "never reach ImaraPay: only M-Pesa's own record can complete a paid payment",
    inject: (t) => loseAnswersFor(t, 'callbacks_and_push_answer', s(8)),
    verify: lostAnswerChecks,
  },
  {
    name: 'temporal-long-outage',
    description:
      'SIGKILL the Temporal server for 5 min (90 s with --quick) while each API is asked to start payments: ' +
      'each answers 503 within its start deadline, and is ready and starting payments within 10 s of Temporal answering again',
    inject: (t) =>
      temporalLongOutage(
        t.launcher,
        {
          apiUrls: t.apiUrls,
          temporalAddress: t.temporalAddress,
          merchant: t.merchant!,
          startDeadlineMs: t.startDeadlineMs,
          log: t.log,
        },
        t.quick ? s(90) : s(300),
      ),
  },
];

export function selectFaults(names: string | undefined): Fault[] {
  if (!names) return [...FAULTS];
  const wanted = names
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = wanted.filter((n) => !FAULTS.some((f) => f.name === n));
  if (unknown.length)
    throw new Error(`unknown fault(s) ${unknown.join(', ')}; known: ${FAULTS.map((f) => f.name).join(', ')}`);
  return FAULTS.filter((f) => wanted.includes(f.name));
}
