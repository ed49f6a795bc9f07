import { ApplicationFailure } from '@temporalio/common';
import { createSettlementActivities, type SettlementDeps } from '../../../activities/settlement';
import { SettlementDataError } from '../../../db/settlement';
import { InsufficientBalanceError } from '../../../domain/errors';
import { FailureType } from '../../../domain/failureTypes';
import type { PaymentDecision } from '../../../domain/payment';
import type { Settlement, SettlementRow } from '../../../domain/settlement';
import { runActivity } from '../../support/activityEnvironment';

/** An in-memory payment and its fee's ledger moves: what db/settlement.ts keeps in Postgres. */
function fakeSettlementDb(row: Partial<SettlementRow> = {}) {
  const payment: SettlementRow & { reviewReason?: string | null } = {
    id: 7,
    status: 'pending',
    stage: 'awaiting_callback',
    amount: 500,
    purpose: 'payment',
    mpesaReceipt: null,
    mpesaAmount: null,
    evidenceConflicts: [],
    completedAt: null,
    ...row,
  };
  const moves: string[] = [];
  const credits: Settlement['topUpCredit'][] = [];
  let feeReleasedEarlier = false;
  const db: SettlementDeps['db'] = {
    reservePaymentFee: async () => ({ balance: 90 }),
    settleLocked: async (_transactionId, decide) => {
      const settlement = decide({ ...payment });
      let capture: 'captured' | 'released_earlier' | null = null;
      if (settlement.fee === 'capture') capture = feeReleasedEarlier ? 'released_earlier' : 'captured';
      if (settlement.fee !== 'none') moves.push(settlement.fee);
      if (settlement.topUpCredit) credits.push(settlement.topUpCredit);
      Object.assign(payment, settlement.changes);
      return { settlement, capture };
    },
    markPaymentNeedsReview: async (_transactionId, reason) => {
      if (payment.status !== 'completed') Object.assign(payment, { status: 'needs_review', reviewReason: reason });
    },
    chargePaymentLateFee: async () => ({ charged: true, fee: 10 }),
  };
  return { db, payment, moves, credits, releaseEarlier: () => (feeReleasedEarlier = true) };
}

const success: PaymentDecision = {
  status: 'completed',
  resultCode: '0',
  resultDesc: 'The service request is processed successfully.',
  receipt: 'TJK4ABCD12',
  source: 'callback',
};
const failure: PaymentDecision = {
  status: 'failed',
  resultCode: '1032',
  resultDesc: 'Request cancelled by user',
  receipt: null,
  source: 'callback',
};

const now = new Date('2026-12-08T10:00:00Z');
const run = runActivity;
const failureOf = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
};

describe('Settlement activities, with a fake database', () => {
  it('When the wallet cannot cover the fee, then reserveFee fails InsufficientBalance, not retryable, with fee and balance', async () => {
    const { db } = fakeSettlementDb();
    const activities = createSettlementActivities({
      db: { ...db, reservePaymentFee: async () => Promise.reject(new InsufficientBalanceError(10, 3)) },
    });
    const failed = await failureOf(run(activities.reserveFee, { transactionId: 7 }));
    expect(failed).toMatchObject({ type: FailureType.InsufficientBalance, nonRetryable: true });
    expect(failed.details).toEqual([{ fee: 10, balance: 3 }]);
  });

  it('When a pending payment succeeds, then it completes with its receipt and its fee is captured once', async () => {
    const fake = fakeSettlementDb();
    const { settlePayment } = createSettlementActivities({ db: fake.db, now: () => now });
    const result = await run(settlePayment, { transactionId: 7, decision: success });
    expect(result).toEqual({ status: 'completed', lateFeeDue: false, changed: true, conflicts: 0 });
    expect(fake.payment).toMatchObject({ status: 'completed', mpesaReceipt: 'TJK4ABCD12', completedAt: now });
    const again = await run(settlePayment, { transactionId: 7, decision: success });
    expect(again).toEqual({ status: 'completed', lateFeeDue: false, changed: false, conflicts: 0 });
    expect(fake.moves).toEqual(['capture']);
  });

  it('When a success arrives after the fee was released, then the late fee is due', async () => {
    const fake = fakeSettlementDb({ status: 'failed', stage: 'failed' });
    fake.releaseEarlier();
    const { settlePayment } = createSettlementActivities({ db: fake.db, now: () => now });
    const result = await run(settlePayment, { transactionId: 7, decision: success });
    expect(result).toMatchObject({ status: 'completed', lateFeeDue: true });
  });

  it('When a failure follows a success, then the payment stays completed and the fee is not released', async () => {
    const fake = fakeSettlementDb({ status: 'completed', stage: 'completed', mpesaReceipt: 'TJK4ABCD12' });
    const { settlePayment } = createSettlementActivities({ db: fake.db, now: () => now });
    const result = await run(settlePayment, { transactionId: 7, decision: failure });
    expect(result).toEqual({ status: 'completed', lateFeeDue: false, changed: false, conflicts: 0 });
    expect(fake.moves).toEqual([]);
  });

  it('When a pending payment fails, then it fails with its code and the fee is released', async () => {
    const fake = fakeSettlementDb();
    const { settlePayment } = createSettlementActivities({ db: fake.db, now: () => now });
    const result = await run(settlePayment, { transactionId: 7, decision: failure });
    expect(result).toEqual({ status: 'failed', lateFeeDue: false, changed: true, conflicts: 0 });
    expect(fake.payment).toMatchObject({ status: 'failed', stage: 'failed', resultCode: '1032' });
    expect(fake.moves).toEqual(['release']);
  });

  it('When a later success names another receipt, then the payment goes to review, the conflict is kept and the fee held', async () => {
    const fake = fakeSettlementDb({ status: 'completed', stage: 'completed', mpesaReceipt: 'TJK4ABCD12' });
    const { settlePayment } = createSettlementActivities({ db: fake.db, now: () => now });
    const result = await run(settlePayment, { transactionId: 7, decision: { ...success, receipt: 'TJK4OTHER9' } });
    expect(result).toEqual({ status: 'needs_review', lateFeeDue: false, changed: true, conflicts: 1 });
    expect(fake.payment.evidenceConflicts).toEqual([
      expect.objectContaining({ recorded: 'TJK4ABCD12', received: 'TJK4OTHER9' }),
    ]);
    expect(fake.payment.mpesaReceipt).toBe('TJK4ABCD12');
    expect(fake.moves).toEqual([]);
  });

  it("When a wallet top-up completes, then its amount is credited once, referenced by M-Pesa's receipt", async () => {
    const fake = fakeSettlementDb({ purpose: 'wallet_top_up', amount: 1000 });
    const { settlePayment } = createSettlementActivities({ db: fake.db, now: () => now });
    await run(settlePayment, { transactionId: 7, decision: success });
    expect(fake.credits).toEqual([{ amount: 1000, reference: 'M-Pesa TJK4ABCD12' }]);
  });

  it('When Postgres refuses the data, then settlePayment fails SettlementDataInvalid, not retryable', async () => {
    const { db } = fakeSettlementDb();
    const { settlePayment } = createSettlementActivities({
      db: { ...db, settleLocked: async () => Promise.reject(new SettlementDataError('value too long')) },
    });
    const failed = await failureOf(run(settlePayment, { transactionId: 7, decision: success }));
    expect(failed).toMatchObject({ type: FailureType.SettlementDataInvalid, nonRetryable: true });
    expect(failed.message).toContain('value too long');
  });

  it('When any other error stops the settlement, then it is thrown as is, for Temporal to retry', async () => {
    const { db } = fakeSettlementDb();
    const down = new Error('connection terminated');
    const { settlePayment } = createSettlementActivities({ db: { ...db, settleLocked: () => Promise.reject(down) } });
    await expect(run(settlePayment, { transactionId: 7, decision: success })).rejects.toBe(down);
  });

  it('When the wallet cannot yet cover a late fee, then chargeLateFee fails LateFeeUncovered, retryable', async () => {
    const { db } = fakeSettlementDb();
    const { chargeLateFee } = createSettlementActivities({
      db: { ...db, chargePaymentLateFee: async () => ({ charged: false, fee: 10 }) },
    });
    const failed = await failureOf(run(chargeLateFee, { transactionId: 7 }));
    expect(failed).toMatchObject({ type: FailureType.LateFeeUncovered, nonRetryable: false });
  });
});
