import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { decideWebhookSend, type WebhookAttemptStatus } from '../domain/webhookRetry';

/**
 * What a webhook attempt may do, decided under the delivery's row lock:
 * - delivered: the receiver already accepted it: send nothing;
 * - wait: an earlier attempt may still be answered; look again in `waitMs` (`reason` as in
 *   SendDecision: `leased` within its lease, `stalled` beyond it while its worker is connected);
 * - send: attempt `attemptNo` is recorded `sending` with its lease; send it.
 */
export type AttemptClaim =
  | { kind: 'delivered' }
  | { kind: 'wait'; attemptNo: number; waitMs: number; reason: 'leased' | 'stalled' }
  | { kind: 'send'; attemptNo: number };

/**
 * The worker's presence in Postgres: one session held open for the life of the process, outside the
 * pool (whose idle connections come and go). Attempts record it as their `sender`; while it is
 * connected, the process is alive, if perhaps paused (a paused process keeps its sockets; a dead one's
 * are closed by its kernel at once). Its socket does not keep the process running.
 *
 * Answers a function giving the session's id (`<backend pid>@<backend start, epoch s>`), reconnecting
 * when the session was lost (a Postgres restart), or null when Postgres cannot be reached now.
 */
export function workerPresence(databaseUrl: string): () => Promise<string | null> {
  let current: { client: pg.Client; id: string } | null = null;
  return async () => {
    if (current) return current.id;
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'imarapay-worker-presence' });
    try {
      await client.connect();
      const { rows } = await client.query<{ id: string }>(
        `select pid::text || '@' || extract(epoch from backend_start)::text as id
           from pg_stat_activity where pid = pg_backend_pid()`,
      );
      const held = { client, id: rows[0]!.id };
      const drop = () => {
        if (current === held) current = null;
      };
      client.on('error', drop);
      client.on('end', drop);
      (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      current = held;
      return held.id;
    } catch {
      await client.end().catch(() => undefined);
      return null;
    }
  };
}

/** Recorded on attempts that a later one found `sending` with no way left to learn their answer. */
const ABANDONED =
  "The worker stopped during this attempt, or stalled past the longest wait: the receiver's answer is unknown, so it was sent again";

/** A Postgres error's SQLSTATE, when it has one. */
const sqlStateOf = (err: unknown): string | undefined => (err as { code?: string } | null)?.code;

/**
 * Decides (decideWebhookSend) and, when it is to send, records the attempt `sending` with its lease,
 * in one transaction holding the delivery row's lock: two activities on one delivery (the payment's
 * own retry and a redelivery) decide one after the other. Times are the database's (leases are
 * compared across workers without trusting their clocks).
 *
 * The transaction waits at most 2 s for the lock and may sit idle at most 10 s: a worker paused in
 * the middle of it is cut off by Postgres (its transaction rolled back, nothing sent) rather than
 * holding the delivery for as long as it is paused. A lock not granted in time answers `wait`.
 *
 * @param opts.acceptedAfter epoch ms after which an acceptance must have been answered, or null.
 * @param opts.moveTo a URL to record on the delivery (a redelivery to the merchant's current URL), or null.
 * @param opts.leaseMs the new attempt's lease, in ms from its start.
 * @param opts.stalledWaitMs how long past its lease a still-connected sender is waited for, in ms.
 * @param opts.sender the claiming worker's presence session, recorded on the attempt.
 */
export async function claimWebhookAttempt(
  em: EntityManager,
  deliveryId: number,
  opts: {
    acceptedAfter: number | null;
    moveTo: string | null;
    leaseMs: number;
    stalledWaitMs: number;
    /** The claiming worker's presence (workerPresence), or null when unknown (then it is never waited for past its lease). */
    sender: string | null;
  },
): Promise<AttemptClaim> {
  try {
    return await em.getKnex().transaction(async (trx) => {
      const rows = async <T>(sql: string, params: unknown[]) =>
        ((await trx.raw(sql, params as never[])) as { rows: T[] }).rows;
      await trx.raw("set local lock_timeout = '2s'");
      await trx.raw("set local idle_in_transaction_session_timeout = '10s'");
      const [current] = await rows<{ status: string; delivered_at: Date | null; now_ms: number }>(
        `select status, delivered_at, extract(epoch from clock_timestamp())::float8 * 1000 as now_ms
           from webhook_deliveries where id = ? for update`,
        [deliveryId],
      );
      type AttemptRow = {
        attempt_no: number;
        status: WebhookAttemptStatus;
        started_at: Date;
        latency_ms: number;
        lease_expires_at: Date;
        sender_connected: boolean;
      };
      // A sender counts as connected while its database session (pid and start) still exists; only
      // asked about attempts still `sending` past their lease.
      const attempts = await rows<AttemptRow>(
        `select a.attempt_no, a.status, a.started_at, a.latency_ms, a.lease_expires_at,
                case when a.status = 'sending' and a.lease_expires_at <= clock_timestamp() and a.sender is not null
                     then exists (select 1 from pg_stat_activity s
                                   where s.pid::text || '@' || extract(epoch from s.backend_start)::text = a.sender)
                     else false end as sender_connected
           from webhook_attempts a where a.delivery_id = ? order by a.attempt_no`,
        [deliveryId],
      );
      const now = Number(current!.now_ms);
      const decision = decideWebhookSend({
        deliveryStatus: current!.status,
        deliveredAt: current!.delivered_at ? new Date(current!.delivered_at) : null,
        attempts: attempts.map((a) => ({
          attemptNo: a.attempt_no,
          status: a.status,
          startedAt: new Date(a.started_at),
          latencyMs: a.latency_ms,
          leaseExpiresAt: new Date(a.lease_expires_at),
          senderConnected: a.sender_connected,
        })),
        acceptedAfter: opts.acceptedAfter,
        stalledWaitMs: opts.stalledWaitMs,
        now,
      });
      if (decision.kind === 'delivered') {
        if (current!.status !== 'delivered') {
          // An accepted attempt whose delivery was not marked (rows written before both were one statement).
          await trx.raw("update webhook_deliveries set status = 'delivered', delivered_at = now() where id = ?", [
            deliveryId,
          ]);
        }
        return { kind: 'delivered' } as const;
      }
      if (decision.kind === 'wait') {
        return {
          kind: 'wait',
          attemptNo: decision.attemptNo,
          waitMs: Math.max(0, decision.until - now),
          reason: decision.reason,
        } as const;
      }
      if (decision.abandoned.length > 0) {
        await trx.raw(
          `update webhook_attempts set status = 'unknown', error = ?
            where delivery_id = ? and status = 'sending'
              and attempt_no in (${decision.abandoned.map(() => '?').join(', ')})`,
          [ABANDONED, deliveryId, ...decision.abandoned],
        );
      }
      const [{ attempt_no: attemptNo }] = await rows<{ attempt_no: number }>(
        `with d as (
           update webhook_deliveries set attempts = attempts + 1, last_attempt_at = clock_timestamp(), url = coalesce(?, url)
            where id = ? returning id, attempts
         )
         insert into webhook_attempts (delivery_id, attempt_no, status, started_at, latency_ms, lease_expires_at, sender)
         select id, attempts, 'sending', clock_timestamp(), 0, clock_timestamp() + ? * interval '1 millisecond', ?
           from d returning attempt_no`,
        [opts.moveTo, deliveryId, opts.leaseMs, opts.sender],
      );
      return { kind: 'send', attemptNo: attemptNo! } as const;
    });
  } catch (err) {
    // 55P03 lock_not_available: another worker holds the delivery (perhaps paused mid-claim).
    if (sqlStateOf(err) === '55P03') return { kind: 'wait', attemptNo: 0, waitMs: 0, reason: 'leased' };
    throw err;
  }
}

/** An attempt's result, as its worker learnt it. */
export interface AttemptResult {
  deliveryId: number;
  attemptNo: number;
  status: Exclude<WebhookAttemptStatus, 'sending'>;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  excerpt: string | null;
}

/** Noted on an answer recorded after the attempt's lease ran out. */
const LATE = "Recorded after the attempt's lease ran out: its worker was stalled or cut off from the database";

/**
 * Records an attempt's result and, on `accepted`, marks the delivery delivered, in one statement
 * fenced by the attempt's lease: it applies only while the attempt is still `sending` and its lease
 * (database clock) has not run out. Answers `on_time` when it applied.
 *
 * Past its lease, another attempt may have declared this one `unknown` and sent again. A worker that
 * resumes then records only what adds knowledge (`late`): an answer (`accepted`, `rejected`) or that
 * nothing was sent (`failed`) replaces `sending` or `unknown`; having no answer leaves `unknown`
 * (and turns `sending` into it). It never overwrites an answer already recorded (`kept`).
 */
export async function recordAttemptResult(em: EntityManager, r: AttemptResult): Promise<'on_time' | 'late' | 'kept'> {
  const connection = em.getConnection();
  const accepted = r.status === 'accepted';
  const [onTime] = await connection.execute<{ n: number }[]>(
    `with a as (
       update webhook_attempts set status = ?, status_code = ?, latency_ms = ?, error = ?, response_excerpt = ?
        where delivery_id = ? and attempt_no = ? and status = 'sending' and lease_expires_at > clock_timestamp()
       returning delivery_id
     ), d as (
       update webhook_deliveries set status = 'delivered', delivered_at = now()
        where id = (select delivery_id from a) and ?::boolean returning id
     )
     select (select count(*) from a)::int as n`,
    [r.status, r.statusCode, r.latencyMs, r.error, r.excerpt, r.deliveryId, r.attemptNo, accepted],
  );
  if (onTime!.n > 0) return 'on_time';
  const knowsMore = r.status !== 'unknown';
  const [late] = await connection.execute<{ n: number }[]>(
    `with a as (
       update webhook_attempts set status = ?, status_code = ?, latency_ms = ?, error = ?, response_excerpt = ?
        where delivery_id = ? and attempt_no = ? and (status = 'sending' or (status = 'unknown' and ?::boolean))
       returning delivery_id
     ), d as (
       update webhook_deliveries set status = 'delivered', delivered_at = now()
        where id = (select delivery_id from a) and ?::boolean and status <> 'delivered' returning id
     )
     select (select count(*) from a)::int as n`,
    [
      r.status,
      r.statusCode,
      r.latencyMs,
      r.error ? `${r.error}. ${LATE}` : LATE,
      r.excerpt,
      r.deliveryId,
      r.attemptNo,
      knowsMore,
      accepted,
    ],
  );
  return late!.n > 0 ? 'late' : 'kept';
}
