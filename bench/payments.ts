import { median } from './load';
import type { BenchMerchant, Stack } from './stack';

/** Amounts with a known simulator outcome (simulator/README.md). */
export const AMOUNT_PAID_AFTER_DELAY = 500;
/** The prompt stays open until the bench completes it through the simulator's control API. */
export const AMOUNT_AWAITS_CONTROL = 9908;

/** What the bench keeps of one POST /api/stk-push. */
export interface PushRecord {
  transactionId: number;
  checkoutRequestId: string;
  /** Epoch ms on the bench's clock (the same machine's clock as Postgres and every child). */
  requestStart: number;
  responseEnd: number;
}

/** POST /api/stk-push as a merchant would; anything but 200 is an error the scenario reports. */
export async function pushPayment(stack: Stack, merchant: BenchMerchant, amount: number): Promise<PushRecord> {
  const requestStart = Date.now();
  const answer = await stack.http.request('POST', `${stack.apiUrl}/stk-push`, {
    headers: { authorization: merchant.authorization },
    body: { account_id: merchant.channelId, phone_number: '0712345678', amount, description: 'Bench' },
  });
  if (answer.status !== 200)
    throw new Error(`stk-push answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  return {
    transactionId: answer.body.transaction_id as number,
    checkoutRequestId: answer.body.checkout_request_id as string,
    requestStart,
    responseEnd: Date.now(),
  };
}

export const paymentWorkflowIdOf = (transactionId: number) => `payment-${transactionId}`;

/** The merchant of the i-th payment: payments are spread evenly over `pool` (default: the --merchants set). */
export const merchantFor = (stack: Stack, index: number, pool: BenchMerchant[] = stack.paying) =>
  pool[index % pool.length]!;

/** Completes every open 9908 prompt at the simulator; each then sends its success callback. */
export async function releaseOpenPrompts(stack: Stack): Promise<number> {
  const answer = await stack.http.request('POST', `${stack.simulatorUrl}/__bench/complete-open`, {
    timeoutMs: 120_000,
  });
  return answer.body.completed as number;
}

export async function openPrompts(stack: Stack): Promise<number> {
  const answer = await stack.http.request('GET', `${stack.simulatorUrl}/__bench/open`, { timeoutMs: 60_000 });
  return answer.body.open as number;
}

/**
 * Medians of where a payment's wall time went, from the timestamps that every part records anyway
 * (Postgres rows, the simulator's push log, the bench's own clock). Segments follow one payment's
 * critical path; all clocks are this machine's.
 */
export interface Timeline {
  payments: number;
  /** Request sent → transaction row inserted: auth, channel and pricing reads, insert (API). */
  apiBeforeWorkflowMs: number;
  /** Row inserted → fee reserved: update-with-start, first workflow task, reserveFee (Temporal + Postgres). */
  startToFeeReservedMs: number;
  /** Fee reserved → push received by the simulator: workflow task, sendStkPush reads and claim (Temporal + Postgres). */
  feeReservedToPushMs: number;
  /** Push received by the simulator → API answered: Daraja answer, the accepted push's write, update answer. */
  pushToAnswerMs: number;
  /** Whole POST /api/stk-push as the client saw it. */
  requestMs: number;
  /** Push received → callback sent: the simulated customer (configured delay). */
  customerDelayMs?: number;
  /** Callback sent → stored by the API (HTTP + API). */
  callbackToStoredMs?: number;
  /** Callback stored → fee captured: signal, workflow task, settlePayment. */
  storedToSettledMs?: number;
  /** Fee captured → webhook received by the merchant: workflow task, deliverWebhook. */
  settledToWebhookMs?: number;
  /** Request sent → webhook received. */
  endToEndMs?: number;
}

interface Row {
  id: number;
  created: number;
  reserved: number | null;
  stored: number | null;
  captured: number | null;
}

export async function timelineOf(stack: Stack, pushes: PushRecord[], settled: boolean): Promise<Timeline> {
  const { rows } = await stack.pg.query<Row>(
    `select t.id,
            extract(epoch from t.created_at) * 1000 as created,
            (select extract(epoch from l.created_at) * 1000 from wallet_ledger l where l.transaction_id = t.id and l.kind = 'fee_reserve') as reserved,
            (select extract(epoch from min(c.received_at)) * 1000 from daraja_callbacks c where c.transaction_id = t.id) as stored,
            (select extract(epoch from l.created_at) * 1000 from wallet_ledger l where l.transaction_id = t.id and l.kind = 'fee_capture') as captured
       from transactions t where t.id = any($1::int[])`,
    [pushes.map((p) => p.transactionId)],
  );
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const simulator = await stack.http.request('GET', `${stack.simulatorUrl}/__bench/pushes`, { timeoutMs: 60_000 });
  const atSimulator = new Map(
    (simulator.body as Array<{ checkoutRequestId: string; receivedAt: number; callbackSentAt: number | null }>).map(
      (p) => [p.checkoutRequestId, p],
    ),
  );

  const segments = new Map<keyof Timeline, number[]>();
  const add = (key: keyof Timeline, from: number | null | undefined, to: number | null | undefined) => {
    if (from === null || from === undefined || to === null || to === undefined) return;
    const values = segments.get(key) ?? [];
    values.push(Number(to) - Number(from));
    segments.set(key, values);
  };
  for (const push of pushes) {
    const row = byId.get(push.transactionId);
    const sim = atSimulator.get(push.checkoutRequestId);
    if (!row) continue;
    add('apiBeforeWorkflowMs', push.requestStart, row.created);
    add('startToFeeReservedMs', row.created, row.reserved);
    add('feeReservedToPushMs', row.reserved, sim?.receivedAt);
    add('pushToAnswerMs', sim?.receivedAt, push.responseEnd);
    add('requestMs', push.requestStart, push.responseEnd);
    if (settled) {
      const webhookAt = stack.webhooks.completedAt.get(push.transactionId);
      add('customerDelayMs', sim?.receivedAt, sim?.callbackSentAt);
      add('callbackToStoredMs', sim?.callbackSentAt, row.stored);
      add('storedToSettledMs', row.stored, row.captured);
      add('settledToWebhookMs', row.captured, webhookAt);
      add('endToEndMs', push.requestStart, webhookAt);
    }
  }
  const timeline: Timeline = { payments: pushes.length } as Timeline;
  for (const [key, values] of segments) (timeline as unknown as Record<string, number>)[key] = median(values);
  return timeline;
}
