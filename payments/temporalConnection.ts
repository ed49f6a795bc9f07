import { InterceptingCall } from '@grpc/grpc-js';
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionLike,
  type ConnectionOptions,
} from '@temporalio/client';

/**
 * How the API's one long-lived Temporal connection reconnects. gRPC's defaults (first retry after
 * 1 s, each next one 1.6 times later, at most 120 s apart; gRFC A6 "connection backoff") mean that
 * after a few minutes of outage the channel waits up to two minutes before it tries again, and
 * every call made meanwhile fails at once as UNAVAILABLE: the API stays unable to start payments
 * long after Temporal is back. A reconnect attempt is one TCP connect, so trying every second or
 * two costs nothing worth saving and brings the API back within about two seconds of Temporal.
 */
export const TEMPORAL_RECONNECT = {
  /** First pause after a failed connection attempt, in ms. */
  initialBackoffMs: 500,
  /** Longest pause between connection attempts, however long the outage lasts, in ms. */
  maxBackoffMs: 2_000,
} as const;

/**
 * The channel arguments of the API's Temporal connection (grpc-js names). The SDK's keepalive
 * defaults (a ping every 30 s on an idle connection, 15 s to answer) stay: they find a server that
 * vanished without closing its connections, and Temporal's frontend refuses pings more often than
 * every 10 s.
 */
export function temporalChannelArgs(): NonNullable<ConnectionOptions['channelArgs']> {
  return {
    'grpc.initial_reconnect_backoff_ms': TEMPORAL_RECONNECT.initialBackoffMs,
    'grpc.max_reconnect_backoff_ms': TEMPORAL_RECONNECT.maxBackoffMs,
  };
}

/**
 * The longest any call of the API to Temporal waits when its caller set no deadline of its own, in
 * ms: signals of Daraja callbacks, starts of redeliveries, describes. gRPC calls have no deadline
 * by default, and the SDK retries an unavailable server; without one a request could wait on a
 * dead Temporal for as long as its HTTP timeout.
 */
export const DEFAULT_CALL_DEADLINE_MS = 10_000;

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/** Gives every call without a deadline `DEFAULT_CALL_DEADLINE_MS`; an explicit deadline (withDeadline) wins. */
export const defaultDeadlineInterceptor: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall({ ...options, deadline: options.deadline ?? Date.now() + DEFAULT_CALL_DEADLINE_MS }));

/** A Temporal connection that can tell, without a call, whether its channel is (or gets) connected. */
export class ApiTemporalConnection extends Connection {
  /**
   * Resolves once the gRPC channel is connected (at once when it already is, dialling when it is
   * idle); rejects when it is not by `deadline` (ms since the epoch).
   */
  reachableBy(deadline: number): Promise<void> {
    return this.untilReady(deadline);
  }
}

/**
 * The API's connection to the Temporal frontend at `address` (host:port). Lazy: nothing is dialled
 * until the first call, so an API started while Temporal is unreachable still serves, answers
 * readiness 503 and payment starts 503 `temporarily_unavailable`, and becomes ready as soon as
 * Temporal answers, with no restart.
 */
export function createTemporalConnection(address: string): ApiTemporalConnection {
  // `lazy` constructs the class it is called on (`new this`), so this is an ApiTemporalConnection.
  return ApiTemporalConnection.lazy({
    address,
    channelArgs: temporalChannelArgs(),
    // The deadline first, so that the SDK's retries of an unavailable server stay within it.
    interceptors: [defaultDeadlineInterceptor, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
  }) as ApiTemporalConnection;
}

/**
 * Whether Temporal can be reached through `connection` by `deadline` (ms since the epoch). Free on
 * the API's own connection while its channel is up; any other connection is asked GetSystemInfo
 * under the deadline. Never throws and never outlives the deadline (the SDK's retries of an
 * unavailable server included).
 */
export async function temporalReachable(connection: ConnectionLike, deadline: number): Promise<boolean> {
  const attempt =
    connection instanceof ApiTemporalConnection
      ? connection.reachableBy(deadline)
      : connection.withDeadline(deadline, () => connection.workflowService.getSystemInfo({}));
  return attempt.then(
    () => true,
    () => false,
  );
}
