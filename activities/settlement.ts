import { ApplicationFailure, log } from '@temporalio/activity';
import { DriverException, LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { conflictsWith, reviewReasonFor, type EvidenceConflict } from '../domain/evidence';
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
 * overwritten by a failure; a success whose evidence is in doubt (the review rule's reason, an Amount
 * or items that break the rule, or a later success that disagrees with the recorded one) puts the
 * payment in review with its fee held; each disagreement is kept beside the first evidence, which is
 * never replaced.
 */
async function settle(tem: EntityManager, transactionId: number, decision: PaymentDecision): Promise<SettleResult> {
  // The row lock makes concurrent settlements of one payment take turns.
  const tx = await tem.findOneOrFail(TransactionSchema, transactionId, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const ids = { merchantId: tx.merchant, transactionId };
  if (decision.source === 'operator') return settleOperatorVerdict(tem, tx, decision);
  const evidence = decision.evidence;
  // The review rule (domain/evidence.ts) applied to what the payment recorded and what this decision
  // brings: the workflow names its reason; a closed payment's late evidence is checked here.
  const recorded = {
    receipt: tx.mpesaReceipt ?? (tx.status === 'completed' ? null : decision.receipt),
    amount: tx.mpesaAmount ?? (tx.status === 'completed' ? tx.amount : (evidence?.amount ?? null)),
  };
  const now = new Date();
  const conflicts = [
    ...(decision.status === 'completed' && (tx.status === 'completed' || tx.status === 'needs_review')
      ? conflictsWith(recorded, decision, now)
      : []),
    // The other successes the review rule found disagreeing, each kept beside the first evidence.
    ...(decision.disagreeing ?? []).flatMap((other) =>
      conflictsWith(recorded, { ...decision, receipt: other.receipt, evidence: other }, now),
    ),
  ].filter((c) => !tx.evidenceConflicts.some((known) => sameConflict(known, c)));
  if (conflicts.length > 0) {
    tem.assign(tx, { evidenceConflicts: [...tx.evidenceConflicts, ...conflicts] });
    log.warn('conflicting M-Pesa evidence recorded', { transactionId, conflicts });
  }
  const reviewReason =
    decision.reviewReason ??
    reviewReasonFor(decision, tx.amount) ??
    (conflicts.length > 0 ? conflicts.map(describeConflict).join('; ') : null);
  if (reviewReason !== null) {
    // Money is in doubt: the fee is held where it is (reserved, or captured when the payment had
    // completed before the evidence that disagrees arrived) until more evidence or an operator decides.
    const changed = tx.status !== 'needs_review';
    tem.assign(tx, {
      status: 'needs_review',
      stage: 'needs_review',
      reviewReason,
      mpesaReceipt: tx.mpesaReceipt ?? decision.receipt,
      ...(tx.status === 'completed' ? {} : mpesaFacts(decision)),
      ...(tx.status !== 'completed' && {
        resultCode: decision.resultCode,
        resultDesc: decision.resultDesc,
        decidedBy: decision.source,
      }),
    });
    log.warn('payment needs review', { transactionId, reviewReason, callbackId: evidence?.callbackId });
    return { status: 'needs_review', lateFeeDue: false, changed, conflicts: conflicts.length };
  }
  // Only M-Pesa's own record ends a review by evidence (domain/evidence.ts `recordSettlesDoubt`):
  // a further callback never does, since the one that raised the doubt is still held.
  const recordEndsReview = tx.status === 'needs_review' && decision.source === 'mpesa_record';
  if (
    decision.status === 'completed' &&
    (tx.status === 'completed' || (tx.status === 'needs_review' && !recordEndsReview))
  ) {
    // A query-decided success still takes the receipt and facts its callback brings later.
    if (tx.status === 'completed' && !tx.mpesaReceipt && decision.receipt)
      tem.assign(tx, { mpesaReceipt: decision.receipt, ...mpesaFacts(decision) });
    return { status: tx.status, lateFeeDue: false, changed: false, conflicts: 0 };
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

/**
 * Ends a review on an operator's verdict (approved by a second admin): completed with the operator's
 * receipt and the fee captured (charged again when it had been released), or failed with the fee
 * released. Only a payment in `needs_review` is changed; any other is answered as it stands, so a
 * verdict handed over twice, or after M-Pesa's evidence ended the review, settles nothing more. A fee
 * already captured is never released (a fee is captured once or released once): such a payment
 * stays in review (the API refuses to propose it).
 */
async function settleOperatorVerdict(
  tem: EntityManager,
  tx: Transaction,
  decision: PaymentDecision,
): Promise<SettleResult> {
  const unchanged = { status: tx.status as SettleResult['status'], lateFeeDue: false, changed: false, conflicts: 0 };
  if (tx.status !== 'needs_review') return unchanged;
  const ids = { merchantId: tx.merchant, transactionId: tx.id };
  const ended = { resultCode: decision.resultCode, resultDesc: decision.resultDesc, decidedBy: decision.source };
  if (decision.status === 'completed') {
    // This must be idempotent: the ledger keeps one capture per payment, and a released fee is charged again once.
    const capture = await captureFee(tem, ids);
    tem.assign(tx, {
      status: 'completed',
      stage: 'completed',
      mpesaReceipt: decision.receipt ?? tx.mpesaReceipt,
      // The operator confirmed M-Pesa took the pushed amount under this receipt: the webhook's Amount
      // must say so, not the Amount of the callback that raised the doubt (kept in daraja_callbacks).
      mpesaAmount: tx.amount,
      ...ended,
      completedAt: new Date(),
    });
    log.info('review ended by an operator', { transactionId: tx.id, status: 'completed' });
    return { status: 'completed', lateFeeDue: capture === 'released_earlier', changed: true, conflicts: 0 };
  }
  if ((await releaseFee(tem, ids)) === 'captured_earlier') {
    log.warn('operator failure refused: the fee was captured', { transactionId: tx.id });
    return unchanged;
  }
  tem.assign(tx, { status: 'failed', stage: 'failed', ...ended, completedAt: tx.completedAt ?? new Date() });
  log.info('review ended by an operator', { transactionId: tx.id, status: 'failed' });
  return { status: 'failed', lateFeeDue: false, changed: true, conflicts: 0 };
}

/** Whether two recorded disagreements are the same one (a verdict settled again records nothing new). */
function sameConflict(a: EvidenceConflict, b: EvidenceConflict): boolean {
  return a.kind === b.kind && a.callbackId === b.callbackId && a.received === b.received;
}

/** A recorded disagreement in words, as the review reason of a payment it puts in review. */
function describeConflict(c: EvidenceConflict): string {
  const by = c.callbackId === null ? 'later evidence' : `callback ${c.callbackId}`;
  if (c.kind === 'invalid') return `${by} broke Daraja's rules: ${c.received}`;
  return `${by} reports ${c.kind} ${c.received} where ${c.recorded} was recorded`;
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
