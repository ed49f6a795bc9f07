import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../domain/failureTypes';
import type { PaymentTimings } from './definitions';

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

/** Merchant webhooks: exponential backoff for the whole retry window (72 h by default). */
export function webhookProfile(timings: Pick<PaymentTimings, 'webhookInitialRetryMs' | 'webhookMaxRetryMs' | 'webhookRetryWindowMs'>): ActivityOptions {
  return {
    startToCloseTimeout: '60s',
    scheduleToCloseTimeout: timings.webhookRetryWindowMs,
    retry: { initialInterval: timings.webhookInitialRetryMs, backoffCoefficient: 2, maximumInterval: timings.webhookMaxRetryMs },
  };
}

/** A late success's fee: retried until the merchant's wallet covers it, visible in the UI as a retrying activity. */
export const lateFeeProfile: ActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '30s', backoffCoefficient: 2, maximumInterval: '1h' },
};
