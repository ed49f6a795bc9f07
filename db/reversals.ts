import type { EntityManager } from '@mikro-orm/postgresql';
import { reversalStatusOf, type ReversalDecidedBy, type ReversalState } from '../domain/reversal';
import {
  ReversalResultSchema,
  ReversalSchema,
  TransactionSchema,
  type Transaction,
  type Reversal,
  type ReversalResultDisposition,
  type ReversalResultKind,
  type ReversalResultRow,
} from './entities';
import { findChannel } from './channels';

/** What a new reversal is recorded with. */
export interface NewReversal {
  transactionId: number;
  merchantId: number;
  channelId: number;
  environment: 'sandbox' | 'production';
  amount: number;
  receipt: string;
  idempotencyKey: string | null;
  requestedBy: string | null;
  remarks: string;
  workflowId: string;
}

/**
 * Records the payment's reversal once: the unique key on `transaction_id` makes a second request
 * (another key, a double click, a race between two API instances) find the first instead. Sets the
 * payment's `reversal_status` to `requested` in the same transaction. `created` says whether this call
 * recorded it.
 */
export async function recordReversal(
  em: EntityManager,
  input: NewReversal,
): Promise<{ reversal: Reversal; created: boolean }> {
  return em.transactional(async (tx) => {
    const rows = await tx.getConnection().execute<{ id: number }[]>(
      `insert into reversals (transaction_id, merchant_id, channel_id, environment, amount, receipt,
         idempotency_key, requested_by, remarks, workflow_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (transaction_id) do nothing returning id`,
      [
        input.transactionId,
        input.merchantId,
        input.channelId,
        input.environment,
        input.amount,
        input.receipt,
        input.idempotencyKey,
        input.requestedBy,
        input.remarks,
        input.workflowId,
      ],
      'all',
      tx.getTransactionContext(),
    );
    const created = rows.length === 1;
    if (created)
      await tx
        .getConnection()
        .execute(
          `update transactions set reversal_status = 'requested', updated_at = now() where id = ?`,
          [input.transactionId],
          'run',
          tx.getTransactionContext(),
        );
    const reversal = await tx.findOneOrFail(ReversalSchema, { transaction: input.transactionId });
    return { reversal, created };
  });
}

/** A merchant's payment in one environment (what a reversal may act on); null for anyone else's. */
export async function paymentForReversal(
  em: EntityManager,
  key: { id: number; merchantId: number; environment: 'sandbox' | 'production' },
): Promise<Transaction | null> {
  return em.findOne(
    TransactionSchema,
    { id: key.id, merchant: key.merchantId, environment: key.environment },
    { refresh: true },
  );
}

/** The reversal of a payment, or null. */
export async function reversalOfPayment(em: EntityManager, transactionId: number): Promise<Reversal | null> {
  return em.findOne(ReversalSchema, { transaction: transactionId }, { refresh: true });
}

export async function reversalById(em: EntityManager, id: number): Promise<Reversal | null> {
  return em.findOne(ReversalSchema, { id }, { refresh: true });
}

/**
 * Claims the right to send: `requested` → `sending`, written before the HTTP call. Answers the state
 * found when the claim did not apply (`sending` means an earlier attempt may have reached M-Pesa).
 */
export async function claimReversalSend(
  em: EntityManager,
  id: number,
): Promise<{ claimed: true } | { claimed: false; state: ReversalState }> {
  const updated = await em.nativeUpdate(
    ReversalSchema,
    { id, state: 'requested' },
    { state: 'sending', updatedAt: new Date() },
  );
  if (updated === 1) return { claimed: true };
  const row = await em.findOneOrFail(ReversalSchema, { id }, { refresh: true });
  return { claimed: false, state: row.state };
}

/** Daraja refused the request before processing it (spike arrest, token): `sending` → `requested`, so it may be sent again. */
export async function releaseReversalClaim(em: EntityManager, id: number): Promise<void> {
  await em.nativeUpdate(ReversalSchema, { id, state: 'sending' }, { state: 'requested', updatedAt: new Date() });
}

/** Daraja acknowledged the request: keep its conversation ids (a result is matched by them). */
export async function markReversalAccepted(
  em: EntityManager,
  id: number,
  ids: { conversationId: string; originatorConversationId: string | null },
): Promise<void> {
  await em.nativeUpdate(
    ReversalSchema,
    { id, state: { $in: ['requested', 'sending'] } },
    {
      state: 'accepted',
      conversationId: ids.conversationId,
      originatorConversationId: ids.originatorConversationId,
      updatedAt: new Date(),
    },
  );
}

/** The outcome a reversal is settled with. */
export interface ReversalSettlement {
  state: 'reversed' | 'failed' | 'in_doubt';
  resultCode: string | null;
  resultDesc: string | null;
  reversalReceipt: string | null;
  decidedBy: ReversalDecidedBy | null;
}

/**
 * Records the reversal's outcome and the payment's `reversal_status` in one transaction. `reversed`
 * and `failed` are final: once either is recorded nothing changes it (`changed: false`). `in_doubt`
 * applies only to a reversal still waiting; a result that comes later still ends it reversed or failed.
 */
export async function settleReversal(
  em: EntityManager,
  id: number,
  outcome: ReversalSettlement,
): Promise<{ changed: boolean; state: ReversalState }> {
  return em.transactional(async (tx) => {
    const from: ReversalState[] =
      outcome.state === 'in_doubt'
        ? ['requested', 'sending', 'accepted']
        : ['requested', 'sending', 'accepted', 'in_doubt'];
    const final = outcome.state !== 'in_doubt';
    const updated = await tx.nativeUpdate(
      ReversalSchema,
      { id, state: { $in: from } },
      {
        state: outcome.state,
        resultCode: outcome.resultCode,
        resultDesc: outcome.resultDesc,
        reversalReceipt: outcome.reversalReceipt,
        decidedBy: outcome.decidedBy,
        updatedAt: new Date(),
        ...(final ? { completedAt: new Date() } : {}),
      },
    );
    const row = await tx.findOneOrFail(ReversalSchema, { id }, { refresh: true });
    if (updated === 1)
      await tx
        .getConnection()
        .execute(
          `update transactions set reversal_status = ?, updated_at = now() where id = ?`,
          [reversalStatusOf(row.state), row.transaction],
          'run',
          tx.getTransactionContext(),
        );
    return { changed: updated === 1, state: row.state };
  });
}

/** Stores one body M-Pesa posted about a reversal, raw, with what became of it. */
export async function storeReversalResult(
  em: EntityManager,
  input: {
    reversalId: number;
    kind: ReversalResultKind;
    disposition: ReversalResultDisposition;
    resultCode: string | null;
    description: string;
    raw: string;
  },
): Promise<ReversalResultRow> {
  const row = em.create(ReversalResultSchema, {
    reversal: input.reversalId,
    kind: input.kind,
    disposition: input.disposition,
    resultCode: input.resultCode,
    description: input.description,
    raw: input.raw,
    receivedAt: new Date(),
  });
  await em.persistAndFlush(row);
  return row;
}

/** Every body M-Pesa posted about the reversal, oldest first (the timeline's evidence). */
export async function reversalResults(em: EntityManager, reversalId: number): Promise<ReversalResultRow[]> {
  return em.find(ReversalResultSchema, { reversal: reversalId }, { orderBy: { id: 'asc' } });
}

/** A reversal with its merchant, for the admin list. */
export interface ReversalListRow extends Reversal {
  merchantName: string;
  fee: number;
}

/** The latest `limit` reversals of every merchant, newest first; only those whose state is in `states` when given. */
export async function latestReversals(
  em: EntityManager,
  filter: { states: ReversalState[] | null; limit: number },
): Promise<ReversalListRow[]> {
  const rows = await em.find(ReversalSchema, filter.states ? { state: { $in: filter.states } } : {}, {
    orderBy: { createdAt: 'desc', id: 'desc' },
    limit: filter.limit,
  });
  if (rows.length === 0) return [];
  const facts = await em.getConnection().execute<{ id: number; name: string; fee: number }[]>(
    `select r.id, m.name, t.fee from reversals r join merchants m on m.id = r.merchant_id
       join transactions t on t.id = r.transaction_id where r.id in (${rows.map(() => '?').join(',')})`,
    rows.map((r) => r.id),
  );
  const byId = new Map(facts.map((f) => [f.id, f]));
  return rows.map((r) => ({ ...r, merchantName: byId.get(r.id)?.name ?? '', fee: byId.get(r.id)?.fee ?? 0 }));
}

/**
 * Reversals recorded but still `requested` after `olderThanMs`: their request may have ended before it
 * started the workflow (an API that died in between, a 503 nobody retried). At most `limit`, oldest first.
 */
export async function reversalsAwaitingStart(
  em: EntityManager,
  olderThanMs: number,
  limit: number,
): Promise<Reversal[]> {
  return em.find(
    ReversalSchema,
    { state: 'requested', createdAt: { $lt: new Date(Date.now() - olderThanMs) } },
    { orderBy: { createdAt: 'asc' }, limit },
  );
}

/** The reversal activities' statements, for bindToSessions (db/orm.ts). */
export const reversalStatements = {
  reversalById,
  findChannel,
  claimReversalSend,
  releaseReversalClaim,
  markReversalAccepted,
  settleReversal,
};
