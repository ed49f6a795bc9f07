import { performance } from 'node:perf_hooks';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { FailureType } from '../domain/failureTypes';
import { buildReversalPayload, buildWebhookPayload } from '../domain/webhookPayload';
import type { Transaction } from '../db/entities';
import { SIGNATURE_HEADER, sign } from '../domain/webhookSignature';
import { webhookSendDecision } from '../domain/webhookDelivery';
import type { WebhookDelivery } from '../db/entities';
import { attemptStatusOf, webhookAttemptLimitMs } from '../domain/webhookRetry';
import type { BoundToSessions } from '../db/orm';
import type { webhookStatements } from '../db/webhookOutbox';
import { postChecked, type PostDeps, type PostOutcome } from './webhookPost';
import type { PaymentActivities } from './types';

export { MAX_ANSWER_BYTES } from './webhookPost';

export interface WebhookDeps extends PostDeps {
  /** db/webhookOutbox.ts, bound to the worker's ORM (a fake in unit tests). */
  webhookDb: BoundToSessions<typeof webhookStatements>;
  /** This worker's presence in Postgres (db/webhookAttempts.ts workerPresence), recorded on its attempts. */
  presence: () => Promise<string | null>;
  /** The HTTP POST of one attempt (webhookPost.ts postChecked unless a test passes its own). */
  post?: typeof postChecked;
  /** WEBHOOK_HTTP_TIMEOUT_MS: the deadline of one attempt, from claiming it to the end of the answer. */
  timeoutMs: number;
  /**
   * WEBHOOK_STALLED_ATTEMPT_WAIT_MS: how long past its lease an attempt still `sending` is waited for
   * while its worker stays connected (paused, not dead). Default DEFAULT_STALLED_WAIT_MS.
   */
  stalledWaitMs?: number;
  /** WEBHOOK_SECRET_KEY: opens merchants' signing secrets (sealed at rest). */
  secretKey: string;
}

/** WEBHOOK_STALLED_ATTEMPT_WAIT_MS's default: 5 minutes. */
export const DEFAULT_STALLED_WAIT_MS = 300_000;

type WebhookActivities = Pick<
  PaymentActivities,
  'deliverWebhook' | 'markWebhookGivenUp' | 'redeliverWebhook' | 'markRedeliveryGivenUp'
>;

/** Activities that deliver payment results to merchants, signed, and redeliver them on request. */
export function createWebhookActivities(deps: WebhookDeps): WebhookActivities {
  const db = deps.webhookDb;
  const send = sendOnce(deps);
  return {
    async deliverWebhook({ transactionId, event }) {
      const { payment: tx, merchant, linkId } = await db.paymentWithMerchant(transactionId);
      // A late success overtaking a failure, or a review ending before its notice went out: sending
      // now would tell the merchant what is no longer true (domain/webhookDelivery.ts).
      const decision = webhookSendDecision(tx, merchant.callbackUrl, event);
      if (!decision.send) {
        if (decision.supersede) await db.supersedePendingDelivery(transactionId, event);
        return { delivered: false, skippedReason: decision.reason };
      }

      const payload = event.startsWith('reversal.')
        ? await reversalPayload(db, tx, event as 'reversal.succeeded' | 'reversal.failed')
        : buildWebhookPayload({ ...tx, transactionId, linkId });
      // One delivery row per payment event; its payload is fixed when first created.
      const delivery = await db.ensurePaymentDelivery({
        merchantId: tx.merchant,
        transactionId,
        event,
        url: merchant.callbackUrl!,
        payload,
      });

      // Retries of the payment's own delivery keep the URL it was created for; any acceptance counts.
      const result = await send(delivery, { acceptedAfter: null, url: delivery.url, moveTo: null });
      if (result.delivered) return { delivered: true, skippedReason: null };
      throw rejected(result.outcome);
    },

    async markWebhookGivenUp({ transactionId, event }) {
      await db.givePaymentDeliveryUp(transactionId, event);
    },

    async redeliverWebhook({ deliveryId, requestedAt }) {
      const { delivery, merchant } = await db.deliveryWithMerchant(deliveryId);
      if (delivery.status === 'superseded') {
        throw ApplicationFailure.create({
          type: FailureType.WebhookRejected,
          message: 'The failure this delivery reports is no longer true',
          nonRetryable: true,
        });
      }
      // Only an acceptance after the merchant asked answers the ask (the payment's own retry, another
      // redelivery, or this one's earlier try). A redelivery goes to the URL the merchant has now:
      // that is usually why they asked for it.
      const result = await send(delivery, {
        acceptedAfter: requestedAt,
        url: merchant.callbackUrl,
        moveTo: merchant.callbackUrl,
      });
      if (result.delivered) return { delivered: true, attemptNo: result.attemptNo };
      throw rejected(result.outcome, { nonRetryable: merchant.callbackUrl === null });
    },

    async markRedeliveryGivenUp({ deliveryId }) {
      await db.giveRedeliveryUp(deliveryId);
    },
  };
}

interface AttemptOutcome {
  attemptNo: number;
  statusCode: number | null;
  error: string | null;
  excerpt: string | null;
}

/** delivered: attemptNo is this call's own accepted attempt, or null when an earlier one was accepted. */
type SendResult = { delivered: true; attemptNo: number | null } | { delivered: false; outcome: AttemptOutcome };

const accepted = (o: Pick<AttemptOutcome, 'statusCode'>) =>
  o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300;

function rejected(outcome: AttemptOutcome, { nonRetryable = false } = {}): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.WebhookRejected,
    message: outcome.error ?? `The receiver answered HTTP ${outcome.statusCode}`,
    nonRetryable,
  });
}

/** How often an attempt heartbeats and looks again at an earlier attempt it waits for. */
const HEARTBEAT_EVERY_MS = 1_000;
const WAIT_POLL_MS = 500;

/** Heartbeats when running as an activity (a dead worker then stops heartbeating and Temporal retries it elsewhere). */
function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not inside an activity (a script calling the activity directly): nothing to tell.
  }
}

/**
 * One attempt at a delivery, unless the receiver already accepted it:
 * 1. decide from the recorded attempts and record the new one `sending` with its lease
 *    (claimWebhookAttempt): already accepted → nothing is sent; an earlier attempt within its lease
 *    → wait for its answer; one past its lease whose worker is still connected (paused mid-call) →
 *    this activity attempt fails and Temporal retries it later, until that worker records its answer
 *    or the longest wait ends; attempts whose answer can no longer be learnt → recorded `unknown`,
 *    and the delivery is sent again with the same delivery id;
 * 2. POST it, heartbeating throughout, writing the request only before the attempt's deadline
 *    (WEBHOOK_HTTP_TIMEOUT_MS from just before step 1, so at least the lease margin before the lease ends);
 * 3. record the result and, on a 2xx, mark the delivery delivered, in one statement fenced by the lease.
 * The at-least-once window: the receiver accepted, but no 2xx was recorded before the lease ran out
 * and the worker is gone (README, "Webhooks are delivered at least once").
 */
function sendOnce(deps: WebhookDeps) {
  const leaseMs = webhookAttemptLimitMs(deps.timeoutMs);
  const { webhookDb: db, presence } = deps;
  const stalledWaitMs = deps.stalledWaitMs ?? DEFAULT_STALLED_WAIT_MS;
  return async (
    delivery: WebhookDelivery,
    { acceptedAfter, url, moveTo }: { acceptedAfter: number | null; url: string | null; moveTo: string | null },
  ): Promise<SendResult> => {
    const secret = await db.ensureWebhookSecret(delivery.merchant, deps.secretKey);
    for (;;) {
      // The deadline counts from before the claim: the lease (database clock) starts inside it, later.
      const deadline = performance.now() + deps.timeoutMs;
      const sender = await presence();
      const claim = await db.claimWebhookAttempt(delivery.id, {
        acceptedAfter,
        moveTo,
        leaseMs,
        stalledWaitMs,
        sender,
      });
      if (claim.kind === 'delivered') return { delivered: true, attemptNo: null };
      if (claim.kind === 'wait') {
        if (claim.reason === 'stalled') throw stalled(claim.attemptNo);
        heartbeat();
        await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_POLL_MS, claim.waitMs)));
        continue;
      }
      const outcome = await attemptDelivery(deps, delivery, secret, claim.attemptNo, url, deadline);
      return accepted(outcome) ? { delivered: true, attemptNo: outcome.attemptNo } : { delivered: false, outcome };
    }
  };
}

/** A retryable failure while an earlier attempt's worker is paused mid-call: Temporal tries again with backoff. */
function stalled(attemptNo: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.WebhookRejected,
    message:
      `Attempt ${attemptNo} is past its lease on a worker that is still connected (paused mid-call): ` +
      'waiting for its answer before sending again',
  });
}

/**
 * One claimed attempt (numbered and recorded `sending`): sign the body, POST it (unless the URL is
 * refused), record the result. The JSON body is serialised once and those exact bytes are both signed
 * and sent, with the delivery id (`X-ImaraPay-Delivery`) receivers dedupe on.
 */
async function attemptDelivery(
  deps: WebhookDeps,
  delivery: WebhookDelivery,
  secret: string,
  attemptNo: number,
  url: string | null,
  deadline: number,
): Promise<AttemptOutcome> {
  const startedAt = performance.now();
  const body = JSON.stringify(delivery.payload);
  const headers = {
    'X-ImaraPay-Event': delivery.event,
    'X-ImaraPay-Delivery': String(delivery.id),
    [SIGNATURE_HEADER]: sign({ secret, body, timestamp: Math.floor(Date.now() / 1000) }),
  };
  heartbeat();
  const beating = setInterval(heartbeat, HEARTBEAT_EVERY_MS);
  let outcome: PostOutcome;
  try {
    outcome =
      url === null
        ? { statusCode: null, error: 'Refused: The merchant has no callback URL', excerpt: null, sent: false }
        : await (deps.post ?? postChecked)(deps, url, body, headers, deadline);
  } finally {
    clearInterval(beating);
  }
  await deps.webhookDb.recordAttemptResult({
    deliveryId: delivery.id,
    attemptNo,
    status: attemptStatusOf(outcome),
    statusCode: outcome.statusCode,
    latencyMs: Math.round(performance.now() - startedAt),
    error: outcome.error,
    excerpt: outcome.excerpt,
  });
  return { attemptNo, statusCode: outcome.statusCode, error: outcome.error, excerpt: outcome.excerpt };
}

/** A reversal event's body, from the payment and its settled reversal. */
async function reversalPayload(
  db: Pick<BoundToSessions<typeof webhookStatements>, 'reversalOfPayment'>,
  tx: Transaction,
  event: 'reversal.succeeded' | 'reversal.failed',
): Promise<Record<string, unknown>> {
  const reversal = await db.reversalOfPayment(tx.id);
  if (!reversal)
    throw ApplicationFailure.create({
      type: FailureType.ReversalMissing,
      message: `Payment ${tx.id} has no reversal`,
      nonRetryable: true,
    });
  return buildReversalPayload({
    event,
    transactionId: tx.id,
    reversalId: reversal.id,
    amount: reversal.amount,
    fee: tx.fee,
    mpesaReceipt: reversal.receipt,
    reversalReceipt: reversal.reversalReceipt,
    resultCode: reversal.resultCode,
    resultDesc: reversal.resultDesc,
    decidedBy: reversal.decidedBy,
    externalReference: tx.externalReference,
    environment: tx.environment,
    completedAt: reversal.completedAt,
  });
}
