import { UniqueConstraintViolationException, type RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  DarajaCallbackSchema,
  TransactionSchema,
  type CallbackDisposition,
  type DarajaCallback,
  type Transaction,
} from './entities';

/** A received callback's columns; the schema fills its id, receipt time and redrive counters. */
export type NewCallbackRow = Omit<
  RequiredEntityData<DarajaCallback>,
  'id' | 'receivedAt' | 'redriveAttempts' | 'lastRedriveAt'
>;

/** Stores a received Daraja callback and answers its row id. Throws when Postgres cannot store it. */
export async function storeCallback(em: EntityManager, row: NewCallbackRow): Promise<number> {
  const stored = em.create(DarajaCallbackSchema, row, { partial: true });
  await em.flush();
  return stored.id;
}

/**
 * Writes what became of a stored callback, and the payment it was matched to when `transactionId`
 * is not null (null leaves the stored match as it is).
 */
export async function markCallbackDisposition(
  em: EntityManager,
  id: number,
  disposition: CallbackDisposition,
  transactionId: number | null,
): Promise<void> {
  const transaction = transactionId === null ? {} : { transaction: transactionId };
  await em.nativeUpdate(DarajaCallbackSchema, { id }, { disposition, ...transaction });
}

/**
 * The payment a callback is for: the one its URL named (`transactionId`), else the one holding its
 * CheckoutRequestID; null when neither names a payment.
 */
export async function paymentForCallback(
  em: EntityManager,
  { transactionId, checkoutRequestId }: { transactionId: number | null; checkoutRequestId: string | null },
): Promise<Transaction | null> {
  if (transactionId !== null) return em.findOne(TransactionSchema, transactionId);
  if (checkoutRequestId) return em.findOne(TransactionSchema, { checkoutRequestId });
  return null;
}

/**
 * Gives a payment that has no CheckoutRequestID (its push answer timed out) the one its callback
 * names, with the MerchantRequestID, in one conditional write: the first callback to name one wins.
 * Returns the id the payment holds afterwards; an id another payment already holds is not taken.
 */
export async function adoptCheckoutRequestId(
  em: EntityManager,
  transactionId: number,
  ids: { checkoutRequestId: string; merchantRequestId: string | null },
): Promise<string | null> {
  const taken = await em.findOne(TransactionSchema, { checkoutRequestId: ids.checkoutRequestId }, { fields: ['id'] });
  if (!taken) {
    await em
      .nativeUpdate(
        TransactionSchema,
        { id: transactionId, checkoutRequestId: null },
        { checkoutRequestId: ids.checkoutRequestId, merchantRequestId: ids.merchantRequestId },
      )
      .catch((err: unknown) => {
        if (!(err instanceof UniqueConstraintViolationException)) throw err; // another payment took it meanwhile
      });
  }
  const [row] = await em
    .getConnection()
    .execute<{ checkout_request_id: string | null }[]>('select checkout_request_id from transactions where id = ?', [
      transactionId,
    ]);
  return row?.checkout_request_id ?? null;
}
