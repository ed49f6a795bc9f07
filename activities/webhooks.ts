import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { lookup as dnsLookup } from 'node:dns/promises';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AxiosInstance } from 'axios';
import { FailureType } from '../domain/failureTypes';
import { buildWebhookPayload } from '../domain/webhookPayload';
import { SIGNATURE_HEADER, sign } from '../domain/webhookSignature';
import { responseExcerptOf } from '../domain/responseExcerpt';
import { checkCallbackUrl, checkResolvedAddresses, type LookupAll } from '../domain/urlSafety';
import { MerchantSchema, TransactionSchema, WebhookDeliverySchema, type WebhookDelivery } from '../db/entities';
import { decideWebhookSend, webhookAttemptLimitMs, type WebhookAttemptStatus } from '../domain/webhookRetry';
import { ensureWebhookSecret } from '../db/webhookSecrets';
import type { PaymentActivities } from './types';

export interface WebhookDeps {
  orm: MikroORM;
  http: AxiosInstance;
  timeoutMs: number;
  /** WEBHOOK_SECRET_KEY: opens merchants' signing secrets (sealed at rest). */
  secretKey: string;
  /**
   * Refuse, at every attempt, callback URLs that are or resolve to non-public addresses (DNS
   * rebinding): always, unless WEBHOOK_ALLOW_PRIVATE_TARGETS (development only) is set.
   */
  publicUrlsOnly: boolean;
  /** Production: refuse plain-HTTP callback URLs at every attempt. */
  httpsOnly: boolean;
  /** Name resolution for that check; the system resolver unless a test passes its own. */
  lookup?: LookupAll;
}

type WebhookActivities = Pick<
  PaymentActivities,
  'deliverWebhook' | 'markWebhookGivenUp' | 'redeliverWebhook' | 'markRedeliveryGivenUp'
>;

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Activities that deliver payment results to merchants, signed, and redeliver them on request. */
export function createWebhookActivities(deps: WebhookDeps): WebhookActivities {
  const { orm } = deps;
  const send = sendOnce(deps);
  return {
    async deliverWebhook({ transactionId, event }) {
      const em = orm.em.fork();
      const tx = await em.findOneOrFail(TransactionSchema, transactionId);
      const merchant = await em.findOneOrFail(MerchantSchema, tx.merchant);
      if (!merchant.callbackUrl) return { delivered: false, skippedReason: 'The merchant has no callback URL' };
      // Webhooks tell merchants about their customers' payments; a wallet top-up shows in the wallet.
      if (tx.purpose === 'wallet_top_up')
        return { delivered: false, skippedReason: 'Wallet top-ups are not sent as webhooks' };
      if (event === 'payment.failed' && tx.status === 'completed') {
        // A late success overtook this failure: sending it now would tell the merchant the opposite of the truth.
        await em.nativeUpdate(
          WebhookDeliverySchema,
          { transaction: transactionId, event, status: 'pending' },
          { status: 'superseded' },
        );
        return { delivered: false, skippedReason: 'The payment completed since; the failure is no longer true' };
      }

      if (event === 'payment.review_started' && tx.status !== 'needs_review') {
        // The review ended before its notice went out: the ending's own event tells the merchant.
        await em.nativeUpdate(
          WebhookDeliverySchema,
          { transaction: transactionId, event, status: 'pending' },
          { status: 'superseded' },
        );
        return { delivered: false, skippedReason: 'The review has ended; its ending is sent instead' };
      }

      // One delivery row per payment event; its payload is fixed when first created.
      await em.getConnection().execute(
        `insert into webhook_deliveries (merchant_id, transaction_id, event, url, payload)
         values (?, ?, ?, ?, ?) on conflict (transaction_id, event) do nothing`,
        [
          tx.merchant,
          transactionId,
          event,
          merchant.callbackUrl,
          JSON.stringify(buildWebhookPayload({ ...tx, transactionId })),
        ],
      );
      const delivery = await em.findOneOrFail(WebhookDeliverySchema, { transaction: transactionId, event });

      // Retries of the payment's own delivery keep the URL it was created for; any acceptance counts.
      const result = await send(em, delivery, { acceptedAfter: null, url: delivery.url, moveTo: null });
      if (result.delivered) return { delivered: true, skippedReason: null };
      throw rejected(result.outcome);
    },

    async markWebhookGivenUp({ transactionId, event }) {
      await orm.em
        .fork()
        .nativeUpdate(
          WebhookDeliverySchema,
          { transaction: transactionId, event, status: 'pending' },
          { status: 'failed' },
        );
    },

    async redeliverWebhook({ deliveryId, requestedAt }) {
      const em = orm.em.fork();
      const delivery = await em.findOneOrFail(WebhookDeliverySchema, deliveryId);
      if (delivery.status === 'superseded') {
        throw ApplicationFailure.create({
          type: FailureType.WebhookRejected,
          message: 'The failure this delivery reports is no longer true',
          nonRetryable: true,
        });
      }
      const merchant = await em.findOneOrFail(MerchantSchema, delivery.merchant);
      // Only an acceptance after the merchant asked answers the ask (the payment's own retry, another
      // redelivery, or this one's earlier try). A redelivery goes to the URL the merchant has now:
      // that is usually why they asked for it.
      const result = await send(em, delivery, {
        acceptedAfter: requestedAt,
        url: merchant.callbackUrl,
        moveTo: merchant.callbackUrl,
      });
      if (result.delivered) return { delivered: true, attemptNo: result.attemptNo };
      throw rejected(result.outcome, { nonRetryable: merchant.callbackUrl === null });
    },

    async markRedeliveryGivenUp({ deliveryId }) {
      await orm.em
        .fork()
        .nativeUpdate(WebhookDeliverySchema, { id: deliveryId, status: 'pending' }, { status: 'failed' });
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

const ABANDONED = "The worker stopped during this attempt: the receiver's answer is unknown, so it was sent again";

/**
 * One attempt at a delivery, unless the receiver already accepted it:
 * 1. decide from the recorded attempts (decideWebhookSend): already accepted → nothing is sent; an
 *    earlier attempt possibly still under way → wait for its answer; attempts left `sending` by a
 *    worker that stopped → recorded `unknown`, and the delivery is sent again with the same delivery id;
 * 2. record the attempt `sending` with its number (one statement), before anything is sent;
 * 3. POST it, heartbeating throughout;
 * 4. record the answer and, on a 2xx, mark the delivery delivered, in one statement.
 * A worker dying between 3 and 4 leaves the attempt `sending`: the at-least-once window.
 */
function sendOnce(deps: WebhookDeps) {
  const limitMs = webhookAttemptLimitMs(deps.timeoutMs);
  return async (
    em: EntityManager,
    delivery: WebhookDelivery,
    { acceptedAfter, url, moveTo }: { acceptedAfter: number | null; url: string | null; moveTo: string | null },
  ): Promise<SendResult> => {
    const secret = await ensureWebhookSecret(em, delivery.merchant, deps.secretKey);
    for (;;) {
      const claim = await claimAttempt(em, delivery.id, { acceptedAfter, moveTo, limitMs });
      if (claim.kind === 'delivered') return { delivered: true, attemptNo: null };
      if (claim.kind === 'wait') {
        heartbeat();
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(WAIT_POLL_MS, Math.max(0, claim.until - Date.now()))),
        );
        continue;
      }
      const outcome = await attemptDelivery(deps, em, delivery, secret, claim, url);
      return accepted(outcome) ? { delivered: true, attemptNo: outcome.attemptNo } : { delivered: false, outcome };
    }
  };
}

type Claim =
  { kind: 'delivered' } | { kind: 'wait'; until: number } | { kind: 'send'; attemptNo: number; startedAt: Date };

/**
 * Steps 1 and 2 of sendOnce in one transaction holding the delivery row's lock: two activities on the
 * same delivery (the payment's own retry and a redelivery) decide one after the other, so the second
 * sees the first's `sending` attempt and waits for its answer instead of sending too.
 */
async function claimAttempt(
  em: EntityManager,
  deliveryId: number,
  { acceptedAfter, moveTo, limitMs }: { acceptedAfter: number | null; moveTo: string | null; limitMs: number },
): Promise<Claim> {
  return em.getKnex().transaction(async (trx) => {
    const rows = async <T>(sql: string, params: unknown[]) =>
      ((await trx.raw(sql, params as never[])) as { rows: T[] }).rows;
    const [current] = await rows<{ status: string; delivered_at: Date | null }>(
      'select status, delivered_at from webhook_deliveries where id = ? for update',
      [deliveryId],
    );
    type AttemptRow = { attempt_no: number; status: WebhookAttemptStatus; started_at: Date; latency_ms: number };
    const attempts = await rows<AttemptRow>(
      `select attempt_no, status, started_at, latency_ms from webhook_attempts
       where delivery_id = ? order by attempt_no`,
      [deliveryId],
    );
    const decision = decideWebhookSend({
      deliveryStatus: current!.status,
      deliveredAt: current!.delivered_at ? new Date(current!.delivered_at) : null,
      attempts: attempts.map((a) => ({
        attemptNo: a.attempt_no,
        status: a.status,
        startedAt: new Date(a.started_at),
        latencyMs: a.latency_ms,
      })),
      acceptedAfter,
      attemptLimitMs: limitMs,
      now: Date.now(),
    });
    if (decision.kind === 'delivered') {
      if (current!.status !== 'delivered') {
        // An accepted attempt whose delivery was not marked (rows written before both were one statement).
        await trx.raw("update webhook_deliveries set status = 'delivered', delivered_at = now() where id = ?", [
          deliveryId,
        ]);
      }
      return { kind: 'delivered' };
    }
    if (decision.kind === 'wait') return { kind: 'wait', until: decision.until };
    if (decision.abandoned.length > 0) {
      await trx.raw(
        `update webhook_attempts set status = 'unknown', error = ?
         where delivery_id = ? and status = 'sending'
           and attempt_no in (${decision.abandoned.map(() => '?').join(', ')})`,
        [ABANDONED, deliveryId, ...decision.abandoned],
      );
    }
    const startedAt = new Date();
    const [{ attempt_no: attemptNo }] = await rows<{ attempt_no: number }>(
      `with d as (
         update webhook_deliveries set attempts = attempts + 1, last_attempt_at = ?, url = coalesce(?, url)
         where id = ? returning id, attempts
       )
       insert into webhook_attempts (delivery_id, attempt_no, status, started_at, latency_ms)
       select id, attempts, 'sending', ?, 0 from d returning attempt_no`,
      [startedAt, moveTo, deliveryId, startedAt],
    );
    return { kind: 'send', attemptNo: attemptNo!, startedAt };
  });
}

/**
 * One claimed attempt (numbered and recorded `sending`): sign the body, POST it (unless the URL is
 * refused), record the answer. The JSON body is serialised once and those exact bytes are both signed
 * and sent, with the delivery id (`X-ImaraPay-Delivery`) receivers dedupe on.
 */
async function attemptDelivery(
  deps: WebhookDeps,
  em: EntityManager,
  delivery: WebhookDelivery,
  secret: string,
  { attemptNo, startedAt }: { attemptNo: number; startedAt: Date },
  url: string | null,
): Promise<AttemptOutcome> {
  const connection = em.getConnection();
  const body = JSON.stringify(delivery.payload);
  const headers = {
    'X-ImaraPay-Event': delivery.event,
    'X-ImaraPay-Delivery': String(delivery.id),
    [SIGNATURE_HEADER]: sign({ secret, body, timestamp: Math.floor(startedAt.getTime() / 1000) }),
  };
  heartbeat();
  const beating = setInterval(heartbeat, HEARTBEAT_EVERY_MS);
  let outcome: PostOutcome;
  try {
    outcome = url === null ? refusal('The merchant has no callback URL') : await postChecked(deps, url, body, headers);
  } finally {
    clearInterval(beating);
  }
  const ok = accepted(outcome);
  const status: WebhookAttemptStatus = ok ? 'accepted' : outcome.statusCode !== null ? 'rejected' : 'failed';
  // The answer and, on a 2xx, the delivery's acceptance in one statement: nothing can fail between them.
  await connection.execute(
    `with a as (
       update webhook_attempts set status = ?, status_code = ?, latency_ms = ?, error = ?, response_excerpt = ?
       where delivery_id = ? and attempt_no = ? returning delivery_id
     )
     update webhook_deliveries set status = 'delivered', delivered_at = now()
     where id = (select delivery_id from a) and ?::boolean`,
    [
      status,
      outcome.statusCode,
      Date.now() - startedAt.getTime(),
      outcome.error,
      outcome.excerpt,
      delivery.id,
      attemptNo,
      ok,
    ],
  );
  return { attemptNo, ...outcome };
}

type LookupEntry = { address: string; family: 4 | 6 };
type PostOutcome = Omit<AttemptOutcome, 'attemptNo'>;

const refusal = (reason: string): PostOutcome => ({ statusCode: null, error: `Refused: ${reason}`, excerpt: null });

/** Unless private targets are allowed, the URL is checked again now (it may resolve elsewhere than when it was saved). */
async function postChecked(
  deps: WebhookDeps,
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<PostOutcome> {
  const checked = checkCallbackUrl(url, { production: deps.httpsOnly, allowPrivateTargets: !deps.publicUrlsOnly });
  if (!checked.ok) return refusal(checked.reason);
  if (!deps.publicUrlsOnly) return post(deps, url, body, headers);
  // The addresses are checked inside the connection's own lookup, so the address connected to is
  // the address checked: no window for a second, different DNS answer. (IP literals skip lookup and
  // were checked above.)
  const lookup = deps.lookup ?? systemLookup;
  const guardedLookup = async (hostname: string) => {
    const result = await checkResolvedAddresses(hostname, lookup);
    if (!result.ok) throw Object.assign(new Error(`Refused: ${result.reason}`), { code: 'ENONPUBLIC' });
    // axios's async lookup answers [addresses, family?]; a list in first place means "all of these".
    return [result.addresses.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }))] as [LookupEntry[]];
  };
  return post(deps, url, body, headers, guardedLookup);
}

/** Most bytes of a receiver's answer read: enough for the excerpt; the rest is never downloaded. */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** Most bytes of our own request body (a payload is a few KB). */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** The activity's cancellation (worker shutdown, timeout, workflow cancelled), when running as one. */
function cancellationSignal(): AbortSignal | null {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return null;
  }
}

/**
 * POSTs the body and reads at most MAX_ANSWER_BYTES of the answer, all within `timeoutMs` (a hard
 * deadline on the whole exchange, not an idle timer: a receiver trickling its answer cannot hold the
 * attempt open) or until the activity is cancelled; either ends it with no answer and closes the socket.
 * A 2xx counts as accepted however long its body: the status is the answer, the body only an excerpt.
 */
async function post(
  { http, timeoutMs }: WebhookDeps,
  url: string,
  body: string,
  headers: Record<string, string>,
  lookup?: (hostname: string) => Promise<[LookupEntry[]]>,
): Promise<PostOutcome> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const cancelled = cancellationSignal();
  const signal = cancelled ? AbortSignal.any([cancelled, deadline]) : deadline;
  try {
    const res = await http.post<Readable>(url, body, {
      signal,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'ImaraPay-Webhooks/1.0', ...headers },
      // Send the signed string as is: axios must not parse, trim or re-serialise it.
      transformRequest: [(data: unknown) => data],
      validateStatus: () => true,
      responseType: 'stream',
      maxBodyLength: MAX_REQUEST_BYTES,
      maxRedirects: 0,
      // Straight to the receiver: through an HTTP(S)_PROXY the address check would see the proxy, not the target.
      proxy: false,
      ...(lookup ? { lookup } : {}),
    });
    const text = await readAtMost(res.data, MAX_ANSWER_BYTES, signal);
    return { statusCode: res.status, error: null, excerpt: responseExcerptOf(text) };
  } catch (err) {
    if (signal.aborted) {
      const reason = cancelled?.aborted
        ? 'Cancelled: the worker stopped waiting for the answer'
        : `Timeout: no complete answer within ${timeoutMs} ms`;
      return { statusCode: null, error: reason, excerpt: null };
    }
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const refused = [e, e.cause].find((x) => x?.code === 'ENONPUBLIC');
    if (refused) return { statusCode: null, error: refused.message ?? 'Refused', excerpt: null };
    return { statusCode: null, error: `${e.code ?? 'ERROR'}: ${e.message ?? 'request failed'}`, excerpt: null };
  }
}

/**
 * The first `limit` bytes of a response body as text; the stream (and its socket) is destroyed once
 * they are read, or when `signal` aborts (then it rejects).
 */
function readAtMost(stream: Readable, limit: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: Error) => {
      signal.removeEventListener('abort', onAbort);
      stream.removeAllListeners('data');
      stream.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8'));
    };
    const onAbort = () => done(new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) done();
    });
    stream.once('end', () => done());
    stream.once('error', (err) => done(err));
  });
}
