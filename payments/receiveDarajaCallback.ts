import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseStkCallback, type ParsedCallback } from '../domain/callback';
import type { CallbackDisposition } from '../db/entities';
import { sessionBeside } from '../db/orm';
import { adoptCheckoutRequestId, markCallbackDisposition, paymentForCallback, storeCallback } from '../db/callbacks';
import {
  darajaCallbackSignal,
  lateCallbackWorkflowId,
  paymentWorkflowId,
  type PaymentTimings,
} from '../workflows/definitions';
import { lateCallbackWorkflow } from '../workflows/lateCallback';
import { callbackMatchesPush, isSuccessCode, type CallbackOutcome } from '../domain/payment';
import { TRANSACTION_ID, MERCHANT_ID, PAYMENT_STATUS } from '../workflows/searchAttributes';
import type { Logger } from '../config/logger';

export interface CallbackDeps {
  em: EntityManager;
  temporal: Client;
  logger: Logger;
  taskQueue: string;
  timings: PaymentTimings;
}

export interface ReceivedCallback {
  /** The body's bytes as received, cut at the endpoint's size limit. */
  raw: Buffer;
  /** How many bytes the sender sent; more than `raw.length` when the body was cut. */
  receivedBytes: number;
  /** The payment id from the CallBackURL path, when present and numeric. */
  transactionId: number | null;
  sourceIp: string | null;
}

/** What became of one received callback; Daraja is answered Accept only when `accepted`. */
export interface CallbackReceipt {
  /** The disposition written on the stored row; null when it could not be stored. */
  disposition: CallbackDisposition | null;
  stored: boolean;
  /** Whether its payment's workflow (or a late-callback workflow) has it now. */
  signalled: boolean;
  /** Stored or handed over: ImaraPay holds the evidence, so Daraja may forget it. */
  accepted: boolean;
}

/**
 * Stores a Daraja callback, then hands it to its payment's workflow. Never throws for anything a
 * sender can put in the body (size, encoding, BOM, control bytes, absurd field lengths or types):
 * every body is kept. When Postgres cannot store it, the callback is still signalled (built from the
 * parsed body, with an id derived from its bytes) and stored afterwards if Postgres is back; it is
 * `accepted` when either worked. A stored callback that could not be handed over stays
 * `signal_failed` (or `received` after a crash) for the reconciliation to hand over again.
 * The first callback that names a CheckoutRequestID gives it to a payment that has none (a push
 * whose answer timed out), so the payment can be found and reported by it.
 */
export async function receiveDarajaCallback(deps: CallbackDeps, received: ReceivedCallback): Promise<CallbackReceipt> {
  const { logger } = deps;
  const { text, exact } = storableText(received.raw);
  const truncated = received.receivedBytes > received.raw.length;
  const parsed = truncated ? null : parseStkCallback(parseJson(text));
  const row = { text, exact, truncated, parsed };
  let storedId: number;
  try {
    storedId = await storeReceived(deps.em, received, row, { disposition: 'received', signalId: null });
  } catch (err) {
    logger.error(
      { err, transactionId: received.transactionId },
      'could not store a Daraja callback; handing it over unstored',
    );
    return handOverUnstored(deps, received, row);
  }
  if (truncated)
    logger.warn(
      { callbackId: storedId, receivedBytes: received.receivedBytes },
      'oversized Daraja callback stored truncated',
    );
  if (!parsed || parsed.unusable) {
    await markCallbackDisposition(deps.em, storedId, 'malformed', null).catch(() => undefined);
    return { disposition: 'malformed', stored: true, signalled: false, accepted: true };
  }
  const disposition = await handOverStoredCallback(deps, {
    id: storedId,
    callbackId: storedId,
    transactionId: received.transactionId,
    parsed,
  });
  return { disposition, stored: true, signalled: HANDED_OVER.has(disposition), accepted: true };
}

/** Dispositions that mean the callback's workflow has it (or never needs it). */
const HANDED_OVER = new Set<CallbackDisposition>(['signalled', 'late']);

/** A stored callback, as the hand-over needs it. */
export interface StoredCallback {
  /** The row's id. */
  id: number;
  /** The id its workflow knows it by: the row's id, or the one derived from its bytes (signalled unstored). */
  callbackId: number;
  /** The payment id its URL named. */
  transactionId: number | null;
  parsed: ParsedCallback;
}

/**
 * Hands a stored callback to its payment's workflow (at-least-once: the workflow dedupes by
 * `callbackId`), or, when that workflow has closed, a success to a late-callback workflow. Writes
 * and returns the disposition: signalled, late, unmatched, mismatched, or signal_failed when
 * Temporal (or Postgres, midway) could not be reached. Never throws.
 */
export async function handOverStoredCallback(
  deps: CallbackDeps,
  callback: StoredCallback,
): Promise<CallbackDisposition> {
  const settle = async (disposition: CallbackDisposition, transactionId: number | null = null) => {
    await markCallbackDisposition(deps.em, callback.id, disposition, transactionId);
    return disposition;
  };
  try {
    return await handOver(deps, callback, settle);
  } catch (err) {
    // Stored: the reconciliation hands it over again; meanwhile the workflow's query may settle the payment.
    deps.logger.error({ err, callbackId: callback.id }, 'could not hand a stored Daraja callback over');
    return settle('signal_failed', null).catch(() => 'signal_failed' as const);
  }
}

interface StorableCallback {
  text: string;
  exact: boolean;
  truncated: boolean;
  parsed: ParsedCallback | null;
}

/** Stores the callback as received, with what its parse found, and answers its row id. */
async function storeReceived(
  em: EntityManager,
  received: ReceivedCallback,
  { text, exact, truncated, parsed }: StorableCallback,
  { disposition, signalId }: { disposition: CallbackDisposition; signalId: number | null },
): Promise<number> {
  return storeCallback(em, {
    rawBody: text,
    rawBytes: exact ? null : received.raw,
    receivedBytes: received.receivedBytes,
    truncated,
    sourceIp: received.sourceIp,
    checkoutRequestId: parsed?.checkoutRequestId ?? null,
    resultCode: parsed?.resultCode || null,
    problems: parsed?.unusable ?? (parsed?.problems.length ? parsed.problems.join('; ') : null),
    transaction: null,
    urlTransactionId: received.transactionId,
    signalId,
    disposition,
  });
}

/**
 * The id of a callback signalled while it could not be stored: derived from its bytes, so that the
 * same body arriving again is deduplicated by the workflow. Negative, never a row's id; 48 bits.
 */
export function unstoredCallbackId(raw: Buffer): number {
  return -parseInt(createHash('sha256').update(raw).digest('hex').slice(0, 12), 16);
}

/** Postgres could not store the callback: signal its workflow from the body, then store it if Postgres is back. */
async function handOverUnstored(
  deps: CallbackDeps,
  received: ReceivedCallback,
  row: StorableCallback,
): Promise<CallbackReceipt> {
  const refused: CallbackReceipt = { disposition: null, stored: false, signalled: false, accepted: false };
  const { parsed } = row;
  if (!parsed || parsed.unusable || received.transactionId === null) return refused;
  const transactionId = received.transactionId;
  const callbackId = unstoredCallbackId(received.raw);
  const outcome = outcomeOf(parsed, callbackId);
  let disposition: CallbackDisposition = 'signalled';
  try {
    await deps.temporal.workflow.getHandle(paymentWorkflowId(transactionId)).signal(darajaCallbackSignal, outcome);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) {
      deps.logger.error({ err, transactionId }, 'a Daraja callback could be neither stored nor signalled');
      return refused;
    }
    disposition = 'late';
    try {
      if (isSuccessCode(parsed.resultCode))
        await startLateCallback(deps, { id: transactionId, merchant: null }, outcome);
    } catch (lateErr) {
      deps.logger.error(
        { err: lateErr, transactionId },
        'a late Daraja callback could be neither stored nor handed over',
      );
      return refused;
    }
  }
  // Stored as already handed over, under the id the workflow knows it by, so a redrive is a duplicate.
  const stored = await storeReceived(sessionBeside(deps.em), received, row, { disposition, signalId: callbackId }).then(
    () => true,
    () => false,
  );
  return { disposition: stored ? disposition : null, stored, signalled: true, accepted: true };
}

function outcomeOf(parsed: ParsedCallback, callbackId: number): CallbackOutcome {
  return {
    callbackId,
    checkoutRequestId: parsed.checkoutRequestId,
    resultCode: parsed.resultCode,
    resultDesc: parsed.resultDesc,
    receipt: parsed.receipt,
    amount: parsed.amount,
    phoneNumber: parsed.phoneNumber,
    transactionDate: parsed.transactionDate,
    problems: parsed.problems,
  };
}

async function startLateCallback(
  { temporal, taskQueue, timings }: CallbackDeps,
  tx: { id: number; merchant: number | null },
  outcome: CallbackOutcome,
): Promise<void> {
  await temporal.workflow
    .start(lateCallbackWorkflow, {
      workflowId: lateCallbackWorkflowId(tx.id, outcome.callbackId),
      taskQueue,
      args: [{ transactionId: tx.id, callback: outcome, timings }],
      typedSearchAttributes: [
        { key: TRANSACTION_ID, value: String(tx.id) },
        ...(tx.merchant === null ? [] : [{ key: MERCHANT_ID, value: String(tx.merchant) }]),
        { key: PAYMENT_STATUS, value: 'late_callback' },
      ],
      staticSummary: `Late M-Pesa success for transaction ${tx.id}`,
    })
    .catch((err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err; // a redrive of one already handed over
    });
}

/** The body as text for the `raw_body` column, and whether that text is exactly the bytes received. */
function storableText(raw: Buffer): { text: string; exact: boolean } {
  // Postgres text cannot hold NUL; invalid UTF-8 decodes to U+FFFD. Either way the bytes are kept too.
  const text = raw.toString('utf8').replace(/\u0000/g, '\ufffd');
  return { text, exact: Buffer.from(text, 'utf8').equals(raw) };
}

function parseJson(text: string): unknown {
  try {
    // A UTF-8 byte order mark is not JSON, but some senders put one in front of it.
    return JSON.parse(text.replace(/^\ufeff/, ''));
  } catch {
    return null; // kept as text, marked malformed
  }
}

async function handOver(
  deps: CallbackDeps,
  { callbackId, transactionId, parsed }: StoredCallback,
  settle: (disposition: CallbackDisposition, transactionId?: number | null) => Promise<CallbackDisposition>,
): Promise<CallbackDisposition> {
  const { em, temporal, logger } = deps;
  const tx = await paymentForCallback(em, { transactionId, checkoutRequestId: parsed.checkoutRequestId });
  if (!tx) return settle('unmatched');
  if (!tx.checkoutRequestId && parsed.checkoutRequestId) {
    tx.checkoutRequestId = await adoptCheckoutRequestId(em, tx.id, {
      checkoutRequestId: parsed.checkoutRequestId,
      merchantRequestId: parsed.merchantRequestId,
    });
  }
  // The URL names one payment and the body another (or none, or another amount or phone where the
  // push has no id to compare): somebody replayed or forged a URL; do not act on it.
  if (
    !callbackMatchesPush(parsed, {
      checkoutRequestId: tx.checkoutRequestId,
      amount: tx.amount,
      phoneNumber: tx.phoneNumber,
    })
  ) {
    logger.warn({ callbackId, transactionId: tx.id }, 'callback CheckoutRequestID does not match its payment');
    return settle('mismatched', tx.id);
  }

  const outcome = outcomeOf(parsed, callbackId);
  try {
    await temporal.workflow.getHandle(tx.workflowId).signal(darajaCallbackSignal, outcome);
    return settle('signalled', tx.id);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      // The payment's workflow has closed (after its late-callback window). A success still counts.
      logger.warn({ callbackId, transactionId: tx.id }, 'callback arrived after the payment workflow closed');
      if (isSuccessCode(parsed.resultCode)) await startLateCallback(deps, tx, outcome);
      return settle('late', tx.id);
    }
    logger.error({ err, callbackId, transactionId: tx.id }, 'could not signal payment workflow');
    return settle('signal_failed', tx.id);
  }
}
