import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { PayingMerchant } from './clients';

/** One check a fault makes itself, beyond the invariants: whether it held, and what was seen. */
export interface FaultCheck {
  name: string;
  held: boolean;
  detail: string;
}

/** What the long-outage row needs besides the launcher. */
export interface OutageProbeTargets {
  /** Each API instance directly (not the proxy): each must recover on its own. */
  apiUrls: string[];
  temporalAddress: string;
  /** The row's merchant, whose probe payments join the row's payments. */
  merchant: PayingMerchant;
  /** The APIs' TEMPORAL_START_DEADLINE_MS. */
  startDeadlineMs: number;
  log: (message: string) => void;
}

/** How much later than the start deadline a refusal may arrive (a loaded machine's noise). */
const ANSWER_SLACK_MS = 2_000;
/** How soon after Temporal answers again each API must be ready, and starting payments. */
export const RECOVERY_BOUND_MS = 10_000;

interface StartProbe {
  apiUrl: string;
  status: number | null;
  code: string | null;
  retryAfter: string | null;
  tookMs: number;
}

/** One payment start on one API instance with a fresh Idempotency-Key. */
async function probeStart(apiUrl: string, merchant: PayingMerchant, index: number): Promise<StartProbe> {
  const started = Date.now();
  try {
    const answer = await fetch(`${apiUrl}/api/stk-push`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: merchant.authorization,
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({
        account_id: merchant.channelId,
        phone_number: `0799${String(index).padStart(6, '0')}`,
        amount: 500,
        description: `Probe ${index}`, // TransactionDesc: 13 characters at most
      }),
      signal: AbortSignal.timeout(60_000),
    });
    const json = (await answer.json().catch(() => ({}))) as { code?: string };
    return {
      apiUrl,
      status: answer.status,
      code: json.code ?? null,
      retryAfter: answer.headers.get('retry-after'),
      tookMs: Date.now() - started,
    };
  } catch {
    return { apiUrl, status: null, code: null, retryAfter: null, tookMs: Date.now() - started };
  }
}

/** Resolves when a fresh connection (no reconnect backoff behind it) gets GetSystemInfo answered. */
async function temporalAnswers(address: string): Promise<void> {
  for (;;) {
    const connection = await Connection.connect({ address, connectTimeout: 1_000 }).catch(() => null);
    try {
      if (connection) return void (await connection.workflowService.getSystemInfo({}));
    } catch {
      // not yet
    } finally {
      await connection?.close().catch(() => undefined);
    }
    await sleep(250);
  }
}

/** Milliseconds from `since` until `attempt` first answers true, polling every 250 ms; null past `giveUpMs`. */
async function msUntil(since: number, giveUpMs: number, attempt: () => Promise<boolean>): Promise<number | null> {
  while (Date.now() - since < giveUpMs) {
    const started = Date.now();
    if (await attempt().catch(() => false)) return started - since;
    await sleep(250);
  }
  return null;
}

/**
 * Temporal's server is stopped (SIGKILL) for `downMs` while every API instance is asked, every few
 * seconds, to start a payment: each must answer 503 `temporarily_unavailable` with Retry-After
 * within its start deadline. Then the server is started again, and each API must answer readiness
 * 200, and start a payment, within RECOVERY_BOUND_MS of Temporal
 * answering a fresh connection again (a 200, or a 202 when the workflow started but the workers
 * have not answered yet). The outage is long enough for gRPC's default reconnect
 * backoff to reach gaps of tens of seconds, which is what kept APIs away after Temporal's return.
 */
export async function temporalLongOutage(
  launcher: { kill(name: string, signal?: NodeJS.Signals): Promise<unknown>; restart(name: string): unknown },
  t: OutageProbeTargets,
  downMs: number,
): Promise<FaultCheck[]> {
  t.log(`SIGKILL temporal for ${downMs / 1000} s, probing payment starts on ${t.apiUrls.length} APIs`);
  await launcher.kill('temporal', 'SIGKILL');
  const downAt = Date.now();
  const during: StartProbe[] = [];
  let index = 0;
  while (Date.now() - downAt < downMs) {
    during.push(...(await Promise.all(t.apiUrls.map((url) => probeStart(url, t.merchant, index++)))));
    await sleep(5_000);
  }
  launcher.restart('temporal');
  await temporalAnswers(t.temporalAddress);
  const backAt = Date.now();
  t.log('temporal answers again; timing each API back');

  const recovery = await Promise.all(
    t.apiUrls.map(async (apiUrl) => {
      const readyMs = await msUntil(backAt, 60_000, async () => {
        const res = await fetch(`${apiUrl}/api/ready`, { signal: AbortSignal.timeout(5_000) });
        return res.status === 200;
      });
      const startMs = await msUntil(backAt, 60_000, async () => {
        const probe = await probeStart(apiUrl, t.merchant, index++);
        return probe.status === 200 || probe.status === 202;
      });
      return { apiUrl, readyMs, startMs };
    }),
  );

  const bound = t.startDeadlineMs + ANSWER_SLACK_MS;
  const late = during.filter(
    (p) => p.status !== 503 || p.code !== 'temporarily_unavailable' || !p.retryAfter || p.tookMs > bound,
  );
  const slowest = Math.max(0, ...during.map((p) => p.tookMs));
  const seconds = (ms: number | null) => (ms === null ? 'never (60 s)' : `${(ms / 1000).toFixed(1)} s`);
  return [
    {
      name: 'outage_starts_refused_promptly',
      held: during.length > 0 && late.length === 0,
      detail:
        `${during.length} starts during the outage, ${during.length - late.length} answered 503 temporarily_unavailable ` +
        `with Retry-After within ${bound / 1000} s (slowest ${(slowest / 1000).toFixed(1)} s)` +
        (late.length ? `; e.g. ${JSON.stringify(late.slice(0, 3))}` : ''),
    },
    {
      name: 'ready_after_return',
      held: recovery.every((r) => r.readyMs !== null && r.readyMs <= RECOVERY_BOUND_MS),
      detail: recovery.map((r) => `${r.apiUrl} ready after ${seconds(r.readyMs)}`).join('; '),
    },
    {
      name: 'starting_after_return',
      held: recovery.every((r) => r.startMs !== null && r.startMs <= RECOVERY_BOUND_MS),
      detail: recovery.map((r) => `${r.apiUrl} started a payment after ${seconds(r.startMs)}`).join('; '),
    },
  ];
}
