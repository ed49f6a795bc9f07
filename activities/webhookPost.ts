import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { lookup as dnsLookup } from 'node:dns/promises';
import { Context } from '@temporalio/activity';
import type { AxiosInstance } from 'axios';
import { responseExcerptOf } from '../domain/responseExcerpt';
import { checkCallbackUrl, checkResolvedAddresses, type LookupAll } from '../domain/urlSafety';

/** What one POST learnt. `sent`: the request was handed to a connected socket (the receiver may have it). */
export interface PostOutcome {
  statusCode: number | null;
  error: string | null;
  excerpt: string | null;
  sent: boolean;
}

/** How a webhook POST is made and which targets it may reach. */
export interface PostDeps {
  http: AxiosInstance;
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

type LookupEntry = { address: string; family: 4 | 6 };

/** Most bytes of a receiver's answer read: enough for the excerpt; the rest is never downloaded. */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** Most bytes of our own request body (a payload is a few KB). */
const MAX_REQUEST_BYTES = 1024 * 1024;
/**
 * When the deadline passes or the activity is cancelled, the exchange ends this much later: time for
 * an answer that already arrived (while the process was paused, its timers and its socket become due
 * at once) to be read rather than discarded.
 */
const ANSWER_GRACE_MS = 250;

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const refusal = (reason: string): PostOutcome => ({
  statusCode: null,
  error: `Refused: ${reason}`,
  excerpt: null,
  sent: false,
});

/**
 * POSTs `body` to `url` unless the URL is refused, and reads at most MAX_ANSWER_BYTES of the answer.
 * `deadline` is a `performance.now()` instant (ms): the request is written only before it (checked
 * the moment the connection is ready, in the same turn of the event loop as the write), and the whole
 * exchange ends at it (plus ANSWER_GRACE_MS), or when the activity is cancelled.
 *
 * Unless private targets are allowed, the URL is checked again now (it may resolve elsewhere than
 * when it was saved).
 */
export async function postChecked(
  deps: PostDeps,
  url: string,
  body: string,
  headers: Record<string, string>,
  deadline: number,
): Promise<PostOutcome> {
  const checked = checkCallbackUrl(url, { production: deps.httpsOnly, allowPrivateTargets: !deps.publicUrlsOnly });
  if (!checked.ok) return refusal(checked.reason);
  if (!deps.publicUrlsOnly) return post(deps.http, url, body, headers, deadline);
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
  return post(deps.http, url, body, headers, deadline, guardedLookup);
}

/** The activity's cancellation (worker shutdown, timeout, workflow cancelled), when running as one. */
function cancellationSignal(): AbortSignal | null {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return null;
  }
}

const NOT_SENT = 'ENOTSENT';

/**
 * Agents for one request (no connection reuse, so every request waits for its own connection) whose
 * sockets check the send deadline the moment they are ready, before the request written to them
 * leaves: a worker paused between claiming an attempt and sending it never sends after its
 * deadline, whatever it resumes in the middle of.
 */
function fencedAgents(deadline: number, onSent: () => void): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  type CreateConnection = (...args: unknown[]) => Socket;
  const fence = <A extends http.Agent>(agent: A, readyEvent: 'connect' | 'secureConnect'): A => {
    const target = agent as unknown as { createConnection: CreateConnection };
    const original = target.createConnection;
    target.createConnection = function (this: unknown, ...args: unknown[]) {
      const socket = original.apply(this, args);
      socket.prependOnceListener(readyEvent, () => {
        if (performance.now() < deadline) return onSent();
        socket.destroy(
          Object.assign(new Error("Not sent: the attempt's deadline passed before its request was written"), {
            code: NOT_SENT,
          }),
        );
      });
      return socket;
    };
    return agent;
  };
  return {
    httpAgent: fence(new http.Agent({ keepAlive: false }), 'connect'),
    httpsAgent: fence(new https.Agent({ keepAlive: false }), 'secureConnect'),
  };
}

/**
 * The POST itself (see postChecked). A 2xx counts as accepted however long its body: the status is
 * the answer, the body only an excerpt. A receiver trickling its answer cannot hold the attempt open:
 * the deadline covers the whole exchange, and ends it with no answer and the socket closed.
 */
async function post(
  client: AxiosInstance,
  url: string,
  body: string,
  headers: Record<string, string>,
  deadline: number,
  lookup?: (hostname: string) => Promise<[LookupEntry[]]>,
): Promise<PostOutcome> {
  let sent = false;
  const controller = new AbortController();
  let ended: 'deadline' | 'cancelled' | null = null;
  const end = (why: 'deadline' | 'cancelled') => {
    if (ended) return;
    ended = why;
    setTimeout(() => controller.abort(), ANSWER_GRACE_MS).unref();
  };
  const timer = setTimeout(() => end('deadline'), Math.max(0, deadline - performance.now()));
  const cancelled = cancellationSignal();
  const onCancel = () => end('cancelled');
  if (cancelled?.aborted) onCancel();
  cancelled?.addEventListener('abort', onCancel, { once: true });
  const timeoutMs = Math.round(deadline - performance.now());
  try {
    const res = await client.post<Readable>(url, body, {
      signal: controller.signal,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'ImaraPay-Webhooks/1.0', ...headers },
      // Send the signed string as is: axios must not parse, trim or re-serialise it.
      transformRequest: [(data: unknown) => data],
      validateStatus: () => true,
      responseType: 'stream',
      maxBodyLength: MAX_REQUEST_BYTES,
      maxRedirects: 0,
      // Straight to the receiver: through an HTTP(S)_PROXY the address check would see the proxy, not the target.
      proxy: false,
      ...fencedAgents(deadline, () => (sent = true)),
      ...(lookup ? { lookup } : {}),
    });
    const text = await readAtMost(res.data, MAX_ANSWER_BYTES, controller.signal);
    return { statusCode: res.status, error: null, excerpt: responseExcerptOf(text), sent: true };
  } catch (err) {
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const notSent = [e, e.cause].find((x) => x?.code === NOT_SENT);
    if (notSent) return { statusCode: null, error: notSent.message ?? 'Not sent', excerpt: null, sent: false };
    if (controller.signal.aborted) {
      const reason =
        ended === 'cancelled'
          ? 'Cancelled: the worker stopped waiting for the answer'
          : `Timeout: no complete answer within ${timeoutMs} ms`;
      return { statusCode: null, error: reason, excerpt: null, sent };
    }
    const refused = [e, e.cause].find((x) => x?.code === 'ENONPUBLIC');
    if (refused) return { statusCode: null, error: refused.message ?? 'Refused', excerpt: null, sent: false };
    return { statusCode: null, error: `${e.code ?? 'ERROR'}: ${e.message ?? 'request failed'}`, excerpt: null, sent };
  } finally {
    clearTimeout(timer);
    cancelled?.removeEventListener('abort', onCancel);
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
