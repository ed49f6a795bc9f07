import type { Client as TemporalClient } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import type { PaymentFacts, Prompt, RowFacts } from './invariants';
import type { WebhookReceiver } from './receiver';

/** A push as the simulator's control API lists it (simulator/engine.ts PushRecord, the fields used here). */
interface SimulatorPush {
  checkoutRequestId: string;
  callbackUrl: string;
  outcome: string;
  receivedAt: string;
  result: { resultCode: string } | null;
  receipt: string | null;
  callbacks: Array<{ status: number | null }>;
  lost?: string | null;
}

export interface FactSources {
  databaseUrl: string;
  temporal: TemporalClient;
  simulatorUrl: string;
  receiver: WebhookReceiver;
}

/** Every push the simulator accepted; the payment id is the last segment of its CallBackURL. */
export async function simulatorPushes(simulatorUrl: string): Promise<Array<SimulatorPush & { transactionId: number }>> {
  const answer = await fetch(`${simulatorUrl}/__control/pushes`, { signal: AbortSignal.timeout(30_000) });
  const { pushes } = (await answer.json()) as { pushes: SimulatorPush[] };
  return pushes.map((p) => ({ ...p, transactionId: Number(new URL(p.callbackUrl).pathname.split('/').pop()) }));
}

/** Reads what one merchant's row left behind: payments, ledger, wallet, prompts, accepted webhooks. */
export async function gatherRow(sources: FactSources, merchantId: number): Promise<RowFacts> {
  const pg = new PgClient({ connectionString: sources.databaseUrl });
  await pg.connect();
  try {
    const { rows: transactions } = await pg.query<{
      id: number;
      amount: number;
      status: string;
      mpesa_receipt: string | null;
      workflow_id: string;
      decided_by: string | null;
    }>(
      'select id, amount, status, mpesa_receipt, workflow_id, decided_by from transactions where merchant_id = $1 order by id',
      [merchantId],
    );
    const { rows: ledger } = await pg.query<{ transaction_id: number | null; kind: string; amount: number }>(
      'select transaction_id, kind, amount from wallet_ledger where merchant_id = $1',
      [merchantId],
    );
    const { rows: walletRows } = await pg.query<{ balance: number; ledger_sum: string; lowest: number }>(
      `select w.balance,
              (select coalesce(sum(amount), 0) from wallet_ledger where merchant_id = w.merchant_id) as ledger_sum,
              (select coalesce(min(balance_after), 0) from wallet_ledger where merchant_id = w.merchant_id) as lowest
         from wallets w where w.merchant_id = $1`,
      [merchantId],
    );
    const wallet = walletRows[0];
    const pushes = await simulatorPushes(sources.simulatorUrl);
    const ids = new Set(transactions.map((t) => t.id));
    const payments: PaymentFacts[] = await Promise.all(
      transactions.map(async (t) => ({
        transactionId: t.id,
        amount: t.amount,
        status: t.status,
        receipt: t.mpesa_receipt,
        decidedBy: t.decided_by,
        workflowClosed: await isClosed(sources.temporal, t.workflow_id),
        ledger: ledger.filter((e) => e.transaction_id === t.id).map((e) => ({ kind: e.kind, amount: e.amount })),
        prompts: pushes
          .filter((p) => p.transactionId === t.id)
          .map((p): Prompt => ({
            checkoutRequestId: p.checkoutRequestId,
            resultCode: p.result?.resultCode ?? null,
            receipt: p.receipt,
            callbackDelivered: p.callbacks.some((c) => c.status !== null && c.status < 300),
            lost: p.lost ?? null,
          })),
      })),
    );
    return {
      payments,
      wallet: wallet
        ? { balance: wallet.balance, ledgerSum: Number(wallet.ledger_sum), lowestBalanceAfter: wallet.lowest }
        : { balance: 0, ledgerSum: 0, lowestBalanceAfter: 0 },
      webhooks: sources.receiver.accepted
        .filter((w) => ids.has(w.transactionId))
        .map((w) => ({ transactionId: w.transactionId, event: w.event })),
    };
  } finally {
    await pg.end();
  }
}

async function isClosed(temporal: TemporalClient, workflowId: string): Promise<boolean> {
  try {
    const description = await temporal.workflow.getHandle(workflowId).describe();
    return description.status.name !== 'RUNNING';
  } catch {
    return false; // not found (a payment row without its workflow) or unreachable
  }
}

/**
 * The simulated customers of 9908 prompts: answers every open one older than `afterMs`, paying when
 * the payment id is even and cancelling (1032) when odd. Returns how many it answered.
 */
export async function answerOpenPrompts(simulatorUrl: string, afterMs: number): Promise<number> {
  const pushes = await simulatorPushes(simulatorUrl);
  const open = pushes.filter(
    (p) => p.outcome === 'awaits_control' && p.result === null && Date.now() - Date.parse(p.receivedAt) > afterMs,
  );
  for (const p of open) {
    await fetch(`${simulatorUrl}/__control/pushes/${p.checkoutRequestId}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resultCode: p.transactionId % 2 === 0 ? 0 : 1032 }),
      signal: AbortSignal.timeout(10_000),
    });
  }
  return open.length;
}
