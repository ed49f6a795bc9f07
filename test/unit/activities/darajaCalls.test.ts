import { ApplicationFailure } from '@temporalio/common';
import { createDarajaActivities, type DarajaCallDeps } from '../../../activities/darajaCalls';
import type { Transaction } from '../../../db/entities';
import { FailureType } from '../../../domain/failureTypes';
import { DarajaError, type DarajaClient, type StkPushRequest } from '../../../daraja/types';
import { runActivity } from '../../support/activityEnvironment';

type PushState = Transaction['pushState'];

/** One payment's push state in memory, moved only from the state a move names: db/pushes.ts's contract. */
function fakePushDb(pushState: PushState = 'none') {
  const payment = {
    id: 7,
    environment: 'sandbox',
    purpose: 'payment',
    channel: 3,
    partyB: null,
    accountReference: 'SHOP-7',
    phoneNumber: '254712345678',
    amount: 500,
    description: 'Order 7',
    pushState,
    stage: 'reserving_fee',
    checkoutRequestId: null as string | null,
    merchantRequestId: null as string | null,
    resultDesc: null as string | null,
  } as unknown as Transaction;
  const queries: unknown[] = [];
  let failAcceptedWrites = 0;
  const db: DarajaCallDeps['pushDb'] = {
    paymentToPush: async () => ({ ...payment }),
    pushTarget: async () => ({ type: 'till', partyB: '5544332' }),
    movePush: async (_id, from, to) => {
      if (to.pushState === 'accepted' && failAcceptedWrites-- > 0) throw new Error('connection terminated');
      if (from !== null && payment.pushState !== from) return false;
      Object.assign(payment, to);
      return true;
    },
    markQuerying: async () => undefined,
    recordStkQuery: async (_id, fields) => void queries.push(fields),
  };
  return { db, payment, queries, failAcceptedWritesTimes: (n: number) => (failAcceptedWrites = n) };
}

function fakeDaraja(answer: () => Promise<{ checkoutRequestId: string; merchantRequestId: string }>) {
  const pushes: StkPushRequest[] = [];
  const client: DarajaClient = {
    stkPush: async (request) => {
      pushes.push(request);
      return { ...(await answer()), customerMessage: 'Success. Request accepted for processing' };
    },
    stkQuery: async () => ({ state: 'final', resultCode: '0', resultDesc: 'processed' }),
  };
  return { client, pushes };
}

const accepted = async () => ({ checkoutRequestId: 'ws_CO_1', merchantRequestId: 'mr_1' });
const later = () => Date.now() + 60_000;
const run = runActivity;
const failureOf = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
};

function activities(db: DarajaCallDeps['pushDb'], client: DarajaClient, sleeps: number[] = []) {
  return createDarajaActivities({
    pushDb: db,
    darajaFor: () => client,
    callbackUrlFor: (id) => `https://pay.example/daraja/callback/${id}`,
    sleep: async (ms) => void sleeps.push(ms),
  });
}

describe('Daraja-calling activities, with a fake database and a fake Daraja', () => {
  it("When Daraja accepts the push, then it went to the channel's till with the payment's callback URL and the ids are recorded", async () => {
    const fake = fakePushDb();
    const daraja = fakeDaraja(accepted);
    const ids = await run(activities(fake.db, daraja.client).sendStkPush, { transactionId: 7, deadline: later() });
    expect(ids).toEqual({ checkoutRequestId: 'ws_CO_1', merchantRequestId: 'mr_1' });
    expect(daraja.pushes).toEqual([
      expect.objectContaining({
        channel: { type: 'till', partyB: '5544332', accountReference: 'SHOP-7' },
        amount: 500,
        callbackUrl: 'https://pay.example/daraja/callback/7',
      }),
    ]);
    expect(fake.payment).toMatchObject({
      pushState: 'accepted',
      checkoutRequestId: 'ws_CO_1',
      stage: 'awaiting_callback',
    });
  });

  it('When an earlier attempt claimed the push and died, then nothing is sent again and the push is unconfirmed', async () => {
    const fake = fakePushDb('sending');
    const daraja = fakeDaraja(accepted);
    const failed = await failureOf(
      run(activities(fake.db, daraja.client).sendStkPush, { transactionId: 7, deadline: later() }),
    );
    expect(failed).toMatchObject({ type: FailureType.DarajaIndeterminate, nonRetryable: true });
    expect(daraja.pushes).toEqual([]);
    expect(fake.payment.pushState).toBe('unconfirmed');
  });

  it('When Daraja is busy (retryable), then the claim is given back so the retry may push, and the failure is retryable', async () => {
    const fake = fakePushDb();
    const daraja = fakeDaraja(() => Promise.reject(new DarajaError('retryable', 'Spike arrest', '500.003.02', 500)));
    const failed = await failureOf(
      run(activities(fake.db, daraja.client).sendStkPush, { transactionId: 7, deadline: later() }),
    );
    expect(failed).toMatchObject({ type: FailureType.DarajaRetryable, nonRetryable: false });
    expect(fake.payment.pushState).toBe('none');
  });

  it("When Daraja refuses the push (terminal), then it is rejected with Daraja's words, not retryable", async () => {
    const fake = fakePushDb();
    const daraja = fakeDaraja(() =>
      Promise.reject(new DarajaError('terminal', 'Invalid PhoneNumber', '400.002.02', 400)),
    );
    const failed = await failureOf(
      run(activities(fake.db, daraja.client).sendStkPush, { transactionId: 7, deadline: later() }),
    );
    expect(failed).toMatchObject({ type: FailureType.DarajaTerminal, nonRetryable: true });
    expect(fake.payment).toMatchObject({ pushState: 'rejected', resultDesc: 'Invalid PhoneNumber' });
  });

  it('When the push deadline has passed with nothing sent, then nothing is sent and the push is rejected as unavailable', async () => {
    const fake = fakePushDb();
    const daraja = fakeDaraja(accepted);
    const failed = await failureOf(
      run(activities(fake.db, daraja.client).sendStkPush, { transactionId: 7, deadline: Date.now() - 1 }),
    );
    expect(failed).toMatchObject({ type: FailureType.DarajaUnavailable, nonRetryable: true });
    expect(daraja.pushes).toEqual([]);
    expect(fake.payment.pushState).toBe('rejected');
  });

  it('When recording the accepted push fails, then it is retried with growing pauses until it is recorded', async () => {
    const fake = fakePushDb();
    fake.failAcceptedWritesTimes(3);
    const sleeps: number[] = [];
    const daraja = fakeDaraja(accepted);
    await run(activities(fake.db, daraja.client, sleeps).sendStkPush, { transactionId: 7, deadline: later() });
    expect(sleeps).toEqual([100, 200, 400]);
    expect(daraja.pushes).toHaveLength(1);
    expect(fake.payment.pushState).toBe('accepted');
  });

  it("When the STK query cannot reach Daraja, then it answers pending and the timeline keeps the failure's description", async () => {
    const fake = fakePushDb('accepted');
    const client: DarajaClient = {
      stkPush: accepted as never,
      stkQuery: () =>
        Promise.reject(new DarajaError('indeterminate', 'connect ECONNREFUSED 10.0.0.9:443', 'ECONNREFUSED', null)),
    };
    const answer = await run(activities(fake.db, client).queryStkStatus, {
      transactionId: 7,
      checkoutRequestId: 'ws_CO_1',
    });
    expect(answer).toEqual({ state: 'pending', description: 'M-Pesa could not be reached' });
    expect(fake.queries).toEqual([
      { state: 'error', resultCode: null, resultDesc: null, error: 'M-Pesa could not be reached' },
    ]);
  });
});
