import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PayingMerchant } from './clients';
import type { FaultCheck } from './longOutage';
import type { WebhookReceiver } from './receiver';

/** What the reversal row needs besides the faults it injects. */
export interface ReversalRowTargets {
  /** The proxy in front of the API instances: clients keep working while one instance is down. */
  apiUrl: string;
  simulatorUrl: string;
  merchant: PayingMerchant;
  receiver: WebhookReceiver;
  log: (message: string) => void;
  /** The faults, injected while the reversals are in flight; resolves once every part runs again. */
  faults: () => Promise<void>;
  /** How long reversals get to end after the faults healed. */
  boundMs: number;
}

/** The simulator's initiator (simulator/app.ts default): M-Pesa knows it for every shortcode. */
const SIMULATOR_INITIATOR = { initiator_name: 'testapi', initiator_password: 'Safaricom999!*!' };
const REVERSALS = 8;

interface Answer {
  status: number | null;
  reversalId: number | null;
}

const json = async (answer: Response) => (await answer.json().catch(() => ({}))) as Record<string, unknown>;

/** A merchant's client: POST the reversal, retried with the same key after a 5xx or no answer. */
async function reverse(t: ReversalRowTargets, transactionId: number, budgetMs: number): Promise<Answer> {
  const key = randomUUID();
  const giveUpAt = Date.now() + budgetMs;
  for (let pause = 1_000; ; pause = Math.min(pause * 2, 8_000)) {
    try {
      const answer = await fetch(`${t.apiUrl}/api/transactions/${transactionId}/reversal`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: t.merchant.authorization,
          'idempotency-key': key,
        },
        body: JSON.stringify({ remarks: 'Chaos reversal' }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = await json(answer);
      const reversal = body.reversal as { reversal_id?: number } | undefined;
      if (answer.status < 500) return { status: answer.status, reversalId: reversal?.reversal_id ?? null };
    } catch {
      // no answer: retried below
    }
    if (Date.now() + pause > giveUpAt) return { status: null, reversalId: null };
    await sleep(pause);
  }
}

async function get(t: ReversalRowTargets, path: string): Promise<Record<string, unknown> | null> {
  try {
    const answer = await fetch(`${t.apiUrl}${path}`, {
      headers: { authorization: t.merchant.authorization },
      signal: AbortSignal.timeout(15_000),
    });
    return answer.ok ? await json(answer) : null;
  } catch {
    return null;
  }
}

/**
 * The reversal row: once some of the row's payments have completed, the channel gets its initiator
 * and `REVERSALS` of them are reversed, each by two clients (one key retried, and a second key) while
 * the faults run. Checks, per reversed payment: one reversal (every answer names the same one), at
 * most one request reached M-Pesa, one outcome that agrees with M-Pesa (in_doubt only when nothing
 * reached it), and one accepted webhook for that outcome.
 */
export async function reversalsUnderFaults(t: ReversalRowTargets): Promise<FaultCheck[]> {
  const set = await fetch(`${t.apiUrl}/api/accounts/${t.merchant.channelId}/initiator`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: t.merchant.authorization },
    body: JSON.stringify(SIMULATOR_INITIATOR),
  });
  if (!set.ok) throw new Error(`could not set the chaos channel's initiator: HTTP ${set.status}`);

  let completed: Array<{ id: number; mpesa_receipt: string }> = [];
  for (let i = 0; i < 30 && completed.length < REVERSALS; i += 1) {
    const list = (await get(t, '/api/transactions?status=completed&limit=100')) as unknown;
    completed = Array.isArray(list) ? (list as typeof completed).filter((p) => p.mpesa_receipt) : [];
    if (completed.length < REVERSALS) await sleep(1_000);
  }
  const targets = completed.slice(0, REVERSALS);
  t.log(`reversing ${targets.length} completed payments while the faults run`);

  const clients = targets.map(async (payment, i) => {
    await sleep(i * 1_500);
    return Promise.all([reverse(t, payment.id, 120_000), reverse(t, payment.id, 120_000)]);
  });
  const [answers] = await Promise.all([Promise.all(clients), t.faults()]);

  const ended = async () => {
    const views = await Promise.all(targets.map((p) => get(t, `/api/transactions/${p.id}/reversal`)));
    return views.every((v) => v !== null && v.status !== 'requested') ? views : null;
  };
  let views: Array<Record<string, unknown> | null> | null = null;
  const deadline = Date.now() + t.boundMs;
  while (Date.now() < deadline && !(views = await ended())) await sleep(3_000);
  views ??= await Promise.all(targets.map((p) => get(t, `/api/transactions/${p.id}/reversal`)));
  // Let webhooks that were in flight land before the receiver is read.
  await sleep(3_000);

  const simulator = (await (await fetch(`${t.simulatorUrl}/__control/reversals`)).json()) as {
    reversals: Array<{ request: { transactionId: string }; resultCode: string | null }>;
  };
  const oneReversal: string[] = [];
  const oneRequest: string[] = [];
  const truthful: string[] = [];
  const webhookOnce: string[] = [];
  targets.forEach((payment, i) => {
    const ids = new Set(answers[i]!.map((a) => a.reversalId));
    if (ids.size !== 1 || ids.has(null)) oneReversal.push(`#${payment.id}: answers ${JSON.stringify(answers[i])}`);
    const requests = simulator.reversals.filter((r) => r.request.transactionId === payment.mpesa_receipt);
    if (requests.length > 1) oneRequest.push(`#${payment.id}: ${requests.length} requests`);
    const moved = requests.some((r) => r.resultCode === '0');
    const status = views![i]?.status;
    const agrees =
      (status === 'reversed' && moved) ||
      (status === 'failed' && !moved) ||
      (status === 'in_doubt' && requests.every((r) => r.resultCode === null || r.resultCode !== '0'));
    if (!agrees) truthful.push(`#${payment.id}: ${String(status)} while M-Pesa ${moved ? 'reversed it' : 'did not'}`);
    const event = status === 'reversed' ? 'reversal.succeeded' : status === 'failed' ? 'reversal.failed' : null;
    const accepted = t.receiver.accepted.filter(
      (w) => w.transactionId === payment.id && w.event.startsWith('reversal.'),
    );
    const expected = event === null ? 0 : 1;
    if (accepted.length !== expected || (event && accepted[0]!.event !== event))
      webhookOnce.push(`#${payment.id}: ${status} with ${accepted.map((w) => w.event).join(', ') || 'no webhook'}`);
  });
  const byStatus = views
    .map((v) => String(v?.status))
    .reduce<Record<string, number>>((n, status) => {
      n[status] = (n[status] ?? 0) + 1;
      return n;
    }, {});
  const tallied = Object.entries(byStatus)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const check = (name: string, broken: string[], what: string): FaultCheck => ({
    name,
    held: broken.length === 0 && targets.length > 0,
    detail: broken.length ? broken.slice(0, 5).join('; ') : `${targets.length} reversals: ${what}`,
  });
  return [
    check('reversal_one', oneReversal, 'every answer, with either key, named one reversal per payment'),
    check('reversal_one_request', oneRequest, 'at most one reversal request reached M-Pesa per payment'),
    check('reversal_truth', truthful, `each ended as M-Pesa has it (${tallied})`),
    check('reversal_webhook_once', webhookOnce, 'one accepted webhook per ended reversal'),
  ];
}
