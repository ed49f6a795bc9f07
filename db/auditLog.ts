import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AUDIT_GENESIS_HASH,
  auditEventHash,
  type AuditActorType,
  type AuditEvent,
  type AuditEventInput,
} from '../domain/audit';

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
    return toEvent(row!);
  };
  return em.getTransactionContext() ? append(em) : em.transactional(append);
}

/** Up to `limit` events after `afterId`, in chain (id) order: the check reads the whole log page by page. */
export async function auditEventsAfter(em: EntityManager, afterId: number, limit: number): Promise<AuditEvent[]> {
  const rows = await em
    .getConnection()
    .execute<AuditRow[]>('select * from audit_events where id > ? order by id limit ?', [afterId, limit]);
  return rows.map(toEvent);
}
