import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowStartOptions,
} from '@temporalio/client';
import { AppError, InsufficientBalanceError } from '../domain/errors';
import { newPublicId } from '../domain/publicIds';
import type { Transaction } from '../db/entities';
import { insertPayment, paymentByIdempotencyKey, paymentWithBalance } from '../db/payments';
import {
  paymentWorkflowId,
  pushOutcomeUpdate,
  type PaymentTimings,
  type PaymentWorkflowInput,
  type PushOutcome,
} from '../workflows/definitions';
import { paymentWorkflow } from '../workflows/payment';
import { temporalReachable } from './temporalConnection';
import {
  ENVIRONMENT,
  EXTERNAL_REFERENCE,
  MERCHANT_ID,
  PAYMENT_STATUS,
  TRANSACTION_ID,
} from '../workflows/searchAttributes';

/**
 * The payment core both the API and the worker build on: the API's payment faces start payments
 * here, and the reconciliation starts the payments whose request could not.
 *
 * The core every payment face shares (the documented STK push API, the Express API, wallet
 * top-ups): record the payment once per Idempotency-Key, start its workflow, wait for the push.
 */
export interface PaymentStartDeps {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  timings: PaymentTimings;
  /**
   * How long Temporal may take to be reachable before the start answers 503
   * `temporarily_unavailable`, in ms (TEMPORAL_START_DEADLINE_MS; 3 s when omitted).
   */
  startDeadlineMs?: number;
}

export type NewTransaction = Pick<
  Transaction,
  | 'merchant'
  | 'channel'
  | 'apiKey'
  | 'environment'
  | 'phoneNumber'
  | 'amount'
  | 'fee'
  | 'externalReference'
  | 'description'
  | 'accountReference'
  | 'idempotencyKey'
  | 'requestHash'
> &
  Partial<Pick<Transaction, 'purpose' | 'customer' | 'metadata' | 'partyB'>>;

/**
 * Links (or creates) the payer as a customer and answers its id. Called only once the payment is
 * certain to be recorded, so a refused or repeated request leaves no customer behind.
 */
export type LinkCustomer = () => Promise<number>;

/** Records the payment (or finds the earlier one under the same key) and waits for its push outcome. */
export async function startPayment(
  deps: PaymentStartDeps,
  fields: NewTransaction,
  linkCustomer?: LinkCustomer,
): Promise<{ transaction: Transaction; outcome: PushOutcome }> {
  const transaction = await recordTransaction(deps.em, fields, linkCustomer);
  return { transaction, outcome: await awaitPushOutcome(deps, transaction) };
}

/** Inserts the payment, or returns the earlier one recorded under the same Idempotency-Key (409 when its body differed). */
export async function recordTransaction(
  em: EntityManager,
  fields: NewTransaction,
  linkCustomer?: LinkCustomer,
): Promise<Transaction> {
  const { merchant, environment, idempotencyKey } = fields;
  const earlier = idempotencyKey ? await paymentByIdempotencyKey(em, { merchant, environment, idempotencyKey }) : null;
  if (earlier) return sameRequestOrConflict(earlier, fields.requestHash);
  const customer = linkCustomer ? await linkCustomer() : fields.customer;

  const { payment, inserted } = await insertPayment(em, (id) => ({
    ...fields,
    ...(customer !== undefined ? { customer } : {}),
    id,
    publicId: newPublicId('trxn'),
    status: 'pending',
    stage: 'created',
    pushState: 'none',
    workflowId: paymentWorkflowId(id),
  }));
  // Two requests with one Idempotency-Key raced: the loser answers with the winner's payment.
  return inserted ? payment : sameRequestOrConflict(payment, fields.requestHash);
}

function sameRequestOrConflict(earlier: Transaction, requestHash: string | null): Transaction {
  if (earlier.requestHash !== requestHash) {
    throw new AppError(
      'conflict',
      'This Idempotency-Key was already used with a different request body. Use a new key for a new payment.',
    );
  }
  return earlier;
}

/** The input and start options of a payment's workflow: one definition for the API and the reconciliation. */
export function paymentWorkflowStart(
  deps: Pick<PaymentStartDeps, 'taskQueue' | 'timings'>,
  tx: Transaction,
): { input: PaymentWorkflowInput; options: Omit<WorkflowStartOptions<typeof paymentWorkflow>, 'args'> } {
  const input: PaymentWorkflowInput = {
    transactionId: tx.id,
    merchantId: tx.merchant,
    amount: tx.amount,
    fee: tx.fee,
    externalReference: tx.externalReference,
    environment: tx.environment,
    timings: deps.timings,
  };
  return {
    input,
    options: {
      workflowId: tx.workflowId,
      taskQueue: deps.taskQueue,
      typedSearchAttributes: [
        { key: MERCHANT_ID, value: String(tx.merchant) },
        { key: TRANSACTION_ID, value: String(tx.id) },
        { key: PAYMENT_STATUS, value: 'created' },
        { key: ENVIRONMENT, value: tx.environment },
        ...(tx.externalReference ? [{ key: EXTERNAL_REFERENCE, value: tx.externalReference }] : []),
      ],
      staticSummary: `KES ${tx.amount} ${tx.purpose === 'wallet_top_up' ? 'wallet top-up' : 'STK push'} · merchant ${tx.merchant} · fee ${tx.fee}`,
      staticDetails: [
        `**Transaction** ${tx.id} (${tx.environment})`,
        `${tx.channel === null ? `**Paybill** ${tx.partyB}` : `**Channel** ${tx.channel}`} · **Reference** ${tx.accountReference}`,
        tx.externalReference ? `**External reference** ${tx.externalReference}` : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
  };
}

/**
 * Starts the payment's workflow (or attaches to it) and waits for the push's outcome. Every
 * Temporal call here has a deadline, so the answer comes in bounded time whatever Temporal does:
 * - Temporal unreachable (down, restarting, partitioned): within `startDeadlineMs` (default 3 s),
 *   AppError `temporarily_unavailable` (503, Retry-After), unless the payment's row shows its push
 *   already went out, which is then the answer;
 * - Temporal reachable: within the push deadline plus 15 s, the push's outcome, or `unconfirmed`
 *   when the workflow runs but has not told yet, or 503 when it could not be started (plus at most
 *   `startDeadlineMs` to learn which).
 * A 503 payment is recorded; a retry with the same Idempotency-Key (or the reconciliation) starts it.
 */
export async function awaitPushOutcome(deps: PaymentStartDeps, tx: Transaction): Promise<PushOutcome> {
  const startDeadlineMs = deps.startDeadlineMs ?? DEFAULT_START_DEADLINE_MS;
  if (!(await temporalReachable(deps.temporal.connection, Date.now() + startDeadlineMs))) {
    // An earlier attempt under the same key may have sent the push before Temporal went away.
    if (tx.pushState !== 'none') return outcomeFromRecord(tx, 0);
    throw notStartedError(tx);
  }
  const { input, options } = paymentWorkflowStart(deps, tx);
  const start = new WithStartWorkflowOperation(paymentWorkflow, {
    ...options,
    args: [input],
    // A retry attaches to the running payment; a finished one is never started again.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  // Never hang the merchant's request: past the push deadline (plus a margin) answer with what is known.
  const answerBy = Date.now() + deps.timings.pushDeadlineMs + ANSWER_MARGIN_MS;
  try {
    return await deps.temporal.withDeadline(answerBy, () =>
      deps.temporal.workflow.executeUpdateWithStart(pushOutcomeUpdate, { startWorkflowOperation: start }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // The payment's workflow has already finished: answer from what it recorded.
      const { payment, balance } = await paymentWithBalance(deps.em, tx.id);
      return outcomeFromRecord(payment, balance);
    }
    if (!(await workflowExists(deps.temporal, tx.workflowId, Date.now() + startDeadlineMs))) throw notStartedError(tx);
    // The workflow runs but has not told us yet (no worker free, Daraja slow): it carries on by itself.
    return { outcome: 'unconfirmed', message: 'The payment is being processed' };
  }
}

function notStartedError(tx: Transaction): AppError {
  return new AppError(
    'temporarily_unavailable',
    'The payment could not be started just now; nothing was sent to M-Pesa. ' +
      'Retry with the same Idempotency-Key to start this same payment.',
    { transaction_id: tx.id, retry_after: PAYMENT_RETRY_AFTER_SECONDS },
  );
}

/** TEMPORAL_START_DEADLINE_MS's default, for callers that do not pass one. */
const DEFAULT_START_DEADLINE_MS = 3_000;

/** When a client should retry a payment whose workflow could not be started, in seconds. */
export const PAYMENT_RETRY_AFTER_SECONDS = 5;

/** How long past the push deadline a request may wait for its answer. */
const ANSWER_MARGIN_MS = 15_000;

/**
 * Whether the payment's workflow was started; any failure to tell by `deadline` (ms since the
 * epoch) counts as "no" (the caller then answers 503).
 */
async function workflowExists(temporal: Client, workflowId: string, deadline: number): Promise<boolean> {
  return temporal
    .withDeadline(deadline, () => temporal.workflow.getHandle(workflowId).describe())
    .then(
      () => true,
      () => false,
    );
}

/** Reconstructs the push outcome of a finished payment from its row. */
function outcomeFromRecord(tx: Transaction, balance: number): PushOutcome {
  if (tx.pushState === 'accepted')
    return { outcome: 'accepted', checkoutRequestId: tx.checkoutRequestId!, merchantRequestId: tx.merchantRequestId! };
  if (tx.pushState === 'unconfirmed' || tx.pushState === 'sending')
    return { outcome: 'unconfirmed', message: tx.resultDesc ?? '' };
  if (tx.stage === 'refused')
    return { outcome: 'refused', code: 'insufficient_balance', message: tx.resultDesc ?? '', fee: tx.fee, balance };
  return {
    outcome: 'rejected',
    code: tx.pushState === 'rejected' ? 'daraja_rejected' : 'daraja_unavailable',
    message: tx.resultDesc ?? 'The push was not sent',
  };
}

/** Fingerprint of a request, to tell an honest retry from a reused Idempotency-Key. */
export function hashRequest(request: object): string {
  const canonical = JSON.stringify(
    Object.entries(request)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/** The error a refused or rejected push means, for any payment face (402 wallet, 400/503 Daraja). */
export function refusalError(
  tx: Transaction,
  outcome: Extract<PushOutcome, { outcome: 'refused' | 'rejected' }>,
): AppError {
  if (outcome.outcome === 'refused') {
    return new AppError(
      'insufficient_balance',
      outcome.message || new InsufficientBalanceError(outcome.fee, outcome.balance).message,
      {
        fee: outcome.fee,
        balance: outcome.balance,
        transaction_id: tx.id,
      },
    );
  }
  return new AppError(outcome.code, outcome.message, { transaction_id: tx.id });
}
