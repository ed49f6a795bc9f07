import { errorResponse } from '../openapi/registry';
import { RETRY_AFTER_SECONDS } from '../../payments/paymentStart';

/** The documented 503 of every payment start whose workflow could not be started (payments/paymentStart.ts). */
export const PAYMENT_NOT_STARTED_RESPONSE = errorResponse(
  503,
  'temporarily_unavailable',
  'The payment could not be started just now; nothing was sent to M-Pesa. ' +
    'Retry with the same Idempotency-Key to start this same payment.',
  { transaction_id: 47, retry_after: RETRY_AFTER_SECONDS },
  'ImaraPay could not start the payment (Retry-After says when to retry; use the same Idempotency-Key)',
);
