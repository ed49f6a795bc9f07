import { ApplicationFailure } from '@temporalio/activity';
import { LockMode } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { InsufficientBalanceError } from '../domain/errors';
import { FailureType } from '../domain/failureTypes';
import type { PaymentDecision, PaymentStage } from '../domain/payment';
import { TransactionSchema } from '../db/entities';
import { captureFee, chargeLateFee, creditTopUpPayment, releaseFee, reserveFee } from '../db/ledger';
import type { PaymentActivities, SettleResult } from './types';

export interface SettlementDeps {
  orm: MikroORM;
}

/** Activities that move the fee and record the payment's outcome. All are idempotent. */
export function createSettlementActivities({ orm }: SettlementDeps): Pick<PaymentActivities, 'reserveFee' | 'settlePayment' | 'chargeLateFee'> {
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
      return orm.em.fork().transactional(async (tem) => {
        // The row lock makes concurrent settlements of one payment take turns.
        const tx = await tem.findOneOrFail(TransactionSchema, transactionId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const ids = { merchantId: tx.merchant, transactionId };
        if (decision.status === 'completed') {
          const capture = await captureFee(tem, ids);
          // A top-up's money is the merchant's: credited once, in the same transaction that completes it.
          if (tx.purpose === 'wallet_top_up') {
            const receipt = decision.receipt ?? tx.mpesaReceipt;
            await creditTopUpPayment(tem, { ...ids, amount: tx.amount, reference: receipt ? `M-Pesa ${receipt}` : `Top-up ${transactionId}` });
          }
          const changed = tx.status !== 'completed';
          tem.assign(tx, {
            status: 'completed',
            stage: 'completed',
            mpesaReceipt: decision.receipt ?? tx.mpesaReceipt,
            resultCode: decision.resultCode,
            resultDesc: decision.resultDesc,
            decidedBy: decision.source,
            completedAt: tx.status === 'completed' ? tx.completedAt : new Date(),
          });
          return { status: 'completed', lateFeeDue: capture === 'released_earlier', changed };
        }
        // A confirmed success is never overwritten by a later failure (a query, a repeated callback).
        if (tx.status === 'completed') return { status: 'completed', lateFeeDue: false, changed: false };
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
        return { status: 'failed', lateFeeDue: false, changed };
      });
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

/** Keeps "refused" (wallet) and "push_rejected" (Daraja) visible; everything else ends as "failed". */
function finalFailedStage(current: PaymentStage, decision: PaymentDecision): PaymentStage {
  if (decision.source !== 'push_rejected') return 'failed';
  return current === 'created' ? 'refused' : 'push_rejected';
}
