import { ApplicationFailure } from '@temporalio/common';
import { workerDatabase } from '../../db/workerDatabase';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSettlementActivities } from '../../activities/settlement';
import { FailureType } from '../../domain/failureTypes';
import type { PaymentDecision } from '../../domain/payment';
import { TransactionSchema } from '../../db/entities';
import { walletSnapshot } from '../../db/ledger';
import { recordTransaction } from '../../payments/paymentStart';
import { createMerchantFixture, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

/**
 * The parser bounds every value from outside, so this is the backstop behind it: a decision whose
 * data Postgres refuses must end the retries at once and leave the payment where ops see it.
 */
describe('A settlement that fails on its data', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ withoutWorker: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When Postgres refuses the decision (a receipt longer than its column), then settlePayment fails non-retryably and markNeedsReview ends the payment in review with its fee reserved', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const tx = await recordTransaction(stack.orm.em.fork(), {
      merchant: merchant.merchantId,
      channel: merchant.channelId,
      apiKey: null,
      environment: 'sandbox',
      phoneNumber: '254712345678',
      amount: 500,
      fee: 6,
      externalReference: null,
      description: 'Test',
      accountReference: 'Test',
      idempotencyKey: null,
      requestHash: null,
    });
    const activities = createSettlementActivities({ db: workerDatabase(stack.orm).settlement });
    const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
      new MockActivityEnvironment().run(fn, ...args);
    await run(activities.reserveFee, { transactionId: tx.id });
    const decision: PaymentDecision = {
      status: 'completed',
      resultCode: '0',
      resultDesc: 'ok',
      receipt: 'R'.repeat(40),
      source: 'callback',
    };

    const failure = await run(activities.settlePayment, { transactionId: tx.id, decision }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: FailureType.SettlementDataInvalid, nonRetryable: true });

    await run(activities.markNeedsReview, { transactionId: tx.id, reason: (failure as Error).message });
    const row = await stack.orm.em.fork().findOneOrFail(TransactionSchema, tx.id);
    expect(row).toMatchObject({
      status: 'needs_review',
      stage: 'needs_review',
      mpesaReceipt: null,
      reviewReason: expect.stringContaining('failed on its data'),
    });
    const kinds = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ kind: string }[]>('select kind from wallet_ledger where transaction_id = ?', [tx.id]);
    expect(kinds.map((k) => k.kind)).toEqual(['fee_reserve']);
    expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({ balance: 94, ledgerSum: 94 });
  });
});
