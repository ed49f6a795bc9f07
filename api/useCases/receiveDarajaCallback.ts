import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { parseStkCallback } from '../../domain/callback';
import { DarajaCallbackSchema, TransactionSchema, type CallbackDisposition } from '../../db/entities';
import { darajaCallbackSignal } from '../../workflows/definitions';
import type { Logger } from '../../config/logger';

export interface CallbackDeps {
  em: EntityManager;
  temporal: Client;
  logger: Logger;
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
  const { em, temporal, logger } = deps;
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

  try {
    await temporal.workflow.getHandle(tx.workflowId).signal(darajaCallbackSignal, { ...parsed, callbackId: stored.id });
    return settle('signalled', tx.id);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      // The payment's workflow has closed (after its late-callback window). The callback is kept for ops.
      logger.warn({ callbackId: stored.id, transactionId: tx.id }, 'callback arrived after the payment workflow closed');
      return settle('late', tx.id);
    }
    logger.error({ err, callbackId: stored.id, transactionId: tx.id }, 'could not signal payment workflow');
    return settle('signal_failed', tx.id);
  }
}
