import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { DarajaError, type DarajaClient, type StkQueryResult } from '../daraja/types';
import { AppError } from '../domain/errors';
import { FailureType } from '../domain/failureTypes';
import type { Environment, StkStatusQuery } from '../db/entities';
import type { BoundToSessions } from '../db/orm';
import type { pushStatements } from '../db/pushes';
import type { PaymentActivities } from './types';

export interface DarajaCallDeps {
  /** db/pushes.ts, bound to the worker's ORM (a fake in unit tests). */
  pushDb: BoundToSessions<typeof pushStatements>;
  /** The Daraja client for an environment: the simulator for sandbox, Safaricom for production. */
  darajaFor: (environment: Environment) => DarajaClient;
  /** The CallBackURL Daraja posts this payment's result to. */
  callbackUrlFor: (transactionId: number) => string;
  /** Pauses between attempts to record an accepted push; by default the activity's own sleep (cancellable). */
  sleep?: (ms: number) => Promise<void>;
}

const indeterminate = (message: string) =>
  ApplicationFailure.create({ type: FailureType.DarajaIndeterminate, message, nonRetryable: true });

/** Activities that talk to Daraja. */
export function createDarajaActivities({
  pushDb: db,
  darajaFor,
  callbackUrlFor,
  sleep = (ms) => Context.current().sleep(ms),
}: DarajaCallDeps): Pick<PaymentActivities, 'sendStkPush' | 'queryStkStatus'> {
  return {
    async sendStkPush({ transactionId, deadline }) {
      const tx = await db.paymentToPush(transactionId);
      if (tx.pushState === 'accepted') {
        return { checkoutRequestId: tx.checkoutRequestId!, merchantRequestId: tx.merchantRequestId! };
      }
      if (tx.pushState === 'rejected') {
        throw ApplicationFailure.create({
          type: FailureType.DarajaTerminal,
          message: tx.resultDesc ?? 'Rejected',
          nonRetryable: true,
        });
      }
      if (Date.now() > deadline && tx.pushState === 'none') {
        // Past the deadline nothing more is sent, and nothing earlier is in doubt: the push never happened.
        await db.movePush(transactionId, 'none', { pushState: 'rejected' });
        throw ApplicationFailure.create({
          type: FailureType.DarajaUnavailable,
          message: 'Daraja stayed busy past the push deadline',
          nonRetryable: true,
        });
      }
      // Looked up before the claim: a failed lookup after it would make the retry think a prompt may have gone out.
      const target = await db.pushTarget(tx);
      // Claim the push. Finding it already claimed means an earlier attempt died mid-call and may
      // have reached the phone: a second push would give the customer a second prompt.
      const claimed = await db.movePush(transactionId, 'none', { pushState: 'sending', stage: 'pushing' });
      if (!claimed) {
        await db.movePush(transactionId, 'sending', { pushState: 'unconfirmed' });
        throw indeterminate('An earlier push attempt did not finish; its prompt may have reached the customer');
      }

      let accepted: { checkoutRequestId: string; merchantRequestId: string };
      try {
        accepted = await darajaFor(tx.environment).stkPush({
          channel: { ...target, accountReference: tx.accountReference },
          phoneNumber: tx.phoneNumber,
          amount: tx.amount,
          description: tx.description,
          callbackUrl: callbackUrlFor(transactionId),
        });
      } catch (err) {
        throw await classifyPushFailure(err, async (pushState, resultDesc) => {
          await db.movePush(transactionId, null, { pushState, ...(resultDesc ? { resultDesc } : {}) });
        });
      }
      // The activity alone records the accepted push, and keeps trying until Postgres takes it: a
      // local activity's result reaches the history only when its workflow task completes, and a
      // worker that dies before then runs this activity again, which must find the CheckoutRequestID
      // here rather than the `sending` claim. A write left to the workflow would come after that
      // window. Should the attempt time out first, its retry finds `sending` and answers
      // "unconfirmed": no second prompt, and the callback still settles the payment.
      const ids = { checkoutRequestId: accepted.checkoutRequestId, merchantRequestId: accepted.merchantRequestId };
      await recordAccepted(db, sleep, transactionId, ids);
      return ids;
    },

    async queryStkStatus({ transactionId, checkoutRequestId }) {
      const tx = await db.paymentToPush(transactionId);
      await db.markQuerying(transactionId);
      // Every query is kept, whatever it learned, so the payment's timeline shows what decided it.
      const record = (fields: Pick<StkStatusQuery, 'state' | 'resultCode' | 'resultDesc' | 'error'>) =>
        db.recordStkQuery(transactionId, fields).then(
          () => undefined,
          // The answer matters more than its record: a lost row must not turn into a query failure.
          (err: unknown) => log.warn('STK query not recorded', { transactionId, error: String(err) }),
        );
      let answer: StkQueryResult;
      try {
        answer = await darajaFor(tx.environment).stkQuery(checkoutRequestId);
      } catch (err) {
        // The timeline shows merchants the description; the transport detail (addresses, ports) stays in the log.
        const error = queryFailureDescription(err);
        log.warn('STK query failed', { transactionId, error: String(err) });
        await record({ state: 'error', resultCode: null, resultDesc: null, error });
        // Busy, unreachable or confused: none of these says how the payment ended.
        if (err instanceof DarajaError) return { state: 'pending', description: error };
        throw err;
      }
      await record(
        answer.state === 'final'
          ? { state: 'final', resultCode: answer.resultCode, resultDesc: answer.resultDesc, error: null }
          : { state: 'pending', resultCode: null, resultDesc: answer.description, error: null },
      );
      return answer;
    },
  };
}

/**
 * What a merchant is told about an STK query that failed: Daraja's own code and message when it
 * answered (e.g. "M-Pesa answered: 500.003.02 Spike arrest violation"), else whether it did not
 * answer in time or could not be reached at all. Never a transport error's text.
 */
export function queryFailureDescription(err: unknown): string {
  if (err instanceof DarajaError && err.httpStatus !== null) {
    return `M-Pesa answered: ${err.message.replace(/^Daraja \w+ failed \(\w+\): /, '')}`;
  }
  const code = err instanceof DarajaError ? err.errorCode : null;
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'ECONNRESET') return 'M-Pesa did not answer in time';
  return 'M-Pesa could not be reached';
}

/** Pauses between attempts to record an accepted push: from 100 ms, doubling, at most 5 s. */
const RECORD_RETRY_FIRST_MS = 100;
const RECORD_RETRY_MAX_MS = 5_000;

/**
 * Marks the push `accepted` with Daraja's ids, retrying until the write succeeds or the activity is
 * cancelled (its timeout). Only a `sending` claim is moved, so a repeat changes nothing.
 */
async function recordAccepted(
  db: DarajaCallDeps['pushDb'],
  sleep: (ms: number) => Promise<void>,
  transactionId: number,
  { checkoutRequestId, merchantRequestId }: { checkoutRequestId: string; merchantRequestId: string },
): Promise<void> {
  for (let pause = RECORD_RETRY_FIRST_MS; ; pause = Math.min(pause * 2, RECORD_RETRY_MAX_MS)) {
    try {
      await db.movePush(transactionId, 'sending', {
        pushState: 'accepted',
        checkoutRequestId,
        merchantRequestId,
        stage: 'awaiting_callback',
      });
      return;
    } catch (err) {
      // The error object itself: the worker's logger writes a database error without its SQL or parameters.
      log.warn('accepted push not recorded yet; retrying', { transactionId, err, retryInMs: pause });
      await sleep(pause); // the activity's sleep rejects once the activity is cancelled
    }
  }
}

/** Records what a failed push means and returns the failure the workflow acts on. */
async function classifyPushFailure(
  err: unknown,
  record: (pushState: 'none' | 'rejected' | 'unconfirmed', resultDesc?: string) => Promise<void>,
): Promise<unknown> {
  if (err instanceof DarajaError) {
    const details = [{ errorCode: err.errorCode, httpStatus: err.httpStatus }];
    if (err.kind === 'retryable') {
      await record('none'); // nothing happened at Safaricom: the retry may push again
      return ApplicationFailure.create({ type: FailureType.DarajaRetryable, message: err.message, details });
    }
    if (err.kind === 'terminal') {
      await record('rejected', err.message);
      return ApplicationFailure.create({
        type: FailureType.DarajaTerminal,
        message: err.message,
        nonRetryable: true,
        details,
      });
    }
    await record('unconfirmed');
    return ApplicationFailure.create({
      type: FailureType.DarajaIndeterminate,
      message: err.message,
      nonRetryable: true,
      details,
    });
  }
  if (err instanceof AppError) {
    // The request could not even be built (a field Daraja would refuse): nothing was sent.
    await record('rejected', err.message);
    return ApplicationFailure.create({ type: FailureType.DarajaTerminal, message: err.message, nonRetryable: true });
  }
  // Unknown failure mid-call: leave `sending` in place so the retry treats the push as possibly delivered.
  return err;
}
