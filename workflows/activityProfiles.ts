import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../domain/failureTypes';
import type { PaymentTimings } from './definitions';
import { DEFAULT_WEBHOOK_HTTP_TIMEOUT_MS, webhookAttemptLimitMs } from '../domain/webhookRetry';

/** Named timeout and retry profiles, shared by every workflow so that each is set on purpose in one place. */

/** Database work: short, and retried until Postgres answers (a decision must be recorded). Also run as local activities. */
export const databaseProfile: ActivityOptions & LocalActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s' },
};

/**
 * The push call: one attempt per try, as the HTTP client gives up well before the timeout. A worker
 * that dies mid-call is caught by the activity's `sending` guard on the next attempt, which is why
 * attempts must be able to outlive the push deadline: the activity enforces that deadline itself.
 * Also run as a local activity.
 */
export const pushProfile: ActivityOptions & LocalActivityOptions = {
  startToCloseTimeout: '60s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '10s',
    nonRetryableErrorTypes: [
      FailureType.DarajaTerminal,
      FailureType.DarajaIndeterminate,
      FailureType.DarajaUnavailable,
    ],
  },
};

/** One Daraja STK query: the activity answers a failed call "pending", so few retries are needed. */
export const queryProfile: ActivityOptions = {
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 3 },
};

/**
 * The timings a webhook profile is built from; `webhookHttpTimeoutMs` is the receiver's HTTP
 * timeout in ms (DEFAULT_WEBHOOK_HTTP_TIMEOUT_MS when not given).
 */
export type WebhookTimings = Pick<
  PaymentTimings,
  'webhookInitialRetryMs' | 'webhookMaxRetryMs' | 'webhookRetryWindowMs'
> & {
  webhookHttpTimeoutMs?: number;
};

/**
 * Merchant webhooks: exponential backoff for the whole retry window (72 h by default). The activity
 * heartbeats during its POST, so a worker that dies mid-call is noticed within the heartbeat timeout
 * and the attempt retried in seconds. One activity attempt may first wait out an earlier attempt's
 * call (still `sending` on a worker that may be alive), then make its own: twice the attempt limit.
 */
export function webhookProfile(timings: WebhookTimings): ActivityOptions {
  const attemptLimitMs = webhookAttemptLimitMs(timings.webhookHttpTimeoutMs ?? DEFAULT_WEBHOOK_HTTP_TIMEOUT_MS);
  return {
    startToCloseTimeout: 2 * attemptLimitMs,
    heartbeatTimeout: '5s',
    scheduleToCloseTimeout: timings.webhookRetryWindowMs,
    retry: {
      initialInterval: timings.webhookInitialRetryMs,
      backoffCoefficient: 2,
      maximumInterval: timings.webhookMaxRetryMs,
    },
  };
}

/** A late success's fee: retried until the merchant's wallet covers it, visible in the UI as a retrying activity. */
export const lateFeeProfile: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '30s', backoffCoefficient: 2, maximumInterval: '1h' },
};

/**
 * Sending a reversal: the activity records `sending` before the call and never sends again after that,
 * so only a refusal before processing (spike arrest, an expired token) is retried, with backoff, for a few minutes.
 */
export const reversalSendProfile: ActivityOptions = {
  startToCloseTimeout: '60s',
  scheduleToCloseTimeout: '10m',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '60s',
    nonRetryableErrorTypes: [FailureType.ReversalMissing],
  },
};
