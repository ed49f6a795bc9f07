/**
 * What one webhook attempt has recorded so far:
 * - sending: recorded before the POST; the receiver's answer is not known yet (or never will be, when
 *   the worker died during the call).
 * - accepted: the receiver answered 2xx.
 * - rejected: it answered something else.
 * - failed: no answer (timeout, connection refused) or the URL was refused before sending.
 * - unknown: a later attempt found it still `sending` after the call could have ended: the worker
 *   stopped mid-call, so the receiver may or may not have accepted it.
 */
export type WebhookAttemptStatus = 'sending' | 'accepted' | 'rejected' | 'failed' | 'unknown';

/** The parts of an attempt row that decide what a new attempt does. */
export interface AttemptRecord {
  attemptNo: number;
  status: WebhookAttemptStatus;
  startedAt: Date;
  /** Milliseconds from start to answer; 0 while `sending`. */
  latencyMs: number;
}

/**
 * What an attempt does before it sends:
 * - delivered: the receiver already accepted this delivery (after `acceptedAfter`): send nothing.
 * - wait: attempt `attemptNo` may still be under way on another worker (its HTTP call could still be
 *   running until `until`, epoch ms): wait for its answer before deciding again.
 * - send: send now (with the same delivery id); `abandoned` are attempts left `sending` by a worker
 *   that stopped mid-call, to be recorded as `unknown` first.
 */
export type SendDecision =
  | { kind: 'delivered'; attemptNo: number | null }
  | { kind: 'wait'; attemptNo: number; until: number }
  | { kind: 'send'; abandoned: number[] };

/**
 * Decides whether a webhook attempt should POST, given the delivery and its attempts so far.
 *
 * @param input.deliveryStatus the delivery's status; `delivered` counts only when `deliveredAt` is
 *   after `acceptedAfter`.
 * @param input.acceptedAfter epoch ms: only acceptances answered after this moment count (a merchant's
 *   redelivery request asks for a new acceptance); null for the payment's own delivery (any counts).
 * @param input.attemptLimitMs how long a live attempt can possibly stay `sending` (the HTTP timeout
 *   plus the time to record the answer), in ms.
 * @param input.now epoch ms.
 */
export function decideWebhookSend(input: {
  deliveryStatus: string;
  deliveredAt: Date | null;
  attempts: readonly AttemptRecord[];
  acceptedAfter: number | null;
  attemptLimitMs: number;
  now: number;
}): SendDecision {
  const after = input.acceptedAfter ?? Number.NEGATIVE_INFINITY;
  if (input.deliveryStatus === 'delivered' && (input.deliveredAt?.getTime() ?? Number.POSITIVE_INFINITY) > after) {
    return { kind: 'delivered', attemptNo: null };
  }
  const accepted = input.attempts.find((a) => a.status === 'accepted' && a.startedAt.getTime() + a.latencyMs > after);
  if (accepted) return { kind: 'delivered', attemptNo: accepted.attemptNo };

  const sending = input.attempts.filter((a) => a.status === 'sending');
  // The newest in-flight attempt that could still be running decides how long to wait.
  const live = sending
    .map((a) => ({ attemptNo: a.attemptNo, until: a.startedAt.getTime() + input.attemptLimitMs }))
    .filter((a) => a.until > input.now)
    .sort((a, b) => b.until - a.until)[0];
  if (live) return { kind: 'wait', attemptNo: live.attemptNo, until: live.until };
  return { kind: 'send', abandoned: sending.map((a) => a.attemptNo).sort((a, b) => a - b) };
}

/**
 * The HTTP timeout of one webhook POST, in ms, when a workflow's timings predate that setting
 * (WEBHOOK_HTTP_TIMEOUT_MS's default).
 */
export const DEFAULT_WEBHOOK_HTTP_TIMEOUT_MS = 10_000;

/**
 * How long a live attempt can stay `sending`, in ms: its HTTP timeout plus a margin for signing and
 * recording the answer. A `sending` attempt older than this was abandoned by a worker that stopped.
 */
export const webhookAttemptLimitMs = (httpTimeoutMs: number): number => httpTimeoutMs + 5_000;
