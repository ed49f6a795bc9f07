import { errorResponse } from '../openapi/registry';
import { paymentsPerMinute, paymentsPerMinuteQuerySchema } from '../useCases/paymentsPerMinute';
import { transactionIdParamSchema, transactionTimeline } from '../useCases/transactionTimeline';
import type { RouteModule } from './module';
import { parseInput } from '../validate';
import { transactionExample } from './transactions';
import { z } from 'zod';
import { count, enumOf, environment, timestamp, transactionSchema } from '../openapi/responses';
import type { TimelineEvent } from '../useCases/transactionTimeline';

/** The answer of GET /api/transactions/:id/timeline. */
export const timelineSchema = z.object({
  transaction: transactionSchema.extend({
    environment,
    workflow_id: z.string(),
    decided_by: z.string().nullable().describe('What settled the payment (callback, query, …); null while pending'),
  }),
  events: z.array(
    z.object({
      at: timestamp,
      kind: enumOf<TimelineEvent['kind']>()([
        'created',
        'fee_reserved',
        'push_accepted',
        'push_refused',
        'push_unconfirmed',
        'callback_received',
        'status_query',
        'fee_captured',
        'fee_released',
        'late_fee_captured',
        'wallet_credited',
        'settled',
        'webhook_attempt',
        'reversal_requested',
        'reversal_evidence',
        'reversal_settled',
      ]),
      title: z.string(),
      detail: z.string().nullable(),
    }),
  ),
});

/** One minute of GET /api/admin/overview/payments-per-minute. */
export const minuteOfPaymentsSchema = z.object({
  minute: z.string().describe("The minute's start, UTC (YYYY-MM-DDTHH:MM:00Z)"),
  completed: count,
  failed: count,
  pending: count,
});

/** Views the dashboard needs beyond the list endpoints: a payment's timeline, the admin chart's series. */
export const dashboardViewRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    path: '/api/transactions/:id/timeline',
    access: 'merchant',
    summary: 'A transaction and its timeline',
    description:
      'The transaction (as in GET /api/transactions, plus its environment, workflow id and what decided it) and, oldest first, what happened to it: the request, the fee reserved, ' +
      'the push accepted or refused, every Daraja callback received (duplicates and late ones too), the settlement, the fee captured or released, and each webhook attempt.',
    tags: ['Transactions'],
    params: { id: 'The transaction_id' },
    responses: [
      {
        status: 200,
        description: 'The transaction and its events',
        schema: timelineSchema,
        example: {
          transaction: {
            ...transactionExample,
            environment: 'sandbox',
            workflow_id: 'payment-42',
            decided_by: 'callback',
          },
          events: [
            {
              at: '2024-06-15T12:34:56.000Z',
              kind: 'created',
              title: 'STK push of KES 500 to 254712345678',
              detail: 'Reference INV-001',
            },
            {
              at: '2024-06-15T12:34:56.100Z',
              kind: 'fee_reserved',
              title: 'Fee of KES 6 reserved from the service wallet',
              detail: null,
            },
            {
              at: '2024-06-15T12:34:56.100Z',
              kind: 'push_accepted',
              title: 'M-Pesa accepted the push: the prompt is on the customer’s phone',
              detail: 'ws_CO_…',
            },
            {
              at: '2024-06-15T12:35:14.000Z',
              kind: 'callback_received',
              title: 'Daraja callback received: ResultCode 0 (signalled)',
              detail: 'The service request is processed successfully.',
            },
          ],
        },
      },
      errorResponse(404, 'not_found', 'Transaction 42 does not exist'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await transactionTimeline(deps.em(), caller, parseInput(transactionIdParamSchema, ctx.params));
    },
  });

  api.add({
    method: 'get',
    path: '/api/admin/overview/payments-per-minute',
    access: 'admin',
    summary: 'Payments per minute by outcome',
    description:
      'Customer payments started in each of the last `minutes` minutes (every minute listed, zeros included), counted by their status now. Wallet top-ups are not counted.',
    tags: ['Admin'],
    query: paymentsPerMinuteQuerySchema,
    responses: [
      {
        status: 200,
        description: 'One row per minute, oldest first',
        schema: z.array(minuteOfPaymentsSchema),
        example: [{ minute: '2024-06-15T12:34:00Z', completed: 12, failed: 2, pending: 1 }],
      },
      errorResponse(400, 'validation_failed', 'minutes must be 5 to 1440', { field: 'minutes' }),
    ],
    handler: async (ctx) => {
      ctx.body = await paymentsPerMinute(deps.em(), parseInput(paymentsPerMinuteQuerySchema, ctx.query));
    },
  });
};
