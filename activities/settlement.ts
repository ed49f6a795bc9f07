import { ApplicationFailure, log } from '@temporalio/activity';
import { DriverException, LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { conflictsWith, reviewReasonFor } from '../domain/evidence';
import { InsufficientBalanceError } from '../domain/errors';
import { FailureType } from '../domain/failureTypes';
import type { PaymentDecision, PaymentStage } from '../domain/payment';
import { TransactionSchema, type Transaction } from '../db/entities';
import { captureFee, chargeLateFee, creditTopUpPayment, releaseFee, reserveFee } from '../db/ledger';
import type { PaymentActivities, SettleResult } from './types';

export interface SettlementDeps {
  orm: MikroORM;
}

/** Activities that move the fee and record the payment's outcome. All are idempotent. */
export function createSettlementActivities({
  orm,
}: SettlementDeps): Pick<PaymentActivities, 'reserveFee' | 'settlePayment' | 'markNeedsReview' | 'chargeLateFee'> {
  const loadTransaction = async (transactionId: number) => {
    const em = orm.em.fork();
    return { em, tx: await em.findOneOrFail(TransactionSchema, transactionId) };
  };

  return {
    async reserveFee({ transactionId }) {
      const { em, tx } = await loadTransaction(transactionId);
      try {
        const balance = await reserveFee(em, { merchantId: tx.merchant, transactionId, fee: tx.fee });
        await em.nativeUpdate(TransactionSchema, { id: transactionId, stage: 'created' }, { stage: 'reserving_fee' });
        return { balance };
      } catch (err) {
        if (!(err instanceof InsufficientBalanceError)) throw err;
        throw ApplicationFailure.create({
          type: FailureType.InsufficientBalance,
          message: err.message,
          nonRetryable: true,
          details: [{ fee: err.fee, balance: err.balance }],
        });
      }
    },

    async settlePayment({ transactionId, decision }): Promise<SettleResult> {
      try {
        return await orm.em.fork().transactional((tem) => settle(tem, transactionId, decision));
      } catch (err) {
        // Retrying cannot fix data Postgres refuses: end the payment where ops see it instead.
        if (!isDataError(err)) throw err;
        throw ApplicationFailure.create({
          type: FailureType.SettlementDataInvalid,
          message: `Recording the outcome failed on its data: ${(err as Error).message}`,
          nonRetryable: true,
        });
      }
    },

    async markNeedsReview({ transactionId, reason }) {
      // Only ImaraPay's own words are written here: whatever broke the settlement is not written again.
      await orm.em
        .fork()
        .nativeUpdate(
          TransactionSchema,
          { id: transactionId, status: { $ne: 'completed' } },
          { status: 'needs_review', stage: 'needs_review', reviewReason: reason },
        );
      log.warn('payment needs review', { transactionId, reason });
    },

    async chargeLateFee({ transactionId }) {
      const { em, tx } = await loadTransaction(transactionId);
      const charged = await chargeLateFee(em, { merchantId: tx.merchant, transactionId, fee: tx.fee });
      if (!charged) {
        throw ApplicationFailure.create({
          type: FailureType.LateFeeUncovered,
          message: `The service wallet cannot yet cover the KES ${tx.fee} fee of late-confirmed payment ${transactionId}`,
        });
      }
    },
  };
}

/**
 * Records one decision on a locked payment row and moves its fee once. A confirmed success is never
 * overwritten; a success whose evidence is in doubt goes to review with its fee still reserved; a
 * later success that disagrees with the recorded one is kept beside it as a conflict, never applied.
 */
async function settle(tem: EntityManager, transactionId: number, decision: PaymentDecision): Promise<SettleResult> {
  // The row lock makes concurrent settlements of one payment take turns.
  const tx = await tem.findOneOrFail(TransactionSchema, transactionId, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const ids = { merchantId: tx.merchant, transactionId };
  const evidence = decision.evidence;
  if (decision.status === 'completed' && (tx.status === 'completed' || tx.status === 'needs_review')) {
    const conflicts = conflictsWith(
      { receipt: tx.mpesaReceipt, amount: tx.mpesaAmount ?? (tx.status === 'completed' ? tx.amount : null) },
      decision,
      new Date(),
    );
    if (conflicts.length > 0) {
      tem.assign(tx, { evidenceConflicts: [...tx.evidenceConflicts, ...conflicts] });
      log.warn('conflicting M-Pesa evidence recorded; the first is kept', { transactionId, conflicts });
    }
    // A query-decided success still takes the receipt and facts its callback brings later.
    if (tx.status === 'completed' && !tx.mpesaReceipt && decision.receipt)
      tem.assign(tx, { mpesaReceipt: decision.receipt, ...mpesaFacts(decision) });
    return { status: tx.status, lateFeeDue: false, changed: false, conflicts: conflicts.length };
  }
  const reviewReason = reviewReasonFor(decision, tx.amount);
  if (reviewReason !== null) {
    // Money is in doubt: the fee is neither captured nor released until an operator decides.
    const changed = tx.status !== 'needs_review';
    tem.assign(tx, {
      status: 'needs_review',
      stage: 'needs_review',
      reviewReason,
      mpesaReceipt: decision.receipt ?? tx.mpesaReceipt,
      ...mpesaFacts(decision),
      resultCode: decision.resultCode,
      resultDesc: decision.resultDesc,
      decidedBy: decision.source,
    });
    log.warn('payment needs review', { transactionId, reviewReason, callbackId: evidence?.callbackId });
    return { status: 'needs_review', lateFeeDue: false, changed, conflicts: 0 };
  }
  if (decision.status === 'completed') {
    const capture = await captureFee(tem, ids);
    // A top-up's money is the merchant's: credited once, in the same transaction that completes it.
    if (tx.purpose === 'wallet_top_up') {
      const receipt = decision.receipt ?? tx.mpesaReceipt;
      await creditTopUpPayment(tem, {
        ...ids,
        amount: tx.amount,
        reference: receipt ? `M-Pesa ${receipt}` : `Top-up ${transactionId}`,
      });
    }
    tem.assign(tx, {
      status: 'completed',
      stage: 'completed',
      mpesaReceipt: decision.receipt ?? tx.mpesaReceipt,
      ...mpesaFacts(decision),
      resultCode: decision.resultCode,
      resultDesc: decision.resultDesc,
      decidedBy: decision.source,
      completedAt: new Date(),
    });
    return { status: 'completed', lateFeeDue: capture === 'released_earlier', changed: true, conflicts: 0 };
  }
  // A confirmed success (or one under review) is never overwritten by a later failure (a query, a repeated callback).
  if (tx.status === 'completed' || tx.status === 'needs_review')
    return { status: tx.status, lateFeeDue: false, changed: false, conflicts: 0 };
  await releaseFee(tem, ids);
  const changed = tx.status !== 'failed';
  tem.assign(tx, {
    status: 'failed',
    stage: finalFailedStage(tx.stage, decision),
    resultCode: decision.resultCode,
    resultDesc: decision.resultDesc,
    decidedBy: decision.source,
    completedAt: tx.completedAt ?? new Date(),
  });
  return { status: 'failed', lateFeeDue: false, changed, conflicts: 0 };
}

/** M-Pesa's own Amount, PhoneNumber and TransactionDate from the deciding callback, when it said them. */
function mpesaFacts(
  decision: PaymentDecision,
): Partial<Pick<Transaction, 'mpesaAmount' | 'mpesaPhoneNumber' | 'mpesaTransactionDate'>> {
  const evidence = decision.evidence;
  if (!evidence) return {};
  return {
    ...(evidence.amount !== null && { mpesaAmount: evidence.amount }),
    ...(evidence.phoneNumber !== null && { mpesaPhoneNumber: evidence.phoneNumber }),
    ...(evidence.transactionDate !== null && { mpesaTransactionDate: evidence.transactionDate }),
  };
}

/** Postgres's class 22 (data exception: a value too long, out of range, badly encoded): retrying gives the same answer. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof DriverException && typeof code === 'string' && code.startsWith('22');
}

/** Keeps "refused" (wallet) and "push_rejected" (Daraja) visible; everything else ends as "failed". */
function finalFailedStage(current: PaymentStage, decision: PaymentDecision): PaymentStage {
  if (decision.source !== 'push_rejected') return 'failed';
  return current === 'created' ? 'refused' : 'push_rejected';
}
