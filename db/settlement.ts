import { DriverException, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Settlement, SettlementRow } from '../domain/settlement';
import { TransactionSchema } from './entities';
import { captureFee, chargeLateFee, creditTopUpPayment, releaseFee, reserveFee, type CaptureResult } from './ledger';

/**
 * Postgres refused a settlement's data (class 22, data exception: a value too long, out of range,
 * badly encoded): retrying gives the same answer. `message` is Postgres's own.
 */
export class SettlementDataError extends Error {
  override readonly name = 'SettlementDataError';
}

/**
 * Reserves the payment's fee in its merchant's wallet (idempotent: a repeat finds the reservation)
 * and moves a `created` payment to `reserving_fee`. Answers the balance after it, in KES; throws
 * InsufficientBalanceError (changing nothing) when the wallet cannot cover the fee.
 */
export async function reservePaymentFee(em: EntityManager, transactionId: number): Promise<{ balance: number }> {
  const tx = await em.findOneOrFail(TransactionSchema, transactionId);
  const balance = await reserveFee(em, { merchantId: tx.merchant, transactionId, fee: tx.fee });
  await em.nativeUpdate(TransactionSchema, { id: transactionId, stage: 'created' }, { stage: 'reserving_fee' });
  return { balance };
}

/**
 * Settles one payment in one transaction: locks its row (concurrent settlements of one payment take
 * turns), asks `decide` (domain/settlement.ts `settlementOf`) what the decision does to it as recorded,
 * moves the fee once (capture or release, idempotent by the ledger's references), credits a top-up,
 * and writes the changes. Answers the settlement and, when the fee was captured, how
 * (`released_earlier`: a late success must charge it again). Throws SettlementDataError when Postgres
 * refuses the data; the transaction then changes nothing.
 */
export async function settleLocked(
  em: EntityManager,
  transactionId: number,
  decide: (row: SettlementRow) => Settlement,
): Promise<{ settlement: Settlement; capture: CaptureResult | null }> {
  try {
    return await em.transactional(async (tem) => {
      const tx = await tem.findOneOrFail(TransactionSchema, transactionId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const settlement = decide(tx);
      const ids = { merchantId: tx.merchant, transactionId };
      let capture: CaptureResult | null = null;
      if (settlement.fee === 'capture') capture = await captureFee(tem, ids);
      if (settlement.topUpCredit) await creditTopUpPayment(tem, { ...ids, ...settlement.topUpCredit });
      if (settlement.fee === 'release') await releaseFee(tem, ids);
      if (Object.keys(settlement.changes).length > 0) tem.assign(tx, settlement.changes);
      return { settlement, capture };
    });
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (err instanceof DriverException && typeof code === 'string' && code.startsWith('22'))
      throw new SettlementDataError(err.message, { cause: err });
    throw err;
  }
}

/**
 * Ends a payment whose settlement failed on its data in `needs_review` with `reason` (never a
 * completed one); the fee is not touched.
 */
export async function markPaymentNeedsReview(em: EntityManager, transactionId: number, reason: string): Promise<void> {
  await em.nativeUpdate(
    TransactionSchema,
    { id: transactionId, status: { $ne: 'completed' } },
    { status: 'needs_review', stage: 'needs_review', reviewReason: reason },
  );
}

/**
 * Charges the fee of a late-confirmed payment whose fee had been released (idempotent). `charged`
 * is false, changing nothing, while the wallet cannot cover `fee` (KES).
 */
export async function chargePaymentLateFee(
  em: EntityManager,
  transactionId: number,
): Promise<{ charged: boolean; fee: number }> {
  const tx = await em.findOneOrFail(TransactionSchema, transactionId);
  const charged = await chargeLateFee(em, { merchantId: tx.merchant, transactionId, fee: tx.fee });
  return { charged, fee: tx.fee };
}

/** The settlement's statements, for bindToSessions (db/orm.ts). */
export const settlementStatements = { reservePaymentFee, settleLocked, markPaymentNeedsReview, chargePaymentLateFee };
