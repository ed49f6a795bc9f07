/**
 * What one webhook attempt has recorded so far:
 * - sending: recorded before the POST; the receiver's answer is not known yet (or never will be, when
 *   the worker died or stalled during the call).
 * - accepted: the receiver answered 2xx (possibly learnt after the attempt's lease, from a worker
 *   that resumed: the answer is a fact whenever it arrives).
 * - rejected: it answered something else.
 * - failed: nothing reached the receiver: the URL was refused, the connection could not be made, or
 *   the attempt's lease ran out before its request was written.
 * - unknown: the request may have reached the receiver but no answer was recorded: the deadline
 *   passed or the connection broke after the request was written, or the attempt was still `sending`
 *   when its lease ran out and its worker was gone (or stalled past the longest wait).
 */
export type WebhookAttemptStatus = 'sending' | 'accepted' | 'rejected' | 'failed' | 'unknown';

/** The parts of an attempt row that decide what a new attempt does. */
export interface AttemptRecord {
  attemptNo: number;
  status: WebhookAttemptStatus;
  startedAt: Date;
  /** Milliseconds from start to answer; 0 while `sending`. */
  latencyMs: number;
  /**
   * The end of the attempt's lease (database clock): its worker sends nothing after it, and no other
   * attempt starts before it while this one is `sending`.
   */
  leaseExpiresAt: Date;
  /**
   * Whether the worker that made the attempt still holds its database session (a stopped or paused
   * process keeps its connections open; a dead one's are closed by its kernel at once).
   */
  senderConnected: boolean;
}

/**
 * What an attempt does before it sends:
 * - delivered: the receiver already accepted this delivery (after `acceptedAfter`): send nothing.
 * - wait: attempt `attemptNo` may still be answered: its lease runs until `until` (epoch ms,
 *   `reason: 'leased'`), or its lease ran out but its worker is still connected, stalled mid-call,
 *   and may yet read and record the receiver's answer (`reason: 'stalled'`; waited for at most until
 *   `until`, the lease's end plus the longest wait).
 * - send: send now (with the same delivery id); `abandoned` are attempts left `sending` whose outcome
 *   can no longer be learnt, to be recorded as `unknown` first.
 */
export type SendDecision =
  | { kind: 'delivered'; attemptNo: number | null }
  | { kind: 'wait'; attemptNo: number; until: number; reason: 'leased' | 'stalled' }
  | { kind: 'send'; abandoned: number[] };

/**
 * Decides whether a webhook attempt should POST, given the delivery and its attempts so far.
 *
 * The rule that keeps a paused worker from making the receiver accept twice: a second attempt never
 * starts while the first could still send (its lease, the HTTP deadline plus a margin, has not run
 * out), nor while the first's worker is still connected and may still read the answer the receiver
 * gave it (up to `stalledWaitMs` past the lease). Only when the sender is gone (or stalled beyond
 * that) is its outcome declared unknown and the event sent again.
 *
 * @param input.deliveryStatus the delivery's status; `delivered` counts only when `deliveredAt` is
 *   after `acceptedAfter`.
 * @param input.acceptedAfter epoch ms: only acceptances answered after this moment count (a merchant's
 *   redelivery request asks for a new acceptance); null for the payment's own delivery (any counts).
 * @param input.stalledWaitMs how long past its lease an attempt whose worker is still connected is
 *   waited for, in ms.
 * @param input.now epoch ms, on the same clock as the leases (the database's).
 */
export function decideWebhookSend(input: {
  deliveryStatus: string;
  deliveredAt: Date | null;
  attempts: readonly AttemptRecord[];
  acceptedAfter: number | null;
  stalledWaitMs: number;
  now: number;
}): SendDecision {
  const after = input.acceptedAfter ?? Number.NEGATIVE_INFINITY;
  if (input.deliveryStatus === 'delivered' && (input.deliveredAt?.getTime() ?? Number.POSITIVE_INFINITY) > after) {
    return { kind: 'delivered', attemptNo: null };
  }
  const accepted = input.attempts.find((a) => a.status === 'accepted' && a.startedAt.getTime() + a.latencyMs > after);
  if (accepted) return { kind: 'delivered', attemptNo: accepted.attemptNo };

  const sending = input.attempts.filter((a) => a.status === 'sending');
  // Each attempt still `sending` may hold the answer for a while: within its lease always, beyond it
  // while its worker is connected (up to the longest wait). The one that may hold it longest decides.
  const holding = sending
    .map((a) => {
      const lease = a.leaseExpiresAt.getTime();
      if (lease > input.now) return { attemptNo: a.attemptNo, until: lease, reason: 'leased' as const };
      const stalledUntil = lease + input.stalledWaitMs;
      if (a.senderConnected && stalledUntil > input.now)
        return { attemptNo: a.attemptNo, until: stalledUntil, reason: 'stalled' as const };
      return null;
    })
    .filter((h) => h !== null)
    .sort((a, b) => b.until - a.until)[0];
  if (holding) return { kind: 'wait', ...holding };
  return { kind: 'send', abandoned: sending.map((a) => a.attemptNo).sort((a, b) => a - b) };
}

/**
 * The HTTP timeout of one webhook POST, in ms, when a workflow's timings predate that setting
 * (WEBHOOK_HTTP_TIMEOUT_MS's default).
 */
export const DEFAULT_WEBHOOK_HTTP_TIMEOUT_MS = 10_000;

/** The margin of an attempt's lease beyond its HTTP deadline: signing, checks and recording the answer. */
export const WEBHOOK_LEASE_MARGIN_MS = 5_000;

/**
 * An attempt's lease, in ms: its HTTP timeout plus WEBHOOK_LEASE_MARGIN_MS. The worker stops sending
 * at the HTTP deadline (counted from before the attempt was claimed), so the lease outlasts its last
 * possible write by at least the margin; another attempt waits at least this long.
 */
export const webhookAttemptLimitMs = (httpTimeoutMs: number): number => httpTimeoutMs + WEBHOOK_LEASE_MARGIN_MS;

/**
 * What an attempt records once its POST is over, from what it knows:
 * - the receiver answered → `accepted` (2xx) or `rejected`, whenever the answer came;
 * - no answer, and the request was never written (refused, connection failed, lease ran out before
 *   sending) → `failed`: the receiver cannot have it;
 * - no answer after the request was written (deadline, reset, cancelled) → `unknown`.
 */
export function attemptStatusOf(outcome: {
  statusCode: number | null;
  sent: boolean;
}): Exclude<WebhookAttemptStatus, 'sending'> {
  if (outcome.statusCode !== null)
    return outcome.statusCode >= 200 && outcome.statusCode < 300 ? 'accepted' : 'rejected';
  return outcome.sent ? 'unknown' : 'failed';
}
