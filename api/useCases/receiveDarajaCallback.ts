import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseStkCallback, type ParsedCallback } from '../../domain/callback';
import { DarajaCallbackSchema, TransactionSchema, type CallbackDisposition } from '../../db/entities';
import { darajaCallbackSignal, lateCallbackWorkflowId, type PaymentTimings } from '../../workflows/definitions';
import { lateCallbackWorkflow } from '../../workflows/lateCallback';
import { isSuccessCode, type CallbackOutcome } from '../../domain/payment';
import { TRANSACTION_ID, MERCHANT_ID, PAYMENT_STATUS } from '../../workflows/searchAttributes';
import type { Logger } from '../../config/logger';

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

/**
 * Stores a Daraja callback before anything else, then hands it to its payment's workflow.
 * Never throws for anything a sender can put in the body (size, encoding, BOM, control bytes,
 * absurd field lengths or types): Daraja must always get its "Accept", and every body is kept.
 * The first callback that names a CheckoutRequestID gives it to a payment that has none (a push
 * whose answer timed out), so the payment can be found and reported by it.
 */
export async function receiveDarajaCallback(deps: CallbackDeps, received: ReceivedCallback): Promise<CallbackDisposition> {
  const { em, logger } = deps;
  const { text, exact } = storableText(received.raw);
  const truncated = received.receivedBytes > received.raw.length;
  const parsed = truncated ? null : parseStkCallback(parseJson(text));
  const stored = em.create(DarajaCallbackSchema, {
    rawBody: text,
    rawBytes: exact ? null : received.raw,
    receivedBytes: received.receivedBytes,
    truncated,
    sourceIp: received.sourceIp,
    checkoutRequestId: parsed?.checkoutRequestId ?? null,
    resultCode: parsed?.resultCode || null,
    problems: parsed?.unusable ?? (parsed?.problems.length ? parsed.problems.join('; ') : null),
    transaction: null,
    disposition: 'received',
  } as never);
  await em.flush();
  if (truncated) logger.warn({ callbackId: stored.id, receivedBytes: received.receivedBytes }, 'oversized Daraja callback stored truncated');
  const settle = async (disposition: CallbackDisposition, transactionId: number | null = null) => {
    await em.nativeUpdate(DarajaCallbackSchema, { id: stored.id }, { disposition, transaction: transactionId });
    return disposition;
  };
  if (!parsed || parsed.unusable) return settle('malformed');
  try {
    return await handOver(deps, received, parsed, stored.id, settle);
  } catch (err) {
    // Stored, and the workflow's query or the late window still settles the payment; Daraja is answered.
    logger.error({ err, callbackId: stored.id }, 'could not hand a stored Daraja callback over');
    return settle('signal_failed', received.transactionId);
  }
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
  { em, temporal, logger, taskQueue, timings }: CallbackDeps,
  received: ReceivedCallback,
  parsed: ParsedCallback,
  callbackId: number,
  settle: (disposition: CallbackDisposition, transactionId?: number | null) => Promise<CallbackDisposition>,
): Promise<CallbackDisposition> {
  const tx = received.transactionId !== null
    ? await em.findOne(TransactionSchema, received.transactionId)
    : parsed.checkoutRequestId ? await em.findOne(TransactionSchema, { checkoutRequestId: parsed.checkoutRequestId }) : null;
  if (!tx) return settle('unmatched');
  if (!tx.checkoutRequestId && parsed.checkoutRequestId) {
    tx.checkoutRequestId = await adoptCheckoutRequestId(em, tx.id, parsed);
  }
  // The URL names one payment and the body another: somebody replayed a URL; do not act on it.
  if (tx.checkoutRequestId && parsed.checkoutRequestId && tx.checkoutRequestId !== parsed.checkoutRequestId) {
    logger.warn({ callbackId, transactionId: tx.id }, 'callback CheckoutRequestID does not match its payment');
    return settle('mismatched', tx.id);
  }

  const outcome: CallbackOutcome = {
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
  try {
    await temporal.workflow.getHandle(tx.workflowId).signal(darajaCallbackSignal, outcome);
    return settle('signalled', tx.id);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      // The payment's workflow has closed (after its late-callback window). A success still counts.
      logger.warn({ callbackId, transactionId: tx.id }, 'callback arrived after the payment workflow closed');
      if (isSuccessCode(parsed.resultCode)) {
        await temporal.workflow.start(lateCallbackWorkflow, {
          workflowId: lateCallbackWorkflowId(tx.id, callbackId),
          taskQueue,
          args: [{ transactionId: tx.id, callback: outcome, timings }],
          typedSearchAttributes: [
            { key: TRANSACTION_ID, value: String(tx.id) },
            { key: MERCHANT_ID, value: String(tx.merchant) },
            { key: PAYMENT_STATUS, value: 'late_callback' },
          ],
          staticSummary: `Late M-Pesa success for transaction ${tx.id}`,
        });
      }
      return settle('late', tx.id);
    }
    logger.error({ err, callbackId, transactionId: tx.id }, 'could not signal payment workflow');
    return settle('signal_failed', tx.id);
  }
}

/**
 * Gives a payment that has no CheckoutRequestID (its push answer timed out) the one its callback
 * names, with the MerchantRequestID, in one conditional write: the first callback to name one wins.
 * Returns the id the payment holds afterwards; an id another payment already holds is not taken.
 */
async function adoptCheckoutRequestId(em: EntityManager, transactionId: number, parsed: ParsedCallback): Promise<string | null> {
  const taken = await em.findOne(TransactionSchema, { checkoutRequestId: parsed.checkoutRequestId }, { fields: ['id'] });
  if (!taken) {
    await em
      .nativeUpdate(
        TransactionSchema,
        { id: transactionId, checkoutRequestId: null },
        { checkoutRequestId: parsed.checkoutRequestId, merchantRequestId: parsed.merchantRequestId },
      )
      .catch((err: unknown) => {
        if (!(err instanceof UniqueConstraintViolationException)) throw err; // another payment took it meanwhile
      });
  }
  const [row] = await em.getConnection().execute<{ checkout_request_id: string | null }[]>('select checkout_request_id from transactions where id = ?', [transactionId]);
  return row?.checkout_request_id ?? null;
}
