import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChannelType } from '../domain/payment';
import {
  ChannelSchema,
  StkStatusQuerySchema,
  TransactionSchema,
  type StkStatusQuery,
  type Transaction,
} from './entities';

/** What sendStkPush and queryStkStatus read of a payment: its row, as committed. */
export async function paymentToPush(em: EntityManager, transactionId: number): Promise<Transaction> {
  return em.findOneOrFail(TransactionSchema, transactionId);
}

/**
 * Where a payment's money goes: its channel's till, paybill or bank paybill, or for a wallet top-up,
 * which has no channel, the platform paybill recorded on the payment (the transactions_push_target
 * check guarantees its party_b).
 */
export async function pushTarget(em: EntityManager, tx: Transaction): Promise<{ type: ChannelType; partyB: string }> {
  if (tx.purpose === 'wallet_top_up') return { type: 'paybill', partyB: tx.partyB! };
  const channel = await em.findOneOrFail(ChannelSchema, tx.channel!);
  return { type: channel.accountType, partyB: channel.partyB };
}

/**
 * Moves a payment's push from `from` to `to` (with `fields`), only if it is still in `from`: the
 * push's claims and outcomes (`none` → `sending` claims it; `sending` → `accepted`, `unconfirmed`;
 * `none` → `rejected` past the deadline). Answers whether the row moved.
 */
export async function movePush(
  em: EntityManager,
  transactionId: number,
  from: Transaction['pushState'] | null,
  to: Pick<Transaction, 'pushState'> &
    Partial<Pick<Transaction, 'stage' | 'resultDesc' | 'checkoutRequestId' | 'merchantRequestId'>>,
): Promise<boolean> {
  const where = from === null ? { id: transactionId } : { id: transactionId, pushState: from };
  return (await em.nativeUpdate(TransactionSchema, where, to)) > 0;
}

/** Marks a payment waiting for its callback as being queried (`awaiting_callback` → `querying`). */
export async function markQuerying(em: EntityManager, transactionId: number): Promise<void> {
  await em.nativeUpdate(TransactionSchema, { id: transactionId, stage: 'awaiting_callback' }, { stage: 'querying' });
}

/** Keeps one STK query and what it learned, for the payment's timeline. */
export async function recordStkQuery(
  em: EntityManager,
  transactionId: number,
  fields: Pick<StkStatusQuery, 'state' | 'resultCode' | 'resultDesc' | 'error'>,
): Promise<void> {
  await em.insert(StkStatusQuerySchema, { transaction: transactionId, askedAt: new Date(), ...fields });
}

/** The push activities' statements, for bindToSessions (db/orm.ts). */
export const pushStatements = { paymentToPush, pushTarget, movePush, markQuerying, recordStkQuery };
