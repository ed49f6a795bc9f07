import { z } from 'zod';
import { errorResponse } from '../openapi/registry';
import { id, kes } from '../openapi/responses';
import { PAYMENT_RETRY_AFTER_SECONDS } from '../../payments/paymentStart';
import type { PushAnswer } from '../useCases/startStkPush';
import type { Context } from 'koa';

/**
 * What the endpoints that start a payment share in their answers: the push's answer (POST
 * /api/stk-push and POST /api/wallet/top-ups) and the 503 of a payment whose workflow could not
 * be started (those two and POST /api/v1/payments).
 */

/** The body of a push's 200 (M-Pesa accepted it) and 202 (M-Pesa has not confirmed it yet). */
export const pushAnswerSchema = z.object({
  success: z.literal(true),
  message: z.string(),
  transaction_id: id,
  checkout_request_id: z
    .string()
    .describe("Daraja's CheckoutRequestID; while M-Pesa has not confirmed the push (202), the transaction id"),
  fee_to_be_charged: kes,
});

/** Answers a push: 200 once M-Pesa confirmed it, 202 while it has not (the prompt may still come). */
export function sendPushAnswer(ctx: Context, answer: PushAnswer): void {
  ctx.status = answer.confirmed ? 200 : 202;
  ctx.body = answer.body;
}

/** The documented 503 of every payment start whose workflow could not be started. */
export const PAYMENT_NOT_STARTED_RESPONSE = errorResponse(
  503,
  'temporarily_unavailable',
  'The payment could not be started just now; nothing was sent to M-Pesa. ' +
    'Retry with the same Idempotency-Key to start this same payment.',
  { transaction_id: 47, retry_after: PAYMENT_RETRY_AFTER_SECONDS },
  'ImaraPay could not start the payment (Retry-After says when to retry; use the same Idempotency-Key)',
);
