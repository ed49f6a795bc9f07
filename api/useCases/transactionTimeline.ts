import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { findTransactions, type TransactionRow } from '../../db/transactionsQuery';
import { paymentTimelineRecords } from '../../db/paymentTimeline';
import { reversalOfPayment, reversalResults } from '../../db/reversals';
import type { ApiCaller } from '../auth';
import { transactionView, type TransactionView } from './listTransactions';

/** One thing that happened to a payment, oldest first. */
export interface TimelineEvent {
  at: string;
  kind:
    | 'created'
    | 'fee_reserved'
    | 'push_accepted'
    | 'push_refused'
    | 'push_unconfirmed'
    | 'callback_received'
    | 'status_query'
    | 'fee_captured'
    | 'fee_released'
    | 'late_fee_captured'
    | 'wallet_credited'
    | 'settled'
    | 'webhook_attempt'
    | 'reversal_requested'
    | 'reversal_evidence'
    | 'reversal_settled';
  title: string;
  detail: string | null;
}

export interface TransactionTimeline {
  transaction: TransactionView & { environment: string; workflow_id: string; decided_by: string | null };
  events: TimelineEvent[];
}

export const transactionIdParamSchema = z.object({
  id: z.coerce
    .number({ error: 'id must be a transaction id' })
    .int()
    .positive({ error: 'id must be a transaction id' }),
});

/** The path parameters of GET /api/transactions/:id/timeline, parsed. */
export type TransactionIdParams = z.infer<typeof transactionIdParamSchema>;

/** Whole KES as the dashboard writes them: `KES 1,000`. */
function kes(amount: number): string {
  return `KES ${amount.toLocaleString('en-US')}`;
}

const LEDGER_EVENTS: Record<string, { kind: TimelineEvent['kind']; title: (amount: number) => string }> = {
  fee_reserve: { kind: 'fee_reserved', title: (a) => `Fee of ${kes(-a)} reserved from the service wallet` },
  fee_capture: { kind: 'fee_captured', title: () => 'Fee captured: the payment completed' },
  fee_release: { kind: 'fee_released', title: (a) => `Fee of ${kes(a)} released back to the service wallet` },
  late_fee_capture: { kind: 'late_fee_captured', title: (a) => `Fee of ${kes(-a)} charged for a late success` },
  top_up: { kind: 'wallet_credited', title: (a) => `Service wallet credited with ${kes(a)}` },
};

/**
 * GET /api/transactions/:id/timeline: a payment's story from what Postgres recorded: the fee's
 * ledger entries, the push's outcome, every raw Daraja callback (duplicates and late ones too),
 * each STK status query with its answer or error, the settlement, and each webhook attempt.
 * Another merchant's payment is "not found".
 */
export async function transactionTimeline(
  em: EntityManager,
  caller: ApiCaller,
  { id }: TransactionIdParams,
): Promise<TransactionTimeline> {
  const { rows } = await findTransactions(em, {
    id,
    merchantId: caller.merchant.id,
    environment: caller.environment,
    limit: 1,
  });
  const row = rows[0];
  if (!row) throw new AppError('not_found', `Transaction ${id} does not exist`);
  return timelineOf(em, row);
}

/**
 * Any payment's timeline, whoever owns it, for ImaraPay's operators (the review queue); null when no
 * payment has this id.
 */
export async function anyPaymentTimeline(em: EntityManager, id: number): Promise<TransactionTimeline | null> {
  const { rows } = await findTransactions(em, { id, limit: 1 });
  return rows[0] ? timelineOf(em, rows[0]) : null;
}

/** The timeline of a payment row the caller may see. */
async function timelineOf(em: EntityManager, row: TransactionRow): Promise<TransactionTimeline> {
  const id = row.id;
  const { payment, ledger, callbacks, queries, attempts } = await paymentTimelineRecords(em, id);

  const events: TimelineEvent[] = [
    {
      at: row.createdAt.toISOString(),
      kind: 'created',
      title: `STK push of ${kes(row.amount)} to ${row.phoneNumber}`,
      detail:
        [
          row.linkPublicId ? `From payment link ${row.linkPublicId}` : null,
          row.externalReference ? `Reference ${row.externalReference}` : null,
        ]
          .filter(Boolean)
          .join(' · ') || null,
    },
  ];
  for (const entry of ledger) {
    const known = LEDGER_EVENTS[entry.kind];
    if (known)
      events.push({
        at: new Date(entry.created_at).toISOString(),
        kind: known.kind,
        title: known.title(entry.amount),
        detail: null,
      });
  }
  // The push's own time is not stored: it follows the fee reservation (or the request) at once.
  const pushAt = new Date(ledger.find((e) => e.kind === 'fee_reserve')?.created_at ?? row.createdAt).toISOString();
  const push = payment!.push_state;
  if (push === 'accepted')
    events.push({
      at: pushAt,
      kind: 'push_accepted',
      title: 'M-Pesa accepted the push: the prompt is on the customer’s phone',
      detail: row.checkoutRequestId,
    });
  if (push === 'rejected')
    events.push({
      at: pushAt,
      kind: 'push_refused',
      title: 'M-Pesa refused the push: no prompt was sent',
      detail: row.resultDesc,
    });
  if (push === 'unconfirmed')
    events.push({
      at: pushAt,
      kind: 'push_unconfirmed',
      title: 'M-Pesa did not answer the push in time; waiting for its callback',
      detail: null,
    });
  for (const callback of callbacks) {
    events.push({
      at: new Date(callback.received_at).toISOString(),
      kind: 'callback_received',
      title: `Daraja callback received: ResultCode ${callback.result_code ?? '?'} (${callback.disposition})`,
      detail: resultDescOf(callback.raw_body),
    });
  }
  for (const query of queries)
    events.push({ at: new Date(query.asked_at).toISOString(), kind: 'status_query', ...statusQueryText(query) });
  if (row.status !== 'pending') {
    const how = DECIDERS[payment!.decided_by ?? ''] ?? '';
    events.push({
      at: (row.completedAt ?? new Date(payment!.updated_at)).toISOString(),
      kind: 'settled',
      ...settledText(row, how),
    });
  }
  for (const attempt of attempts) {
    // `unknown`: the request may have reached the receiver, but no answer was recorded.
    const outcome =
      attempt.status_code !== null
        ? `answered ${attempt.status_code}`
        : attempt.status === 'unknown'
          ? `outcome unknown: ${attempt.error ?? 'no answer'}`
          : `failed: ${attempt.error ?? 'no answer'}`;
    // An attempt is recorded before it is sent: until its answer comes it has neither outcome nor latency.
    const title = attempt.status === 'sending' ? 'being sent' : `${outcome} in ${attempt.latency_ms} ms`;
    events.push({
      at: new Date(attempt.started_at).toISOString(),
      kind: 'webhook_attempt',
      title: `Webhook ${attempt.event} attempt ${attempt.attempt_no} ${title}`,
      detail: attempt.url,
    });
  }
  events.push(...(await reversalEvents(em, id)));
  events.sort((a, b) => a.at.localeCompare(b.at));
  return {
    transaction: {
      ...transactionView(row),
      environment: row.environment,
      workflow_id: payment!.workflow_id,
      decided_by: payment!.decided_by,
    },
    events,
  };
}

/**
 * What one STK status query learned, in words: Daraja's final answer, "still being processed", or
 * why Daraja could not be asked.
 */
export function statusQueryText(query: {
  state: string;
  result_code: string | null;
  result_desc: string | null;
  error: string | null;
}): Pick<TimelineEvent, 'title' | 'detail'> {
  if (query.state === 'final')
    return { title: `STK status query: ResultCode ${query.result_code ?? '?'}`, detail: query.result_desc };
  if (query.state === 'pending') return { title: 'STK status query: still being processed', detail: query.result_desc };
  // activities/darajaCalls.ts `queryFailureDescription` wrote why: Daraja's own refusal, a timeout, or no connection.
  const error = query.error ?? '';
  if (error.startsWith('M-Pesa answered'))
    return { title: 'STK status query refused by Daraja (it answered with an error)', detail: query.error };
  if (error === 'M-Pesa did not answer in time')
    return { title: 'STK status query failed: no answer from Daraja in time', detail: query.error };
  return { title: 'STK status query failed: Daraja could not be reached', detail: query.error };
}

/** How each decider reads after the status on the timeline. */
const DECIDERS: Record<string, string> = {
  query: ' (from an STK status query)',
  callback: ' (from the callback)',
  mpesa_record: " (from M-Pesa's own record)",
  operator: " (by ImaraPay's review, approved by a second admin)",
};

/**
 * The settlement in words. A payment in review is never titled a failure: M-Pesa reported a payment
 * and ImaraPay is verifying it; the detail says why.
 */
function settledText(
  row: { status: string; mpesaReceipt: string | null; resultDesc: string | null; reviewReason: string | null },
  how: string,
): Pick<TimelineEvent, 'title' | 'detail'> {
  if (row.status === 'needs_review')
    return { title: 'M-Pesa reported a payment; ImaraPay is verifying it', detail: row.reviewReason };
  if (row.status === 'completed')
    return { title: `Completed${how}: receipt ${row.mpesaReceipt ?? '—'}`, detail: row.resultDesc };
  return { title: `Failed${how}`, detail: row.resultDesc };
}

/** Daraja's ResultDesc from a stored raw callback, when it has one. */
function resultDescOf(rawBody: string): string | null {
  try {
    const desc = (JSON.parse(rawBody) as { Body?: { stkCallback?: { ResultDesc?: unknown } } }).Body?.stkCallback
      ?.ResultDesc;
    return typeof desc === 'string' ? desc : null;
  } catch {
    return null; // a malformed body is still listed, without a description
  }
}

const REVERSAL_EVIDENCE_TITLES: Record<string, string> = {
  result: "M-Pesa's reversal result",
  timeout: 'The reversal request timed out in M-Pesa\u2019s queue',
  status: "M-Pesa's record of the reversal (Transaction Status)",
  status_timeout: 'A Transaction Status question about the reversal timed out',
};

/** The payment's reversal as timeline events: the request, every body M-Pesa posted about it, and its ending. */
async function reversalEvents(em: EntityManager, transactionId: number): Promise<TimelineEvent[]> {
  const reversal = await reversalOfPayment(em, transactionId);
  if (!reversal) return [];
  const events: TimelineEvent[] = [
    {
      at: reversal.createdAt.toISOString(),
      kind: 'reversal_requested',
      title: `Reversal of ${kes(reversal.amount)} requested${reversal.requestedBy ? ` by ${reversal.requestedBy}` : ''}`,
      detail: reversal.remarks,
    },
  ];
  for (const result of await reversalResults(em, reversal.id))
    events.push({
      at: result.receivedAt.toISOString(),
      kind: 'reversal_evidence',
      title: `${REVERSAL_EVIDENCE_TITLES[result.kind] ?? result.kind} (${result.disposition})`,
      detail: result.description || null,
    });
  const endedAt = (reversal.completedAt ?? reversal.updatedAt).toISOString();
  if (reversal.state === 'reversed')
    events.push({
      at: endedAt,
      kind: 'reversal_settled',
      title: `Reversed: ${kes(reversal.amount)} returned to the customer`,
      detail: reversal.reversalReceipt ? `M-Pesa reversal ${reversal.reversalReceipt}` : reversal.resultDesc,
    });
  if (reversal.state === 'failed')
    events.push({
      at: endedAt,
      kind: 'reversal_settled',
      title: 'Reversal failed: nothing was returned',
      detail: reversal.resultDesc,
    });
  if (reversal.state === 'in_doubt')
    events.push({
      at: endedAt,
      kind: 'reversal_settled',
      title: 'Reversal in doubt: no result from M-Pesa yet; ImaraPay staff are checking',
      detail: reversal.resultDesc,
    });
  return events;
}
