import { rateLimitKeys } from '../rateLimits';
import { darajaCredentials } from '../../config/config';
import { errorResponse } from '../openapi/registry';
import { NEXT_CURSOR_HEADER } from '../useCases/listParams';
import { ledgerQuerySchema, startWalletTopUp, topUpSchema, walletLedger, walletView } from '../useCases/wallet';
import type { RouteModule } from './module';
import { idempotencyKeyOf } from '../idempotencyKey';
import { parseInput } from '../validate';
import { pushAnswer } from '../useCases/startStkPush';
import { PAYMENT_NOT_STARTED_RESPONSE, pushAnswerSchema, sendPushAnswer } from './paymentResponses';
import { ledgerEntrySchema, walletSchema } from '../openapi/responses';
import { z } from 'zod';

/** GET /api/wallet, GET /api/wallet/ledger and POST /api/wallet/top-ups: the service wallet that pays ImaraPay's fees. */
export const walletRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/wallet',
    summary: 'Your service wallet balance',
    description:
      'Fees are reserved from this wallet when a push is sent and refunded when the payment fails. It always equals the sum of its ledger.',
    tags: ['Service wallet'],
    responses: [
      {
        status: 200,
        description: 'The balance in whole KES',
        schema: walletSchema,
        example: { balance: 994, currency: 'KES' },
      },
    ],
    handler: async (ctx, caller) => {
      ctx.body = await walletView(deps.em(), caller.merchant.id);
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/wallet/ledger',
    summary: "Your wallet's movements",
    description:
      'Newest first. Kinds: top_up, adjustment, fee_reserve (−fee), fee_capture (0: the reserved fee is earned), fee_release (+fee), late_fee_capture (−fee).\n\n' +
      'When more entries exist, the `X-Next-Cursor` response header holds the `cursor` of the next page.',
    tags: ['Service wallet'],
    query: ledgerQuerySchema,
    responses: [
      {
        status: 200,
        description: 'A page of entries',
        schema: z.array(ledgerEntrySchema),
        example: [
          {
            id: 31,
            kind: 'fee_reserve',
            amount: -6,
            balance_after: 994,
            transaction_id: 42,
            reference: null,
            created_at: '2024-06-15T12:34:56.000Z',
          },
        ],
      },
      errorResponse(400, 'validation_failed', 'limit must be at most 1000; follow the X-Next-Cursor header for more', {
        field: 'limit',
      }),
    ],
    handler: async (ctx, caller) => {
      const params = parseInput(ledgerQuerySchema, ctx.query);
      const { entries, nextCursor } = await walletLedger(deps.em(), caller.merchant.id, params);
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = entries;
    },
  });

  api.add({
    method: 'post',
    access: 'merchant',
    path: '/api/wallet/top-ups',
    rateLimits: [
      { policy: 'paymentsPerApiKey', key: rateLimitKeys.apiKey },
      { policy: 'paymentsPerMerchant', key: rateLimitKeys.merchant },
    ],
    summary: 'Top up your service wallet by M-Pesa',
    description:
      "Sends an STK push for `amount` to `phone_number` (your own phone), paying ImaraPay's paybill with account reference TOPUP<your merchant id>. No fee. " +
      'When the payment completes the wallet is credited once; a failed or cancelled top-up credits nothing. Poll GET /api/transaction/status/{checkout_request_id} like any payment.\n\n' +
      'Identity verification is not needed. On a production deployment top-ups must be made in production (live key, or the dashboard in production mode).',
    tags: ['Service wallet'],
    body: topUpSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'A retry with the same key and body returns the same top-up instead of prompting again.',
      },
    ],
    responses: [
      {
        status: 200,
        description: 'M-Pesa accepted the push',
        schema: pushAnswerSchema,
        example: {
          success: true,
          message: 'STK push sent successfully',
          transaction_id: 57,
          checkout_request_id: 'ws_CO_…',
          fee_to_be_charged: 0,
        },
      },
      {
        status: 202,
        description: 'M-Pesa did not confirm the push in time; do not push again: poll with transaction_id',
        schema: pushAnswerSchema,
      },
      errorResponse(400, 'validation_failed', 'amount must be at least KES 1', { field: 'amount' }),
      errorResponse(
        403,
        'forbidden',
        'Top-ups are real M-Pesa payments: use a production API key, or the dashboard in production mode',
      ),
      PAYMENT_NOT_STARTED_RESPONSE,
    ],
    handler: async (ctx, caller) => {
      const request = parseInput(topUpSchema, ctx.request.body);
      const idempotencyKey = idempotencyKeyOf(ctx);
      const { transaction, outcome } = await startWalletTopUp(
        {
          em: deps.em(),
          temporal: deps.temporal,
          taskQueue: deps.taskQueue,
          timings: deps.timings,
          startDeadlineMs: deps.config.TEMPORAL_START_DEADLINE_MS,
          platformPaybill: deps.config.PLATFORM_PAYBILL,
          liveEnabled: darajaCredentials(deps.config, 'production') !== null,
          productionDeployment: deps.config.APP_ENV === 'production',
        },
        { caller, request, idempotencyKey },
      );
      // The same answer as an STK push: 200 accepted, 202 unconfirmed, an error for a refusal.
      sendPushAnswer(ctx, pushAnswer(transaction, outcome));
    },
  });
};
