import { EntitySchema } from '@mikro-orm/core';
import type { ReversalDecidedBy, ReversalState } from '../../domain/reversal';
import type { Environment } from './merchant';

/** One reversal of one payment (at most one per payment), driven by the workflow `payment-<id>-reversal`. */
export interface Reversal {
  id: number;
  transaction: number;
  merchant: number;
  channel: number;
  environment: Environment;
  /** Whole KES: the payment's full amount. */
  amount: number;
  /** The payment's M-Pesa receipt (Daraja's TransactionID). */
  receipt: string;
  state: ReversalState;
  /** The key the first request carried; a retry with it answers this reversal. */
  idempotencyKey: string | null;
  /** Who asked: the API key's username or the dashboard user's e-mail. */
  requestedBy: string | null;
  remarks: string;
  originatorConversationId: string | null;
  conversationId: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  /** The reversal's own M-Pesa transaction id. */
  reversalReceipt: string | null;
  decidedBy: ReversalDecidedBy | null;
  workflowId: string;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export const ReversalSchema = new EntitySchema<Reversal>({
  name: 'Reversal',
  tableName: 'reversals',
  indexes: [{ properties: ['merchant', 'createdAt'] }, { properties: ['createdAt', 'id'] }],
  checks: [{ name: 'reversals_amount_positive', expression: 'amount > 0' }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    transaction: { kind: 'm:1', entity: 'Transaction', mapToPk: true, unique: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true },
    channel: { kind: 'm:1', entity: 'Channel', mapToPk: true },
    environment: { type: 'string', length: 20 },
    amount: { type: 'integer' },
    receipt: { type: 'string', length: 20 },
    state: { type: 'string', length: 20, default: 'requested' },
    idempotencyKey: { type: 'string', length: 255, nullable: true },
    requestedBy: { type: 'string', length: 255, nullable: true },
    remarks: { type: 'string', length: 100 },
    originatorConversationId: { type: 'string', length: 100, nullable: true },
    conversationId: { type: 'string', length: 100, nullable: true },
    resultCode: { type: 'text', nullable: true },
    resultDesc: { type: 'text', nullable: true },
    reversalReceipt: { type: 'string', length: 20, nullable: true },
    decidedBy: { type: 'string', length: 20, nullable: true },
    workflowId: { type: 'string', length: 100, unique: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date(), onUpdate: () => new Date() },
    completedAt: { type: 'datetime', nullable: true },
  },
});

/**
 * What became of a body M-Pesa posted about a reversal:
 * - outcome: it decided the reversal (or would have, had it not been decided already: see `repeat`);
 * - repeat: the reversal had its outcome already; kept, decides nothing;
 * - unknown: readable, says nothing final (queue timeout, "does not exist" yet, a refused question);
 * - malformed: not the documented shape.
 */
export type ReversalResultDisposition = 'outcome' | 'repeat' | 'unknown' | 'malformed';

/** Where the body came: the reversal's ResultURL, its QueueTimeOutURL, or a Transaction Status answer about it. */
export type ReversalResultKind = 'result' | 'timeout' | 'status' | 'status_timeout';

/** One body M-Pesa posted about a reversal, stored raw before anything else is done with it. */
export interface ReversalResultRow {
  id: number;
  reversal: number;
  kind: ReversalResultKind;
  disposition: ReversalResultDisposition;
  resultCode: string | null;
  description: string;
  raw: string;
  receivedAt: Date;
}

export const ReversalResultSchema = new EntitySchema<ReversalResultRow>({
  name: 'ReversalResult',
  tableName: 'reversal_results',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    reversal: { kind: 'm:1', entity: 'Reversal', mapToPk: true, index: true },
    kind: { type: 'string', length: 20 },
    disposition: { type: 'string', length: 20 },
    resultCode: { type: 'text', nullable: true },
    description: { type: 'text', default: '' },
    raw: { type: 'text' },
    receivedAt: { type: 'datetime', defaultRaw: 'now()' },
  },
});
