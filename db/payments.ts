import type { EntityManager } from '@mikro-orm/postgresql';
import {
  DarajaCallbackSchema,
  TransactionSchema,
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
