import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/config';
import { createChannel, createMerchant, issueApiKey, topUp } from '../db/merchants';
import type { Orm } from '../db/orm';
import { pay, planRow, tally, type ClientOutcome, type PayingMerchant } from './clients';
import { answerOpenPrompts, gatherRow, type FactSources } from './facts';
import type { Fault, FaultTargets } from './faults';
import { checkRow, type RowFacts } from './invariants';
import type { MatrixRow } from './matrix';

export interface RowOptions {
  payments: number;
  /** The pushes are spread evenly over this long; the fault starts a quarter of the way in. */
  burstMs: number;
  /** After the burst and the fault's heal, how long payments get to finish before they are judged. */
  boundMs: number;
  apiUrl: string;
  /** A retrying client's total budget; longer than the longest outage. */
  retryBudgetMs: number;
}

export interface RowContext {
  orm: Orm;
  config: Config;
  sources: FactSources;
  targets: FaultTargets;
  log: (message: string) => void;
}

export interface RowRecord extends MatrixRow {
  merchantId: number;
  facts: RowFacts;
  /** Seconds from the end of the burst and heal until every payment was final (null: never, within the bound). */
  settledAfterS: number | null;
}

/** One row of the matrix: a fresh merchant, a burst of payments, the fault in the middle, then the checks. */
export async function runRow(fault: Fault, rowIndex: number, options: RowOptions, ctx: RowContext): Promise<RowRecord> {
  const { merchantId, merchant } = await createRowMerchant(ctx, rowIndex);
  ctx.targets.receiver.setMode(fault.receiverSlowMs ? { kind: 'slow', delayMs: fault.receiverSlowMs } : { kind: 'ok' });
  const plans = planRow(options.payments, rowIndex);
  ctx.log(`row ${fault.name}: ${plans.length} payments over ${options.burstMs / 1000} s for merchant ${merchantId}`);

  let burstDone = false;
  const customers = (async () => {
    // The 9908 customers answer a few seconds after their prompt, all row long.
    while (!burstDone) {
      await answerOpenPrompts(ctx.sources.simulatorUrl, 3_000).catch(() => 0);
      await sleep(2_000);
    }
  })();
  const clients: Array<Promise<ClientOutcome>> = plans.map(async (plan) => {
    await sleep((plan.index * options.burstMs) / plans.length);
    return pay(plan, {
      apiUrl: options.apiUrl,
      merchant,
      retryBudgetMs: options.retryBudgetMs,
      requestTimeoutMs: 40_000,
    });
  });
  const injected = (async () => {
    await sleep(options.burstMs / 4);
    return (await fault.inject({ ...ctx.targets, merchant })) ?? [];
  })();
  const [outcomes, checks] = await Promise.all([Promise.all(clients), injected]);
  ctx.log(
    `row ${fault.name}: burst and fault over; waiting up to ${options.boundMs / 1000} s for every payment to finish`,
  );

  const healedAt = Date.now();
  let settledAfterS: number | null = null;
  let facts: RowFacts | null = null;
  while (Date.now() - healedAt < options.boundMs) {
    await answerOpenPrompts(ctx.sources.simulatorUrl, 3_000).catch(() => 0);
    facts = await gatherRow(ctx.sources, merchantId).catch(() => null);
    if (facts && checkRow(facts).terminal.violations === 0) {
      settledAfterS = (Date.now() - healedAt) / 1000;
      break;
    }
    await sleep(3_000);
  }
  burstDone = true;
  await customers;
  ctx.targets.receiver.setMode({ kind: 'ok' });
  // Let a webhook that was in flight at the last look land before the checks read the receiver.
  await sleep(2_000);
  facts = await gatherRow(ctx.sources, merchantId);
  const result = checkRow(facts);
  const allChecks = [...checks, ...(fault.verify?.(facts) ?? [])];
  return { fault: fault.name, clients: tally(outcomes), result, checks: allChecks, merchantId, facts, settledAfterS };
}

async function createRowMerchant(
  ctx: RowContext,
  rowIndex: number,
): Promise<{ merchantId: number; merchant: PayingMerchant }> {
  const em = ctx.orm.em.fork();
  const suffix = `${rowIndex}-${randomBytes(3).toString('hex')}`;
  const merchantId = await createMerchant(em, {
    name: `Chaos shop ${suffix}`,
    email: `chaos-${suffix}@example.test`,
    kycStatus: 'verified',
    callbackUrl: ctx.targets.receiver.url,
  });
  const channelId = await createChannel(em, { merchantId, accountType: 'till', accountNumber: '5123456' });
  await topUp(em, { merchantId, amount: 1_000_000, reference: 'chaos opening balance' });
  const key = await issueApiKey(em, ctx.config.API_KEY_PEPPER, merchantId, 'chaos key');
  return {
    merchantId,
    merchant: {
      channelId,
      authorization: `Basic ${Buffer.from(`${key.username}:${key.password}`).toString('base64')}`,
    },
  };
}
