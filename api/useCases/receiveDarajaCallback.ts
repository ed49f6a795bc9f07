import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseStkCallback } from '../../domain/callback';
import { DarajaCallbackSchema, TransactionSchema, type CallbackDisposition } from '../../db/entities';
import { darajaCallbackSignal, lateCallbackWorkflowId, type PaymentTimings } from '../../workflows/definitions';
import { lateCallbackWorkflow } from '../../workflows/lateCallback';
import { isSuccessCode } from '../../domain/payment';
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
  rawBody: string;
  /** The payment id from the CallBackURL path, when present and numeric. */
  transactionId: number | null;
  sourceIp: string | null;
}

/**
 * Stores a Daraja callback before anything else, then hands it to its payment's workflow.
 * Never throws for a bad callback: Daraja must always get its "Accept".
 */
export async function receiveDarajaCallback(deps: CallbackDeps, received: ReceivedCallback): Promise<CallbackDisposition> {
  const { em, temporal, logger, taskQueue, timings } = deps;
  let body: unknown = null;
  try {
    body = JSON.parse(received.rawBody);
  } catch {
    // kept as text below, marked malformed
  }
  const parsed = parseStkCallback(body);
  const stored = em.create(DarajaCallbackSchema, {
    rawBody: received.rawBody,
    sourceIp: received.sourceIp,
    checkoutRequestId: parsed?.checkoutRequestId ?? null,
    resultCode: parsed?.resultCode ?? null,
    transaction: null,
    disposition: 'received',
  } as never);
  await em.flush();
  const settle = async (disposition: CallbackDisposition, transactionId: number | null = null) => {
    await em.nativeUpdate(DarajaCallbackSchema, { id: stored.id }, { disposition, transaction: transactionId });
    return disposition;
  };

  if (!parsed) return settle('malformed');
  const tx = received.transactionId !== null
    ? await em.findOne(TransactionSchema, received.transactionId)
    : parsed.checkoutRequestId ? await em.findOne(TransactionSchema, { checkoutRequestId: parsed.checkoutRequestId }) : null;
  if (!tx) return settle('unmatched');
  // The URL names one payment and the body another: somebody replayed a URL; do not act on it.
  if (tx.checkoutRequestId && parsed.checkoutRequestId && tx.checkoutRequestId !== parsed.checkoutRequestId) {
    logger.warn({ callbackId: stored.id, transactionId: tx.id }, 'callback CheckoutRequestID does not match its payment');
    return settle('mismatched', tx.id);
  }

  const outcome = { ...parsed, callbackId: stored.id };
  try {
    await temporal.workflow.getHandle(tx.workflowId).signal(darajaCallbackSignal, outcome);
    return settle('signalled', tx.id);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      // The payment's workflow has closed (after its late-callback window). A success still counts.
      logger.warn({ callbackId: stored.id, transactionId: tx.id }, 'callback arrived after the payment workflow closed');
      if (isSuccessCode(parsed.resultCode)) {
        await temporal.workflow.start(lateCallbackWorkflow, {
          workflowId: lateCallbackWorkflowId(tx.id, stored.id),
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
    logger.error({ err, callbackId: stored.id, transactionId: tx.id }, 'could not signal payment workflow');
    return settle('signal_failed', tx.id);
  }
}
