import { UniqueConstraintViolationException, type RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  DarajaCallbackSchema,
  TransactionSchema,
  WalletSchema,
  type DarajaCallback,
  type Environment,
  type Transaction,
} from './entities';
import { keysetAfterId, keysetPage } from './keyset';

/** Whose payments a read may see: one merchant, one environment. */
export interface PaymentScope {
  merchantId: number;
  environment: Environment;
}

const scoped = (scope: PaymentScope) => ({
  merchant: scope.merchantId,
  environment: scope.environment,
  purpose: 'payment' as const,
});

/** The merchant's payment or top-up with this `trxn_…` id, in this environment, or null. */
export async function transactionByPublicId(
  em: EntityManager,
  scope: PaymentScope,
  publicId: string,
): Promise<Transaction | null> {
  return em.findOne(TransactionSchema, { merchant: scope.merchantId, environment: scope.environment, publicId });
}

/** The customer payment (not a top-up) with this `trxn_…` id, in this scope, or null. */
export async function paymentByPublicId(
  em: EntityManager,
  scope: PaymentScope,
  publicId: string,
): Promise<Transaction | null> {
  return em.findOne(TransactionSchema, { ...scoped(scope), publicId });
}

/** The transaction as committed now, read past the request's identity map. */
export async function freshTransaction(em: EntityManager, id: number): Promise<Transaction> {
  return em.fork().findOneOrFail(TransactionSchema, id);
}

/** A page of customer payments, newest first, after the row id `afterId`. */
export async function paymentsPage(
  em: EntityManager,
  scope: PaymentScope,
  { afterId, limit }: { afterId?: number; limit: number },
): Promise<{ payments: Transaction[]; hasMore: boolean }> {
  const rows = await em.find(
    TransactionSchema,
    { ...scoped(scope), ...keysetAfterId('desc', afterId) },
    { orderBy: { id: 'desc' }, limit: limit + 1 },
  );
  const { page, last } = keysetPage(rows, limit);
  return { payments: page, hasMore: last !== undefined };
}

/** The newest `limit` payments in `needs_review` or with conflicting M-Pesa evidence, newest first. */
export async function paymentsInDoubt(em: EntityManager, limit: number): Promise<Transaction[]> {
  const ids = await em.getConnection().execute<{ id: number }[]>(
    `select id from transactions where status = 'needs_review' or evidence_conflicts <> '[]'::jsonb
        order by id desc limit ?`,
    [limit],
  );
  if (ids.length === 0) return [];
  return em.find(TransactionSchema, { id: { $in: ids.map((r) => r.id) } }, { orderBy: { id: 'desc' } });
}

/** Every stored raw Daraja callback of these transactions, oldest first. */
export async function callbacksOf(em: EntityManager, transactionIds: number[]): Promise<DarajaCallback[]> {
  if (transactionIds.length === 0) return [];
  return em.find(DarajaCallbackSchema, { transaction: { $in: transactionIds } }, { orderBy: { id: 'asc' } });
}

/** Where an Idempotency-Key is unique: one merchant, one environment. */
export interface IdempotencyScope {
  merchant: number;
  environment: Environment;
  idempotencyKey: string;
}

/** The payment recorded under this Idempotency-Key, or null. */
export async function paymentByIdempotencyKey(em: EntityManager, key: IdempotencyScope): Promise<Transaction | null> {
  return em.findOne(TransactionSchema, {
    merchant: key.merchant,
    environment: key.environment,
    idempotencyKey: key.idempotencyKey,
  });
}

/**
 * A new payment's columns; the schema's defaults fill the rest: creation times, no evidence
 * conflicts, and purpose `payment` unless given.
 */
export type NewPaymentRow = Omit<
  RequiredEntityData<Transaction>,
  'evidenceConflicts' | 'createdAt' | 'updatedAt' | 'purpose'
> &
  Partial<Pick<Transaction, 'purpose'>>;

/**
 * Inserts a payment whose row `rowFor(id)` builds from its id, drawn from the sequence first (the
 * workflow ID is derived from it). When another payment took its Idempotency-Key meanwhile (two
 * requests raced) answers that one, the winner, with `inserted: false`; with no key to find it by,
 * the unique violation is thrown.
 */
export async function insertPayment(
  em: EntityManager,
  rowFor: (id: number) => NewPaymentRow,
): Promise<{ payment: Transaction; inserted: boolean }> {
  // On the EntityManager, not a pooled connection: inside a transaction it must use the transaction's own.
  const [{ id }] = await em.execute<{ id: number }[]>(`select nextval('transactions_id_seq')::int as id`);
  const row = rowFor(id);
  const payment = em.create(TransactionSchema, row, { partial: true });
  try {
    await em.flush();
    return { payment, inserted: true };
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    em.clear();
    const { merchant, environment, idempotencyKey } = row;
    const winner = idempotencyKey
      ? await paymentByIdempotencyKey(em, { merchant: merchant as number, environment, idempotencyKey })
      : null;
    if (!winner) throw err;
    return { payment: winner, inserted: false };
  }
}

/** The payment as committed now (read past the request's identity map) and its merchant's wallet balance (KES). */
export async function paymentWithBalance(
  em: EntityManager,
  transactionId: number,
): Promise<{ payment: Transaction; balance: number }> {
  const fresh = em.fork();
  const payment = await fresh.findOneOrFail(TransactionSchema, transactionId);
  const wallet = await fresh.findOne(WalletSchema, { merchant: payment.merchant });
  return { payment, balance: wallet?.balance ?? 0 };
}
