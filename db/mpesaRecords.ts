import type { EntityManager } from '@mikro-orm/postgresql';
import type { MpesaRecordSource } from '../domain/mpesaRecord';
import {
  ChannelInitiatorSchema,
  MpesaRecordRequestSchema,
  MpesaRecordSchema,
  type MpesaRecordDisposition,
  type MpesaRecordRequestState,
  type MpesaRecordRow,
} from './entities';

/** The channel's initiator, or null when none was entered. The password stays sealed. */
export async function channelInitiator(
  em: EntityManager,
  channelId: number,
): Promise<{ initiatorName: string; passwordSealed: string; updatedAt: Date } | null> {
  const row = await em.findOne(ChannelInitiatorSchema, { channelId });
  return row
    ? { initiatorName: row.initiatorName, passwordSealed: row.passwordSealed, updatedAt: row.updatedAt }
    : null;
}

/** Sets (or replaces) the channel's initiator; `passwordSealed` must already be sealed. Answers whether one existed. */
export async function upsertChannelInitiator(
  em: EntityManager,
  input: { channelId: number; initiatorName: string; passwordSealed: string },
): Promise<{ replaced: boolean; updatedAt: Date }> {
  const rows = await em.getConnection().execute<{ replaced: boolean; updated_at: Date }[]>(
    `insert into channel_initiators (channel_id, initiator_name, password_sealed, updated_at)
       values (?, ?, ?, now())
     on conflict (channel_id) do update set initiator_name = excluded.initiator_name,
       password_sealed = excluded.password_sealed, updated_at = now()
     returning (xmax <> 0) as replaced, updated_at`,
    [input.channelId, input.initiatorName, input.passwordSealed],
    'all',
    em.getTransactionContext(),
  );
  return { replaced: Boolean(rows[0]?.replaced), updatedAt: new Date(rows[0]!.updated_at) };
}

/** A payment that ended without M-Pesa's final word, for the reconciliation to ask M-Pesa about. */
export interface UnsettledPaymentRow {
  id: number;
  workflowId: string;
  channelId: number | null;
  /** The till or paybill the push went to (the channel's PartyB; a top-up's own). */
  partyB: string | null;
  /** The channel's kind (`till`, `paybill`, `bank`); null for a top-up. */
  accountType: string | null;
  accountReference: string;
  environment: 'sandbox' | 'production';
  phoneNumber: string;
  amount: number;
  status: string;
  decidedBy: string | null;
  mpesaReceipt: string | null;
  createdAt: Date;
}

/**
 * Payments to ask M-Pesa about: `failed` by `no_answer`, `needs_review`, and `completed` by the STK
 * query without a receipt, created between `since` and `until` (M-Pesa keeps Pull Transactions 48 h),
 * that hold no M-Pesa record yet which completed them. Oldest first, at most `limit`.
 */
export async function paymentsWithoutMpesaWord(
  em: EntityManager,
  window: { since: Date; until: Date; limit: number },
): Promise<UnsettledPaymentRow[]> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select t.id, t.workflow_id, t.channel_id, coalesce(c.party_b, t.party_b) as party_b, c.account_type, t.account_reference,
            t.environment, t.phone_number, t.amount, t.status, t.decided_by, t.mpesa_receipt, t.created_at
       from transactions t
       left join channels c on c.id = t.channel_id
      where t.created_at between ? and ?
        and t.purpose = 'payment'
        and ((t.status = 'failed' and t.decided_by = 'no_answer')
          or t.status = 'needs_review'
          or (t.status = 'completed' and t.decided_by = 'query' and t.mpesa_receipt is null))
        and not exists (select 1 from mpesa_records r
                         where r.transaction_id = t.id and r.disposition = 'evidence' and r.delivered_at is not null
                           and (t.status <> 'needs_review' or r.source = 'transaction_status'))
      order by t.created_at
      limit ?`,
    [window.since, window.until, window.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    workflowId: String(r.workflow_id),
    channelId: r.channel_id === null ? null : Number(r.channel_id),
    partyB: (r.party_b as string | null) ?? null,
    accountType: (r.account_type as string | null) ?? null,
    accountReference: String(r.account_reference),
    environment: r.environment as 'sandbox' | 'production',
    phoneNumber: String(r.phone_number),
    amount: Number(r.amount),
    status: String(r.status),
    decidedBy: (r.decided_by as string | null) ?? null,
    mpesaReceipt: (r.mpesa_receipt as string | null) ?? null,
    createdAt: new Date(r.created_at as string),
  }));
}

/** Receipts among `receipts` that another payment already holds (its own or as M-Pesa evidence). */
export async function receiptsClaimedElsewhere(
  em: EntityManager,
  receipts: string[],
  transactionId: number,
): Promise<Set<string>> {
  if (receipts.length === 0) return new Set();
  const rows = await em.getConnection().execute<{ receipt: string }[]>(
    `select mpesa_receipt as receipt from transactions where mpesa_receipt in (?) and id <> ?
     union select receipt from mpesa_records where receipt in (?) and transaction_id <> ? and disposition = 'evidence'`,
    [receipts, transactionId, receipts, transactionId],
  );
  return new Set(rows.map((r) => r.receipt));
}

/** Records a question asked of M-Pesa and answers its id. */
export async function recordRequest(
  em: EntityManager,
  input: {
    transactionId: number | null;
    channelId: number;
    source: MpesaRecordSource;
    state: MpesaRecordRequestState;
    originatorConversationId?: string | null;
    conversationId?: string | null;
    detail?: string | null;
  },
): Promise<number> {
  const row = em.create(MpesaRecordRequestSchema, {
    transaction: input.transactionId,
    channel: input.channelId,
    source: input.source,
    state: input.state,
    originatorConversationId: input.originatorConversationId ?? null,
    conversationId: input.conversationId ?? null,
    detail: input.detail ?? null,
    askedAt: new Date(),
    answeredAt: null,
  });
  await em.flush();
  return row.id;
}

/** The question a Transaction Status result answers, by its conversation ids; null when none of ours. */
export async function requestForResult(
  em: EntityManager,
  ids: { originatorConversationId: string; conversationId: string },
): Promise<{ id: number; transactionId: number | null } | null> {
  const or = [
    ...(ids.originatorConversationId ? [{ originatorConversationId: ids.originatorConversationId }] : []),
    ...(ids.conversationId ? [{ conversationId: ids.conversationId }] : []),
  ];
  if (or.length === 0) return null;
  const row = await em.findOne(MpesaRecordRequestSchema, { $or: or, source: 'transaction_status' });
  return row ? { id: row.id, transactionId: row.transaction } : null;
}

/**
 * Marks a question answered if it was still waiting for its answer; false when it had one already
 * (a repeated or replayed result), so that one question yields at most one piece of evidence.
 */
export async function claimRequestAnswer(em: EntityManager, requestId: number): Promise<boolean> {
  const claimed = await em.nativeUpdate(
    MpesaRecordRequestSchema,
    { id: requestId, state: 'asked' },
    { state: 'answered', answeredAt: new Date() },
  );
  return claimed > 0;
}

/** Marks a question answered (or timed out in M-Pesa's queue). */
export async function markRequest(em: EntityManager, requestId: number, state: MpesaRecordRequestState): Promise<void> {
  await em.nativeUpdate(MpesaRecordRequestSchema, { id: requestId }, { state, answeredAt: new Date() });
}

export interface NewMpesaRecord {
  transactionId: number | null;
  requestId: number | null;
  source: MpesaRecordSource;
  disposition: MpesaRecordDisposition;
  outcome: MpesaRecordRow['outcome'];
  receipt: string | null;
  amount: number | null;
  payer: string | null;
  completedAt: Date | null;
  description: string;
  raw: string;
}

/**
 * Stores one answer (raw first). The same credit for the same payment from the same source is stored
 * once: a repeat answers the existing row's id with `created: false`.
 */
export async function storeMpesaRecord(
  em: EntityManager,
  record: NewMpesaRecord,
): Promise<{ id: number; created: boolean; deliveredAt: Date | null }> {
  const rows = await em.getConnection().execute<{ id: number }[]>(
    `insert into mpesa_records (transaction_id, request_id, source, disposition, outcome, receipt, amount, payer,
                                completed_at, description, raw)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (transaction_id, source, receipt) do nothing
     returning id`,
    [
      record.transactionId,
      record.requestId,
      record.source,
      record.disposition,
      record.outcome,
      record.receipt,
      record.amount,
      record.payer,
      record.completedAt,
      record.description,
      record.raw,
    ],
  );
  if (rows[0]) return { id: Number(rows[0].id), created: true, deliveredAt: null };
  const existing = await em.findOneOrFail(MpesaRecordSchema, {
    transaction: record.transactionId,
    source: record.source,
    receipt: record.receipt,
  });
  return { id: existing.id, created: false, deliveredAt: existing.deliveredAt };
}

/** Notes how a stored record reached its payment. */
export async function markRecordDelivered(
  em: EntityManager,
  recordId: number,
  delivery: 'signalled' | 'late_workflow',
): Promise<void> {
  await em.nativeUpdate(MpesaRecordSchema, { id: recordId }, { delivery, deliveredAt: new Date() });
}

/** Every M-Pesa record stored for a payment, oldest first (its timeline shows them as evidence). */
export async function recordsOfPayment(em: EntityManager, transactionId: number): Promise<MpesaRecordRow[]> {
  return em.find(MpesaRecordSchema, { transaction: transactionId }, { orderBy: { id: 'asc' } });
}

/** What handing a record over needs of its payment; null when there is no such payment. */
export async function paymentForRecord(
  em: EntityManager,
  transactionId: number,
): Promise<{ id: number; workflowId: string; amount: number } | null> {
  const rows = await em
    .getConnection()
    .execute<{ id: number; workflow_id: string; amount: number }[]>(
      `select id, workflow_id, amount from transactions where id = ?`,
      [transactionId],
    );
  const row = rows[0];
  return row ? { id: Number(row.id), workflowId: row.workflow_id, amount: Number(row.amount) } : null;
}

/** Whether a Transaction Status question about the payment was asked since `since` (one question per window). */
export async function askedRecently(em: EntityManager, transactionId: number, since: Date): Promise<boolean> {
  return (
    (await em.count(MpesaRecordRequestSchema, {
      transaction: transactionId,
      source: 'transaction_status',
      askedAt: { $gte: since },
    })) > 0
  );
}

/** The M-Pesa record activities' statements, for bindToSessions (db/orm.ts). */
export const mpesaRecordStatements = {
  askedRecently,
  recordRequest,
  paymentsWithoutMpesaWord,
  receiptsClaimedElsewhere,
  storeMpesaRecord,
  markRecordDelivered,
};
