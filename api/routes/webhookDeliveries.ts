import type { RouteModule } from './module';
import { rateLimitKeys } from '../rateLimits';
import { errorResponse } from '../openapi';
import { deliveriesQuerySchema, getDelivery, listDeliveries, redeliver } from '../useCases/webhookDeliveries';
import { parseInput } from '../validate';
import { z } from 'zod';
import { count, id, timestamp, webhookAttemptStatus, webhookDeliveryStatus, webhookEvent } from '../openapi/responses';

/** A webhook delivery as listed. */
export const deliverySchema = z.object({
  id,
  transaction_id: id,
  event: webhookEvent,
  url: z.string(),
  status: webhookDeliveryStatus,
  attempts: count,
  last_attempt_at: timestamp.nullable(),
  delivered_at: timestamp.nullable(),
  created_at: timestamp,
});

/** A delivery with its payload and every attempt. */
export const deliveryDetailSchema = deliverySchema.extend({
  payload: z.unknown().describe('The JSON body POSTed to the callback URL'),
  attempt_log: z.array(
    z.object({
      attempt_no: z.number().int().positive(),
      status: webhookAttemptStatus,
      started_at: timestamp,
      status_code: z
        .number()
        .int()
        .nullable()
        .describe('What the endpoint answered; null when it could not be reached'),
      latency_ms: count,
      error: z.string().nullable(),
      response_excerpt: z.string().nullable(),
    }),
  ),
});

const SUMMARY_EXAMPLE = {
  id: 17,
  transaction_id: 42,
  event: 'payment.completed',
  url: 'https://shop.example.com/payment/callback',
  status: 'delivered',
  attempts: 3,
  last_attempt_at: '2024-06-15T12:35:44.120Z',
  delivered_at: '2024-06-15T12:35:44.301Z',
  created_at: '2024-06-15T12:35:14.002Z',
};

const DETAIL_EXAMPLE = {
  ...SUMMARY_EXAMPLE,
  payload: {
    Body: {
      stkCallback: {
        CheckoutRequestID: 'ws_CO_123456789',
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
      },
    },
    ImaraPay: { transaction_id: 42, status: 'completed' },
  },
  attempt_log: [
    {
      attempt_no: 1,
      status: 'rejected',
      started_at: '2024-06-15T12:35:14.010Z',
      status_code: 500,
      latency_ms: 84,
      error: null,
      response_excerpt: '{"error":"database down"}',
    },
    {
      attempt_no: 2,
      status: 'unknown',
      started_at: '2024-06-15T12:35:24.090Z',
      status_code: null,
      latency_ms: 10002,
      error: 'Timeout: no complete answer within 10000 ms',
      response_excerpt: null,
    },
    {
      attempt_no: 3,
      status: 'accepted',
      started_at: '2024-06-15T12:35:44.120Z',
      status_code: 200,
      latency_ms: 181,
      error: null,
      response_excerpt: '{"ResultCode":0,"ResultDesc":"Accept"}',
    },
  ],
};

const notFound = errorResponse(
  404,
  'not_found',
  'Webhook delivery 17 was not found',
  {},
  "No such delivery among yours (another merchant's answers the same)",
);

/** The caller's webhook deliveries: list, inspect with every attempt, and redeliver. */
export const webhookDeliveryRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/webhooks/deliveries',
    summary: 'List your webhook deliveries',
    description:
      'One delivery per payment result (payment.completed or payment.failed), newest first, in the environment you are acting in. ' +
      '`status`: pending (being delivered or retried), delivered, failed (retries given up after 72 hours), superseded (a failure not sent because the payment completed since).',
    tags: ['Webhooks'],
    query: deliveriesQuerySchema,
    responses: [
      {
        status: 200,
        description: 'Deliveries, newest first',
        schema: z.array(deliverySchema),
        example: [SUMMARY_EXAMPLE],
      },
      errorResponse(400, 'validation_failed', 'status must be one of pending, delivered, failed, superseded', {
        field: 'status',
      }),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await listDeliveries(deps.em(), caller, parseInput(deliveriesQuerySchema, ctx.query));
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/webhooks/deliveries/:id',
    summary: 'One delivery, with its payload and every attempt',
    description:
      'Each attempt records when it started, the HTTP status your endpoint answered (null when it could not be reached), ' +
      'how long it took, the error, and an excerpt of your answer ' +
      '(at most 200 printable characters; only its first 64 KiB are read).',
    tags: ['Webhooks'],
    params: { id: 'The delivery id (also sent as the X-ImaraPay-Delivery header)' },
    responses: [
      { status: 200, description: 'The delivery', schema: deliveryDetailSchema, example: DETAIL_EXAMPLE },
      notFound,
    ],
    handler: async (ctx, caller) => {
      ctx.body = await getDelivery(deps.em(), caller, ctx.params.id!);
    },
  });

  api.add({
    method: 'post',
    access: 'merchant',
    path: '/api/webhooks/deliveries/:id/redeliver',
    summary: 'Send a delivery again',
    description:
      'POSTs the same payload again, freshly signed, to your current callback URL (not necessarily the one it first went to), retried like any webhook for up to 72 hours. ' +
      'Its attempts are added to the same delivery, numbered on from the earlier ones. ' +
      'A delivery has at most one redelivery under way: asking again while it runs returns the same `workflow_id` ' +
      'and sends nothing extra. At most 30 requests per merchant every 10 minutes (429 `rate_limited` beyond).',
    tags: ['Webhooks'],
    rateLimits: [{ policy: 'redeliveriesPerMerchant', key: rateLimitKeys.merchant }],
    params: { id: 'The delivery id' },
    responses: [
      {
        status: 202,
        description: 'Redelivery started',
        schema: z.object({ delivery_id: id, workflow_id: z.string() }),
        example: { delivery_id: 17, workflow_id: 'webhook-redelivery-17' },
      },
      notFound,
      errorResponse(
        409,
        'conflict',
        'You have no callback URL: set one with PUT /api/settings, then redeliver',
        {},
        'No callback URL, or a superseded failure (never sent)',
      ),
    ],
    handler: async (ctx, caller) => {
      const body = await redeliver(
        { em: deps.em(), temporal: deps.temporal, taskQueue: deps.taskQueue, timings: deps.timings },
        caller,
        ctx.params.id!,
      );
      ctx.status = 202;
      ctx.body = body;
    },
  });
};
