import { EntitySchema } from '@mikro-orm/core';
import type { MpesaRecordSource } from '../../domain/mpesaRecord';

/** A channel's Daraja initiator (Transaction Status, Reversal): its name and its password, sealed (domain/secretBox.ts). */
export interface ChannelInitiator {
  channelId: number;
  initiatorName: string;
  passwordSealed: string;
  updatedAt: Date;
}

export const ChannelInitiatorSchema = new EntitySchema<ChannelInitiator>({
  name: 'ChannelInitiator',
  tableName: 'channel_initiators',
  properties: {
    channelId: { type: 'integer', primary: true, autoincrement: false },
    initiatorName: { type: 'string', length: 100 },
    passwordSealed: { type: 'text' },
    updatedAt: { type: 'datetime', defaultRaw: 'now()' },
  },
});

/**
 * - asked: Daraja acknowledged; the result is awaited on the ResultURL;
 * - answered: a result came; queue_timeout: M-Pesa's queue gave up;
 * - error: Daraja could not be asked or refused the request (`detail` says why).
 */
export type MpesaRecordRequestState = 'asked' | 'answered' | 'queue_timeout' | 'error';

/** One question ImaraPay asked M-Pesa about a payment (or a channel, for Pull Transactions). */
export interface MpesaRecordRequest {
  id: number;
  transaction: number | null;
  channel: number;
  source: MpesaRecordSource;
  originatorConversationId: string | null;
  conversationId: string | null;
  state: MpesaRecordRequestState;
  detail: string | null;
  askedAt: Date;
  answeredAt: Date | null;
}

export const MpesaRecordRequestSchema = new EntitySchema<MpesaRecordRequest>({
  name: 'MpesaRecordRequest',
  tableName: 'mpesa_record_requests',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    transaction: {
      kind: 'm:1',
      entity: 'Transaction',
      mapToPk: true,
      nullable: true,
      index: true,
      deleteRule: 'set null',
    },
    channel: { kind: 'm:1', entity: 'Channel', mapToPk: true },
    source: { type: 'string', length: 20 },
    originatorConversationId: { type: 'string', length: 100, nullable: true, unique: true },
    conversationId: { type: 'string', length: 100, nullable: true },
    state: { type: 'string', length: 20 },
    detail: { type: 'text', nullable: true },
    askedAt: { type: 'datetime', defaultRaw: 'now()' },
    answeredAt: { type: 'datetime', nullable: true },
  },
});

/**
 * What became of an answer from M-Pesa:
 * - evidence: readable and about a payment (handed to it as MpesaRecordEvidence);
 * - malformed: not the documented shape: kept, shown, decides nothing;
 * - refused: the question failed (wrong initiator 2001, credential locked 8006…): says nothing about the payment;
 * - queue_timeout: M-Pesa's queue timed the question out;
 * - unmatched: readable, but no question of ours is waiting for it.
 */
export type MpesaRecordDisposition = 'evidence' | 'malformed' | 'refused' | 'queue_timeout' | 'unmatched';

/** One answer from M-Pesa about its own record, stored raw before anything else is done with it. */
export interface MpesaRecordRow {
  id: number;
  transaction: number | null;
  request: number | null;
  source: MpesaRecordSource;
  disposition: MpesaRecordDisposition;
  outcome: 'completed' | 'failed' | 'not_found' | null;
  receipt: string | null;
  amount: number | null;
  payer: string | null;
  completedAt: Date | null;
  description: string;
  raw: string;
  receivedAt: Date;
  deliveredAt: Date | null;
  /** How the evidence reached the payment: `signalled` (running workflow) or `late_workflow` (closed one). */
  delivery: 'signalled' | 'late_workflow' | null;
}

export const MpesaRecordSchema = new EntitySchema<MpesaRecordRow>({
  name: 'MpesaRecord',
  tableName: 'mpesa_records',
  // One row per payment, source and receipt: the same credit pulled twice is stored once.
  uniques: [{ properties: ['transaction', 'source', 'receipt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    transaction: {
      kind: 'm:1',
      entity: 'Transaction',
      mapToPk: true,
      nullable: true,
      index: true,
      deleteRule: 'set null',
    },
    request: { kind: 'm:1', entity: 'MpesaRecordRequest', mapToPk: true, nullable: true, deleteRule: 'set null' },
    source: { type: 'string', length: 20 },
    disposition: { type: 'string', length: 20 },
    outcome: { type: 'string', length: 20, nullable: true },
    receipt: { type: 'string', length: 20, nullable: true },
    amount: { type: 'integer', nullable: true },
    payer: { type: 'string', length: 255, nullable: true },
    completedAt: { type: 'datetime', nullable: true },
    description: { type: 'text', default: '' },
    raw: { type: 'text' },
    receivedAt: { type: 'datetime', defaultRaw: 'now()' },
    deliveredAt: { type: 'datetime', nullable: true },
    delivery: { type: 'string', length: 20, nullable: true },
  },
});
