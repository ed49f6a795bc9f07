import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import type { PaymentTimings } from './definitions';

/** Named timeout and retry profiles, shared by every workflow so that each is set on purpose in one place. */

/** Database work: short, and retried until Postgres answers (a decision must be recorded). Also run as local activities. */
export const databaseProfile: ActivityOptions & LocalActivityOptions = {
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s' },
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
