import { EntitySchema } from '@mikro-orm/core';
import type { AuditActorType } from '../../domain/audit';

/** One row of the append-only, hash-chained audit log (domain/audit.ts says how the chain is built). */
export interface AuditEventRow {
  id: number;
  occurredAt: Date;
  actorType: AuditActorType;
  actorId: number | null;
  actorLabel: string | null;
  merchantId: number | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export const AuditEventSchema = new EntitySchema<AuditEventRow>({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    occurredAt: { type: 'datetime', index: true },
    actorType: { type: 'string', length: 16 },
    actorId: { type: 'integer', nullable: true },
    actorLabel: { type: 'string', length: 255, nullable: true },
    merchantId: { type: 'integer', nullable: true, index: true },
    action: { type: 'string', length: 64, index: true },
    subjectType: { type: 'string', length: 32, nullable: true },
    subjectId: { type: 'string', length: 64, nullable: true },
    ip: { type: 'string', length: 64, nullable: true },
    details: { type: 'json', defaultRaw: `'{}'` },
    prevHash: { type: 'string', length: 64 },
    hash: { type: 'string', length: 64, unique: true },
  },
});

/**
 * The audit chain's head (one row, id 1): the last event's id and hash and the number of events.
 * Moved with every append, it lets the check notice events deleted from the end of the log.
 */
export interface AuditChainHeadRow {
  id: number;
  lastId: number;
  lastHash: string;
  eventCount: number;
}

export const AuditChainHeadSchema = new EntitySchema<AuditChainHeadRow>({
  name: 'AuditChainHead',
  tableName: 'audit_chain_head',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: false },
    lastId: { type: 'integer' },
    lastHash: { type: 'string', length: 64 },
    eventCount: { type: 'integer' },
  },
});
