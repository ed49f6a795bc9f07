import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { AppError, InsufficientBalanceError } from '../../domain/errors';
import { MPESA_MAX_AMOUNT, MPESA_MIN_AMOUNT } from '../../domain/money';
import { normalizeMsisdn } from '../../domain/phone';
import { feeFor } from '../../domain/pricing';
import { ChannelSchema, TransactionSchema, WalletSchema, type Transaction } from '../../db/entities';
import { loadFeeTiers } from '../../db/pricing';
import {
  paymentWorkflowId,
  pushOutcomeUpdate,
  type PaymentTimings,
  type PaymentWorkflowInput,
  type PushOutcome,
} from '../../workflows/definitions';
import { paymentWorkflow } from '../../workflows/payment';
import { ENVIRONMENT, EXTERNAL_REFERENCE, MERCHANT_ID, PAYMENT_STATUS, TRANSACTION_ID } from '../../workflows/searchAttributes';
import { parseInput } from '../validate';
import type { ApiCaller } from '../auth';
import { assertVerified } from '../guards';

const MAX_DESCRIPTION = 13;

/** The documented request body of POST /api/stk-push. */
export const stkPushRequestSchema = z.object({
  account_id: z.number({ error: 'account_id must be the integer id of one of your payment channels' }).int('account_id must be an integer').positive('account_id must be positive'),
  phone_number: z.string({ error: 'phone_number must be a string such as 0712345678' }),
  amount: z
    .number({ error: 'amount must be a whole number of KES' })
    .int('amount must be a whole number of KES (no decimals)')
    .min(MPESA_MIN_AMOUNT, `amount must be at least KES ${MPESA_MIN_AMOUNT}`)
    .max(MPESA_MAX_AMOUNT, `amount must be at most KES ${MPESA_MAX_AMOUNT.toLocaleString('en-US')} (M-Pesa's per-transaction limit)`),
  external_reference: z.string({ error: 'external_reference must be a string' }).max(100, 'external_reference must be at most 100 characters').nullish(),
  description: z
    .string({ error: 'description must be a string' })
    .trim()
    .min(1, 'description cannot be empty')
    .max(MAX_DESCRIPTION, `description must be at most ${MAX_DESCRIPTION} characters (M-Pesa's TransactionDesc limit)`)
    .nullish(),
});

export interface StkPushDeps {
  em: EntityManager;
  /** Whether production Daraja credentials are configured. */
  liveEnabled: boolean;
  temporal: Client;
  taskQueue: string;
  timings: PaymentTimings;
}

export interface StkPushCommand {
  caller: ApiCaller;
  body: unknown;
  idempotencyKey: string | null;
}

/** What the endpoint answers: the HTTP status and the documented body. */
export interface StkPushResponse {
  status: 200 | 202;
  body: {
    success: true;
    message: string;
    transaction_id: number;
    /** Daraja's CheckoutRequestID; while M-Pesa has not confirmed the push (202), the transaction id. */
    checkout_request_id: string;
    fee_to_be_charged: number;
  };
}

/**
 * POST /api/stk-push: validates, records the payment, starts its workflow and answers once
 * Daraja has accepted (or refused) the push. With an Idempotency-Key, a retry returns the
 * same payment instead of prompting the customer twice.
 */
export async function startStkPush(deps: StkPushDeps, { caller, body, idempotencyKey }: StkPushCommand): Promise<StkPushResponse> {
  const request = parseInput(stkPushRequestSchema, body);
  const phoneNumber = normalizeMsisdn(request.phone_number);
  const { merchant } = caller;
  assertVerified(merchant, 'send STK pushes');
  if (caller.environment === 'production' && !deps.liveEnabled) {
    throw new AppError('forbidden', 'Live (production) payments are not enabled on this ImaraPay deployment; use a sandbox key');
  }

  const channel = await deps.em.findOne(ChannelSchema, request.account_id);
  if (!channel) throw new AppError('not_found', `Payment channel ${request.account_id} does not exist`, { field: 'account_id' });
  if (channel.merchant !== merchant.id) throw new AppError('forbidden', `Payment channel ${request.account_id} belongs to another account`);
  if (!channel.isActive) throw new AppError('validation_failed', `Payment channel ${request.account_id} is deactivated`, { field: 'account_id' });

  const fee = feeFor(request.amount, await loadFeeTiers(deps.em));
  if (fee === undefined) throw new AppError('validation_failed', `No fee tier covers KES ${request.amount}`, { field: 'amount' });

  const requestHash = hashRequest({ ...request, phone_number: phoneNumber });
  const transaction = await recordTransaction(deps.em, {
    merchant: merchant.id,
    channel: channel.id,
    apiKey: caller.apiKey?.id ?? null,
    environment: caller.environment,
    phoneNumber,
    amount: request.amount,
    fee,
    externalReference: request.external_reference ?? null,
    description: request.description ?? 'Payment',
    accountReference: channel.accountReference,
    idempotencyKey,
    requestHash,
  });

  const outcome = await awaitPushOutcome(deps, transaction);
  return respond(transaction, outcome);
}

type NewTransaction = Pick<
  Transaction,
  'merchant' | 'channel' | 'apiKey' | 'environment' | 'phoneNumber' | 'amount' | 'fee' | 'externalReference' | 'description' | 'accountReference' | 'idempotencyKey' | 'requestHash'
>;

/** Inserts the payment, or returns the earlier one recorded under the same Idempotency-Key. */
async function recordTransaction(em: EntityManager, fields: NewTransaction): Promise<Transaction> {
  const findEarlier = () => (fields.idempotencyKey ? em.findOne(TransactionSchema, { merchant: fields.merchant, environment: fields.environment, idempotencyKey: fields.idempotencyKey }) : null);
  const earlier = await findEarlier();
  if (earlier) return sameRequestOrConflict(earlier, fields.requestHash);

  // The id is drawn first because the workflow ID is derived from it.
  const [{ id }] = await em.getConnection().execute<{ id: number }[]>(`select nextval('transactions_id_seq')::int as id`);
  const transaction = em.create(TransactionSchema, {
    ...fields,
    id,
    status: 'pending',
    stage: 'created',
    pushState: 'none',
    workflowId: paymentWorkflowId(id),
  } as Transaction);
  try {
    await em.flush();
    return transaction;
  } catch (err) {
    // Two requests with one Idempotency-Key raced: the loser answers with the winner's payment.
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    em.clear();
    const winner = await findEarlier();
    if (!winner) throw err;
    return sameRequestOrConflict(winner, fields.requestHash);
  }
}

function sameRequestOrConflict(earlier: Transaction, requestHash: string | null): Transaction {
  if (earlier.requestHash !== requestHash) {
    throw new AppError('conflict', 'This Idempotency-Key was already used with a different request body. Use a new key for a new payment.');
  }
  return earlier;
}

/** Starts the payment's workflow (or attaches to it) and waits for the push's outcome. */
async function awaitPushOutcome(deps: StkPushDeps, tx: Transaction): Promise<PushOutcome> {
  const input: PaymentWorkflowInput = {
    transactionId: tx.id,
    merchantId: tx.merchant,
    amount: tx.amount,
    fee: tx.fee,
    externalReference: tx.externalReference,
    environment: tx.environment,
    timings: deps.timings,
  };
  const start = new WithStartWorkflowOperation(paymentWorkflow, {
    workflowId: tx.workflowId,
    taskQueue: deps.taskQueue,
    args: [input],
    // A retry attaches to the running payment; a finished one is never started again.
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: MERCHANT_ID, value: String(tx.merchant) },
      { key: TRANSACTION_ID, value: String(tx.id) },
      { key: PAYMENT_STATUS, value: 'created' },
      { key: ENVIRONMENT, value: tx.environment },
      ...(tx.externalReference ? [{ key: EXTERNAL_REFERENCE, value: tx.externalReference }] : []),
    ],
    staticSummary: `KES ${tx.amount} STK push · merchant ${tx.merchant} · fee ${tx.fee}`,
    staticDetails: [
      `**Transaction** ${tx.id} (${tx.environment})`,
      `**Channel** ${tx.channel} · **Reference** ${tx.accountReference}`,
      tx.externalReference ? `**External reference** ${tx.externalReference}` : '',
    ].filter(Boolean).join('\n\n'),
  });
  // Never hang the merchant's request: past the push deadline (plus a margin) answer with what is known.
  const answerBy = Date.now() + deps.timings.pushDeadlineMs + ANSWER_MARGIN_MS;
  try {
    return await deps.temporal.withDeadline(answerBy, () => deps.temporal.workflow.executeUpdateWithStart(pushOutcomeUpdate, { startWorkflowOperation: start }));
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // The payment's workflow has already finished: answer from what it recorded.
      const em = deps.em.fork();
      const wallet = await em.findOne(WalletSchema, { merchant: tx.merchant });
      return outcomeFromRecord(await em.findOneOrFail(TransactionSchema, tx.id), wallet?.balance ?? 0);
    }
    if (!(await workflowExists(deps.temporal, tx.workflowId))) throw err;
    // The workflow runs but has not told us yet (no worker free, Daraja slow): it carries on by itself.
    return { outcome: 'unconfirmed', message: 'The payment is being processed' };
  }
}

/** How long past the push deadline a request may wait for its answer. */
const ANSWER_MARGIN_MS = 15_000;

/** Whether the payment's workflow was started; any failure to tell counts as "no" (the caller then reports the original error). */
async function workflowExists(temporal: Client, workflowId: string): Promise<boolean> {
  return temporal.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );
}

/** Reconstructs the push outcome of a finished payment from its row. */
function outcomeFromRecord(tx: Transaction, balance: number): PushOutcome {
  if (tx.pushState === 'accepted') return { outcome: 'accepted', checkoutRequestId: tx.checkoutRequestId!, merchantRequestId: tx.merchantRequestId! };
  if (tx.pushState === 'unconfirmed' || tx.pushState === 'sending') return { outcome: 'unconfirmed', message: tx.resultDesc ?? '' };
  if (tx.stage === 'refused') return { outcome: 'refused', code: 'insufficient_balance', message: tx.resultDesc ?? '', fee: tx.fee, balance };
  return { outcome: 'rejected', code: tx.pushState === 'rejected' ? 'daraja_rejected' : 'daraja_unavailable', message: tx.resultDesc ?? 'The push was not sent' };
}

function respond(tx: Transaction, outcome: PushOutcome): StkPushResponse {
  const base = { success: true as const, transaction_id: tx.id, fee_to_be_charged: tx.fee };
  switch (outcome.outcome) {
    case 'accepted':
      return { status: 200, body: { ...base, message: 'STK push sent successfully', checkout_request_id: outcome.checkoutRequestId } };
    case 'unconfirmed':
      return {
        status: 202,
        body: {
          ...base,
          message: 'M-Pesa has not confirmed the push yet; the prompt may still reach the customer. Do not send it again: poll the status with transaction_id.',
          // The status endpoint accepts the transaction id too, so the docs' polling code keeps working.
          checkout_request_id: String(tx.id),
        },
      };
    case 'refused':
      throw new AppError('insufficient_balance', outcome.message || new InsufficientBalanceError(outcome.fee, outcome.balance).message, {
        fee: outcome.fee,
        balance: outcome.balance,
        transaction_id: tx.id,
      });
    case 'rejected':
      throw new AppError(outcome.code, outcome.message, { transaction_id: tx.id });
  }
}

/** Fingerprint of a request, to tell an honest retry from a reused Idempotency-Key. */
function hashRequest(request: object): string {
  const canonical = JSON.stringify(Object.entries(request).filter(([, v]) => v !== undefined && v !== null).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(canonical).digest('hex');
}
