import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientTally } from './matrix';

/** The magic amounts (README's table) plus ordinary ones; every row pays each of them. */
export const AMOUNTS = [500, 1500, 1032, 1037, 2001, 9901, 9902, 9903, 9904, 9905, 9906, 9907, 9908] as const;

export interface PayingMerchant {
  channelId: number;
  authorization: string;
}

export interface ClientPlan {
  index: number;
  amount: number;
  /** Retries with the same Idempotency-Key after a network error or a 5xx; otherwise one attempt. */
  retries: boolean;
  phone: string;
}

/** Payment i of a row: amounts in turn, every other client retrying (13 amounts: both kinds of each). */
export function planRow(count: number, rowIndex: number): ClientPlan[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    amount: AMOUNTS[index % AMOUNTS.length]!,
    retries: index % 2 === 0,
    // A phone per payment: the simulator's spike arrest counts per amount and phone.
    phone: `07${String(10_000_000 + rowIndex * 10_000 + index).slice(-8)}`,
  }));
}

export interface ClientOutcome {
  plan: ClientPlan;
  transactionId: number | null;
  /** Last HTTP status, or null when no answer came. */
  status: number | null;
  attempts: number;
}

export interface ClientOptions {
  apiUrl: string;
  merchant: PayingMerchant;
  /** A retrying client gives up after this long. */
  retryBudgetMs: number;
  requestTimeoutMs: number;
}

/** One merchant's client: POST /api/stk-push, retried (same key, same body) while the answer is unusable. */
export async function pay(
  plan: ClientPlan,
  { apiUrl, merchant, retryBudgetMs, requestTimeoutMs }: ClientOptions,
): Promise<ClientOutcome> {
  const key = randomUUID();
  const body = JSON.stringify({
    account_id: merchant.channelId,
    phone_number: plan.phone,
    amount: plan.amount,
    description: `Chaos ${plan.index}`,
  });
  const giveUpAt = Date.now() + retryBudgetMs;
  let attempts = 0;
  let status: number | null = null;
  for (let pause = 1_000; ; pause = Math.min(pause * 2, 8_000)) {
    attempts += 1;
    try {
      const answer = await fetch(`${apiUrl}/api/stk-push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: merchant.authorization, 'idempotency-key': key },
        body,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      status = answer.status;
      const json = (await answer.json().catch(() => ({}))) as { transaction_id?: number };
      if (status < 500)
        return {
          plan,
          transactionId: typeof json.transaction_id === 'number' ? json.transaction_id : null,
          status,
          attempts,
        };
    } catch {
      status = null;
    }
    if (!plan.retries || Date.now() + pause > giveUpAt) return { plan, transactionId: null, status, attempts };
    await sleep(pause);
  }
}

export function tally(outcomes: ClientOutcome[]): ClientTally {
  return {
    payments: outcomes.length,
    accepted: outcomes.filter((o) => o.status !== null && o.status < 300 && o.transactionId !== null).length,
    refused: outcomes.filter((o) => o.status !== null && o.status >= 400 && o.status < 500).length,
    gaveUp: outcomes.filter((o) => o.status === null || o.status >= 500).length,
  };
}
