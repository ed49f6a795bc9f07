import { MockActivityEnvironment } from '@temporalio/testing';
import pino from 'pino';
import { createDarajaActivities } from '../../activities/darajaCalls';
import { workerDatabase } from '../../db/workerDatabase';
import { recordTransaction } from '../../payments/paymentStart';
import { darajaCallbackUrl } from '../../config/callbackUrl';
import { darajaCredentials } from '../../config/config';
import { createDarajaClient } from '../../daraja/client';
import { TransactionSchema } from '../../db/entities';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

/**
 * sendStkPush is the one owner of the accepted-push write: when Postgres refuses it for a while
 * after Daraja accepted, the activity keeps trying and answers only once the ids are stored.
 */
describe('The accepted push write', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ withoutWorker: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When Postgres refuses the accepted-push write at first, then sendStkPush retries it and answers only once it is stored', async () => {
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
    // A real refusal from Postgres: a trigger fails the write to `accepted` while the gate row
    // exists, counting refusals in a sequence (sequences survive the rolled-back statement).
    const db = stack.orm.em.getConnection();
    await db.execute(`create table accepted_write_gate (id int primary key)`);
    await db.execute(`insert into accepted_write_gate values (1)`);
    await db.execute(`create sequence accepted_write_refusals`);
    await db.execute(`
      create function refuse_accepted_write() returns trigger language plpgsql as $$
      begin
        if new.push_state = 'accepted' and exists (select 1 from accepted_write_gate) then
          perform nextval('accepted_write_refusals');
          raise exception 'accepted push write refused by the test';
        end if;
        return new;
      end $$`);
    await db.execute(
      `create trigger refuse_accepted_write before update on transactions for each row execute function refuse_accepted_write()`,
    );

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
    let answered = false;
    const run = (): ReturnType<typeof sendStkPush> =>
      new MockActivityEnvironment().run(sendStkPush, { transactionId: tx.id, deadline: Date.now() + 15_000 });
    const pushed = run().finally(() => (answered = true));

    const refusals = async () => {
      const [row] = await db.execute<[{ n: string }]>(
        `select case when is_called then last_value else 0 end as n from accepted_write_refusals`,
      );
      return Number(row.n);
    };
    await eventually(async () => (answered || (await refusals()) >= 2 ? true : undefined));
    expect(answered).toBe(false);
    await db.execute(`delete from accepted_write_gate`);

    const accepted = await pushed;
    const row = await stack.orm.em.fork().findOneOrFail(TransactionSchema, tx.id);
    expect(row).toMatchObject({
      pushState: 'accepted',
      checkoutRequestId: accepted.checkoutRequestId,
      merchantRequestId: accepted.merchantRequestId,
    });
    expect(stack.simulator.control.stats().pushesAccepted).toBe(pushesBefore + 1);
  });
});
