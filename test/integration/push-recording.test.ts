import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { createDarajaActivities } from '../../activities/darajaCalls';
import { workerDatabase } from '../../db/workerDatabase';
import { darajaCallbackUrl } from '../../config/callbackUrl';
import { darajaCredentials } from '../../config/config';
import { createDarajaClient } from '../../daraja/client';
import { TransactionSchema } from '../../db/entities';
import { recordTransaction } from '../../payments/paymentStart';
import { createMerchantFixture, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

/**
 * sendStkPush runs as a local activity, whose result reaches the workflow's history only when the
 * workflow task completes. A worker that dies in between runs the activity again: it must find the
 * accepted push in Postgres and answer with the same CheckoutRequestID, without a second prompt.
 */
describe('Recording an accepted push', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ withoutWorker: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When sendStkPush runs again after Daraja accepted the push, then it answers with the same ids and nothing is pushed twice', async () => {
    const merchant = await createMerchantFixture(stack);
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
    const daraja = createDarajaClient({
      credentials: darajaCredentials(stack.config, 'sandbox')!,
      timeoutMs: 5000,
      logger: pino({ level: 'silent' }),
    });
    const { sendStkPush } = createDarajaActivities({
      pushDb: workerDatabase(stack.orm).pushes,
      darajaFor: () => daraja,
      callbackUrlFor: (id) => darajaCallbackUrl(stack.config, id),
    });
    const pushesBefore = stack.simulator.control.stats().pushesAccepted;
    const input = { transactionId: tx.id, deadline: Date.now() + 15_000 };
    const run = (): ReturnType<typeof sendStkPush> => new MockActivityEnvironment().run(sendStkPush, input);

    const first = await run();
    const row = await stack.orm.em.fork().findOneOrFail(TransactionSchema, tx.id);
    expect(row).toMatchObject({
      pushState: 'accepted',
      checkoutRequestId: first.checkoutRequestId,
      merchantRequestId: first.merchantRequestId,
    });

    const again = await run();
    expect(again).toEqual(first);
    expect(stack.simulator.control.stats().pushesAccepted).toBe(pushesBefore + 1);
  });
});
