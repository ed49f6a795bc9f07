import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AUDIT_GENESIS_HASH,
  auditEventHash,
  verifyAuditChain,
  verifyAuditTail,
  type AuditChainBreak,
  type AuditChainHead,
  type AuditActorType,
  type AuditEvent,
  type AuditEventInput,
} from '../domain/audit';
import { keysetAfter, keysetOrder, keysetPage } from './keyset';

/**
 * The append-only audit log (`audit_events`). Appends are serialised by a transaction-scoped
 * advisory lock so that each row's prevHash is the hash of the row committed just before it.
 */

/** The advisory lock key that serialises appends to the audit chain. */
const AUDIT_CHAIN_LOCK = 7_202_612;

interface AuditRow {
  id: number;
  occurred_at: Date;
  actor_type: AuditActorType;
  actor_id: number | null;
  actor_label: string | null;
  merchant_id: number | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

function toEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    occurredAt: new Date(row.occurred_at).toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    merchantId: row.merchant_id,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    ip: row.ip,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * Appends one event to the chain and returns it. Runs in `em`'s transaction when it has one (so the
 * audit row commits or rolls back with the change it records), else in a transaction of its own.
 */
export async function appendAuditEvent(em: EntityManager, input: AuditEventInput): Promise<AuditEvent> {
  const append = async (tx: EntityManager): Promise<AuditEvent> => {
    const run = <T>(sql: string, params: unknown[] = []) =>
      tx.getConnection().execute<T[]>(sql, params, 'all', tx.getTransactionContext());
    await run('select pg_advisory_xact_lock(?)', [AUDIT_CHAIN_LOCK]);
    const [last] = await run<{ hash: string }>('select hash from audit_events order by id desc limit 1');
    const content = {
      ...input,
      occurredAt: new Date().toISOString(),
      prevHash: last?.hash ?? AUDIT_GENESIS_HASH,
    };
    const hash = auditEventHash(content);
    const [row] = await run<AuditRow>(
      `insert into audit_events (occurred_at, actor_type, actor_id, actor_label, merchant_id, action,
         subject_type, subject_id, ip, details, prev_hash, hash)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?) returning *`,
      [
        content.occurredAt,
        content.actorType,
        content.actorId,
        content.actorLabel,
        content.merchantId,
        content.action,
        content.subjectType,
        content.subjectId,
        content.ip,
        JSON.stringify(content.details),
        content.prevHash,
        hash,
      ],
    );
    // The head moves with the append, so deleting the newest events is noticed by the check.
    await run(
      `insert into audit_chain_head (id, last_id, last_hash, event_count) values (1, ?, ?, 1)
       on conflict (id) do update set last_id = excluded.last_id, last_hash = excluded.last_hash,
         event_count = audit_chain_head.event_count + 1`,
      [row!.id, hash],
    );
    return toEvent(row!);
  };
  return em.getTransactionContext() ? append(em) : em.transactional(append);
}

/** The chain's head as the appends left it, or null when nothing was ever appended. */
export async function auditChainHead(em: EntityManager): Promise<AuditChainHead | null> {
  const [row] = await em
    .getConnection()
    .execute<{ last_id: number; last_hash: string; event_count: number }[]>(
      'select last_id, last_hash, event_count from audit_chain_head where id = 1',
      [],
      'all',
      em.getTransactionContext(),
    );
  return row ? { lastId: row.last_id, lastHash: row.last_hash, eventCount: row.event_count } : null;
}

/**
 * Walks the whole log in id order, page by page (`pageSize` events at a time), and checks every
 * link and then the tail against the head: the first break (domain/audit.ts), or null when the
 * log is whole. Reads in one repeatable-read transaction so appends meanwhile do not look like breaks.
 */
export async function verifyStoredAuditChain(em: EntityManager, pageSize = 1000): Promise<AuditChainBreak | null> {
  return em.transactional(
    async (tx) => {
      let previous: AuditEvent | null = null;
      let count = 0;
      for (;;) {
        const page = await auditEventsAfter(tx, previous?.id ?? 0, pageSize);
        if (page.length === 0) break;
        const found = verifyAuditChain(page, previous?.hash ?? AUDIT_GENESIS_HASH);
        if (found) return found;
        previous = page[page.length - 1]!;
        count += page.length;
      }
      return verifyAuditTail(previous && { id: previous.id, hash: previous.hash }, count, await auditChainHead(tx));
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}

/** Filters of the audit log's readers: every one optional, all of them together. */
export interface AuditEventFilter {
  merchantId?: number;
  action?: string;
  /** Matches the actor's id (digits) or, case-insensitively, a part of its label. */
  actor?: string;
  from?: Date;
  /** The end of the range, and whether an event at that very instant is in it. */
  to?: { at: Date; inclusive: boolean };
}

/** Newest first, keyset-paged by id: up to `limit` events with id below `beforeId`, and the id the next page continues before. */
export async function auditEventsPage(
  em: EntityManager,
  filter: AuditEventFilter,
  beforeId: number | undefined,
  limit: number,
): Promise<{ events: AuditEvent[]; lastId: number | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (filter.merchantId !== undefined) add('merchant_id = ?', filter.merchantId);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.actor !== undefined) {
    if (/^\d{1,9}$/.test(filter.actor))
      add('(actor_id = ? or actor_label ilike ?)', Number(filter.actor), `%${filter.actor}%`);
    else add("actor_label ilike ? escape '\\'", `%${filter.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (filter.from !== undefined) add('occurred_at >= ?', filter.from.toISOString());
  if (filter.to !== undefined) add(`occurred_at ${filter.to.inclusive ? '<=' : '<'} ?`, filter.to.at.toISOString());
  const after = keysetAfter(['id'], 'desc', beforeId === undefined ? undefined : [beforeId]);
  if (after) add(after.sql, ...after.params);
  const rows = await em.getConnection().execute<AuditRow[]>(
    `select * from audit_events ${where.length ? `where ${where.join(' and ')}` : ''}
       order by ${keysetOrder(['id'], 'desc')} limit ?`,
    [...params, limit + 1],
  );
  const { page, last } = keysetPage(rows.map(toEvent), limit);
  return { events: page, lastId: last?.id ?? null };
}

/** Up to `limit` events after `afterId`, in chain (id) order: the check reads the whole log page by page. */
export async function auditEventsAfter(em: EntityManager, afterId: number, limit: number): Promise<AuditEvent[]> {
  const rows = await em
    .getConnection()
    .execute<AuditRow[]>(
      'select * from audit_events where id > ? order by id limit ?',
      [afterId, limit],
      'all',
      em.getTransactionContext(),
    );
  return rows.map(toEvent);
}

/**
 * Runs `work` in one database transaction (joining the caller's when there is one): a use case
 * makes its change and appends its audit event through the same `tx`, so both commit or neither.
 */
export async function withAudit<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.transactional(work);
}
