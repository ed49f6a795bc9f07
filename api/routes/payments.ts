import { rateLimitKeys } from '../rateLimits';
import type { RouteModule } from './module';
import { idempotencyKeyOf } from '../idempotencyKey';
import { errorResponse } from '../openapi/registry';
import { darajaCredentials } from '../../config/config';
import { pushAnswer, startStkPush, stkPushRequestSchema } from '../useCases/startStkPush';
import { parseInput } from '../validate';
import { transactionStatus } from '../useCases/transactionStatus';
import { PAYMENT_NOT_STARTED_RESPONSE, pushAnswerSchema, sendPushAnswer } from './paymentResponses';
import { z } from 'zod';
import { id, kes, paymentStatus, reversalStatus } from '../openapi/responses';

/** The answer of GET /api/transaction/status/:reference. */
export const transactionStatusSchema = z.object({
  status: paymentStatus,
  amount: kes,
  mpesa_receipt: z.string().nullable(),
  result_desc: z.string().nullable(),
  balance: kes.describe('Your service wallet balance'),
  transaction_id: id,
  checkout_request_id: z.string().nullable(),
  result_code: z.string().nullable(),
  reversal_status: reversalStatus.nullable().describe("The payment's reversal; null when none was asked for"),
});

/** POST /api/stk-push and GET /api/transaction/status/:reference. */
export const paymentRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'post',
    path: '/api/stk-push',
    rateLimits: [
      { policy: 'paymentsPerApiKey', key: rateLimitKeys.apiKey },
      { policy: 'paymentsPerMerchant', key: rateLimitKeys.merchant },
    ],
    access: 'merchant',
    summary: 'Initiate an STK Push',
    description:
      "Sends an M-Pesa payment prompt to the customer's phone; the money goes to the payment channel `account_id`. The fee is reserved from your service wallet now and refunded if the payment fails.\n\n" +
      'Answers once M-Pesa has accepted the push. Poll GET /api/transaction/status/{checkout_request_id} or wait for your webhook.',
    tags: ['Payments'],
    body: stkPushRequestSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Your key for this payment (at most 255 characters): a retry with the same key and body returns the same payment instead of prompting again.',
      },
    ],
    responses: [
      {
        status: 200,
        description: 'M-Pesa accepted the push; the customer has a prompt',
        schema: pushAnswerSchema,
        example: {
          success: true,
          message: 'STK push sent successfully',
          transaction_id: 42,
          checkout_request_id: 'ws_CO_123456789_20240615123456_1_254712345678',
          fee_to_be_charged: 6,
        },
      },
      {
        status: 202,
        description:
          'M-Pesa did not confirm the push in time; the prompt may still reach the phone. Do not push again: poll with transaction_id',
        schema: pushAnswerSchema,
        example: {
          success: true,
          message: 'M-Pesa has not confirmed the push yet; …',
          transaction_id: 43,
          checkout_request_id: '43',
          fee_to_be_charged: 6,
        },
      },
      errorResponse(400, 'validation_failed', "amount must be at most KES 250,000 (M-Pesa's per-transaction limit)", {
        field: 'amount',
      }),
      errorResponse(400, 'daraja_rejected', 'M-Pesa refused the request: Invalid PhoneNumber', { transaction_id: 44 }),
      errorResponse(
        402,
        'insufficient_balance',
        'Insufficient service balance: the fee is KES 6 and your service wallet holds KES 2. Top up your wallet and try again.',
        { fee: 6, balance: 2, transaction_id: 45 },
      ),
      errorResponse(403, 'kyc_required', 'Identity verification (KYC) is required before you can send STK pushes'),
      errorResponse(404, 'not_found', 'Payment channel 7 does not exist', { field: 'account_id' }),
      errorResponse(
        409,
        'conflict',
        'This Idempotency-Key was already used with a different request body. Use a new key for a new payment.',
      ),
      errorResponse(503, 'daraja_unavailable', 'M-Pesa stayed busy; no prompt was sent. Safe to retry.', {
        transaction_id: 46,
      }),
      PAYMENT_NOT_STARTED_RESPONSE,
    ],
    handler: async (ctx, caller) => {
      const request = parseInput(stkPushRequestSchema, ctx.request.body);
      const { transaction, outcome } = await startStkPush(
        {
          em: deps.em(),
          temporal: deps.temporal,
          taskQueue: deps.taskQueue,
          timings: deps.timings,
          startDeadlineMs: deps.config.TEMPORAL_START_DEADLINE_MS,
          liveEnabled: darajaCredentials(deps.config, 'production') !== null,
        },
        { caller, request, idempotencyKey: idempotencyKeyOf(ctx) },
      );
      sendPushAnswer(ctx, pushAnswer(transaction, outcome));
    },
  });

  api.add({
    method: 'get',
    path: '/api/transaction/status/:reference',
    access: 'merchant',
    summary: "Check a transaction's status",
    description: 'Poll every 3–5 seconds until `status` is completed or failed. `balance` is your service wallet.',
    tags: ['Payments'],
    params: { reference: 'The checkout_request_id (ws_CO_…) from the STK push, or its transaction_id' },
    responses: [
      {
        status: 200,
        description: 'The payment as it stands',
        schema: transactionStatusSchema,
        example: {
          status: 'completed',
          amount: 500,
          mpesa_receipt: 'RGH8KXXXX',
          result_desc: 'The service request is processed successfully.',
          balance: 94,
          transaction_id: 42,
          checkout_request_id: 'ws_CO_123456789',
          result_code: '0',
          reversal_status: null,
        },
      },
      errorResponse(404, 'not_found', 'No transaction found for ws_CO_123'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await transactionStatus(deps.runSql, caller, ctx.params.reference!);
    },
  });
};
