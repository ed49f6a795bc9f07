import { rateLimitKeys } from '../rateLimits';
import type { RouteModule } from './module';
import { errorResponse } from '../openapi/registry';
import { darajaCredentials } from '../../config/config';
import { parseInput } from '../validate';
import {
  checkoutPaymentSchema,
  checkoutPaymentStatus,
  showCheckout,
  startCheckoutPayment,
  type CheckoutDeps,
} from '../useCases/linkCheckout';
import { PAYMENT_NOT_STARTED_RESPONSE } from './paymentResponses';
import { checkoutPaymentViewSchema, checkoutStartedSchema, checkoutViewSchema } from './paymentLinkSchemas';

const TOKEN_PARAM = "The secret part of the link's URL (`/pay/{token}`)";

/** The hosted checkout page's public calls: GET /api/pay/:token, POST …/payments, GET …/payments/:paymentToken. */
export const checkoutRoutes: RouteModule = (api, deps) => {
  const checkoutDeps = (): CheckoutDeps => ({
    em: deps.em(),
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    timings: deps.timings,
    startDeadlineMs: deps.config.TEMPORAL_START_DEADLINE_MS,
    liveEnabled: darajaCredentials(deps.config, 'production') !== null,
  });

  api.add({
    method: 'get',
    path: '/api/pay/:token',
    access: 'public',
    rateLimits: [{ policy: 'checkoutReadsPerIp', key: rateLimitKeys.clientIp }],
    summary: 'Read a payment link (checkout page)',
    description:
      "What the link's checkout page shows: the merchant's name, what is paid for, the amount (or the bounds of one the customer enters) and whether the link takes a payment now. No credentials: the token in the URL is the key.",
    tags: ['Checkout (public)'],
    params: { token: TOKEN_PARAM },
    responses: [
      {
        status: 200,
        description: 'The link as its page shows it',
        schema: checkoutViewSchema,
        example: {
          merchant_name: 'Mama Njeri Groceries',
          description: 'School fees',
          amount_kind: 'fixed',
          amount: 1500,
          min_amount: null,
          max_amount: null,
          currency: 'KES',
          environment: 'sandbox',
          availability: 'open',
        },
      },
      errorResponse(404, 'not_found', 'This payment link does not exist. Check the address.'),
    ],
    handler: async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await showCheckout(checkoutDeps(), ctx.params.token!);
    },
  });

  api.add({
    method: 'post',
    path: '/api/pay/:token/payments',
    access: 'public',
    rateLimits: [
      { policy: 'checkoutPerLink', key: rateLimitKeys.paymentLink },
      { policy: 'checkoutPerIp', key: rateLimitKeys.clientIp },
      { policy: 'checkoutPerPhone', key: rateLimitKeys.checkoutPhone, keyFromBody: true },
    ],
    bodyLimit: 1024,
    summary: 'Pay a payment link (checkout page)',
    description:
      "Sends the M-Pesa prompt to `phone_number` for the link's amount (or, for a link whose customer enters the amount, `amount` within its bounds): an ordinary payment, with the merchant's fee, webhook (carrying `link_id`) and transaction list. " +
      'Answers once M-Pesa has accepted the push, with `payment_token` to poll GET /api/pay/{token}/payments/{payment_token}.\n\n' +
      'Limited per link, per client address and per phone number (429 with Retry-After), and refused while the phone has another link prompt open (409 `prompt_open`).',
    tags: ['Checkout (public)'],
    params: { token: TOKEN_PARAM },
    body: checkoutPaymentSchema,
    responses: [
      {
        status: 201,
        description: 'The prompt is on its way to the phone',
        schema: checkoutStartedSchema,
        example: {
          payment_token: '8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D',
          status: 'pending',
          message: 'Check your phone and enter your M-Pesa PIN.',
        },
      },
      {
        status: 202,
        description: 'M-Pesa has not confirmed the push yet; poll the payment, do not pay again',
        schema: checkoutStartedSchema,
        example: {
          payment_token: '8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D',
          status: 'pending',
          message: 'The prompt may take a moment to reach your phone. Do not pay again.',
        },
      },
      errorResponse(400, 'validation_failed', 'The amount must be between KES 10 and KES 5000', { field: 'amount' }),
      errorResponse(404, 'not_found', 'This payment link does not exist. Check the address.'),
      errorResponse(
        409,
        'link_unavailable',
        'This payment link has expired. Ask the merchant for a new link.',
        { reason: 'expired' },
        'The link takes no payment now: `reason` is paused, archived, expired, used (single use) or unavailable (the merchant cannot take payments)',
      ),
      errorResponse(
        409,
        'prompt_open',
        'A payment prompt is already open on this phone. Answer it on the phone (or wait about a minute for it to end), then try again.',
      ),
      errorResponse(429, 'rate_limited', 'Too many requests: at most 5 every 600 s. Retry after 412 s.', {
        retry_after: 412,
      }),
      errorResponse(503, 'daraja_unavailable', 'M-Pesa is busy right now; no prompt was sent. Try again in a minute.'),
      PAYMENT_NOT_STARTED_RESPONSE,
    ],
    handler: async (ctx) => {
      const request = parseInput(checkoutPaymentSchema, ctx.request.body);
      const answer = await startCheckoutPayment(checkoutDeps(), { token: ctx.params.token!, request });
      ctx.status = answer.confirmed ? 201 : 202;
      ctx.body = answer.body;
    },
  });

  api.add({
    method: 'get',
    path: '/api/pay/:token/payments/:paymentToken',
    access: 'public',
    rateLimits: [{ policy: 'checkoutReadsPerIp', key: rateLimitKeys.clientIp }],
    summary: 'Read a checkout payment (checkout page)',
    description:
      'The payment as recorded, read by its own unguessable token: poll every 2–3 seconds until `status` is completed or failed. `next_step` says what the customer should do: wait, done, cancelled (1032), timed_out (1037), insufficient_balance (1), wrong_pin (2001), failed or in_review.',
    tags: ['Checkout (public)'],
    params: { token: TOKEN_PARAM, paymentToken: 'The payment_token POST /api/pay/{token}/payments answered' },
    responses: [
      {
        status: 200,
        description: 'The payment as it stands',
        schema: checkoutPaymentViewSchema,
        example: {
          status: 'failed',
          amount: 1500,
          mpesa_receipt: null,
          result_code: '1032',
          result_desc: 'Request cancelled by user',
          next_step: 'cancelled',
        },
      },
      errorResponse(404, 'not_found', 'No such payment on this link'),
    ],
    handler: async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await checkoutPaymentStatus(
        { em: deps.em() },
        { token: ctx.params.token!, paymentToken: ctx.params.paymentToken! },
      );
    },
  });
};
