import { ApplicationFailure, log } from '@temporalio/activity';
import { InsufficientBalanceError } from '../domain/errors';
import { FailureType } from '../domain/failureTypes';
import { settlementOf } from '../domain/settlement';
import { SettlementDataError, type settlementStatements } from '../db/settlement';
import type { BoundToSessions } from '../db/orm';
import type { PaymentActivities, SettleResult } from './types';

export interface SettlementDeps {
  /** db/settlement.ts, bound to the worker's ORM (a fake in unit tests). */
  db: BoundToSessions<typeof settlementStatements>;
  /** The clock that stamps completions and recorded disagreements. */
  now?: () => Date;
}

/** Activities that move the fee and record the payment's outcome. All are idempotent. */
export function createSettlementActivities({
  db,
  now = () => new Date(),
}: SettlementDeps): Pick<PaymentActivities, 'reserveFee' | 'settlePayment' | 'markNeedsReview' | 'chargeLateFee'> {
  return {
    async reserveFee({ transactionId }) {
      try {
        return await db.reservePaymentFee(transactionId);
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
        const { settlement, capture } = await db.settleLocked(transactionId, (row) =>
          settlementOf(row, decision, now()),
        );
        if (settlement.conflicts.length > 0)
          log.warn('conflicting M-Pesa evidence recorded', { transactionId, conflicts: settlement.conflicts });
        if (settlement.status === 'needs_review' && settlement.reviewReason !== null)
          log.warn('payment needs review', {
            transactionId,
            reviewReason: settlement.reviewReason,
            callbackId: decision.evidence?.callbackId,
          });
        return {
          status: settlement.status,
          lateFeeDue: capture === 'released_earlier',
          changed: settlement.changed,
          conflicts: settlement.conflicts.length,
        };
      } catch (err) {
        // Retrying cannot fix data Postgres refuses: end the payment where ops see it instead.
        if (!(err instanceof SettlementDataError)) throw err;
        throw ApplicationFailure.create({
          type: FailureType.SettlementDataInvalid,
          message: `Recording the outcome failed on its data: ${err.message}`,
          nonRetryable: true,
        });
      }
    },

    async markNeedsReview({ transactionId, reason }) {
      // Only ImaraPay's own words are written here: whatever broke the settlement is not written again.
      await db.markPaymentNeedsReview(transactionId, reason);
      log.warn('payment needs review', { transactionId, reason });
    },

    async chargeLateFee({ transactionId }) {
      const { charged, fee } = await db.chargePaymentLateFee(transactionId);
      if (!charged) {
        throw ApplicationFailure.create({
          type: FailureType.LateFeeUncovered,
          message: `The service wallet cannot yet cover the KES ${fee} fee of late-confirmed payment ${transactionId}`,
        });
      }
    },
  };
}
