import { rateLimitKeys } from '../rateLimits';
import { darajaCredentials } from '../../config/config';
import { validateMetadata } from '../../domain/metadata';
import { createCustomer, customerById, listCustomers, updateCustomer } from '../useCases/expressCustomers';
import { createExpressPayment, getExpressPayment, listExpressPayments } from '../useCases/expressPayments';
import { presentCustomer } from '../useCases/expressPresent';
import type { RouteModule } from './module';
import { idempotencyKeyOf } from '../idempotencyKey';
import { errorResponse } from '../openapi/registry';
import { parseInput } from '../validate';
import {
  expressCustomerSchema,
  expressCustomerUpdateSchema,
  expressCustomerResponseSchema,
  expressListSchema,
  expressPaymentResponseSchema,
  expressPaymentSchema,
  listQuerySchema,
} from './expressApiSchemas';
import { PAYMENT_NOT_STARTED_RESPONSE } from './paymentResponses';

const paymentExample = {
  id: 'trxn_4fZK2nq8WbX1pL0aQ',
  object: 'payment',
  status: 'pending',
  amount: 1000,
  fee: 15,
  netAmount: 985,
  currency: 'KES',
  phoneNumber: '254712345678',
  customerId: 'cus_GqfKXLmg61LURZhB7',
  environment: 'sandbox',
  timestamp: '2026-11-22T17:30:00.000Z',
  message: 'STK push sent; waiting for the customer to enter their M-Pesa PIN',
  description: 'Invoice #1234',
  accountReference: '5123456',
  checkoutRequestId: 'ws_CO_22112026203000123456',
  mpesaReceipt: null,
  reversalStatus: null,
  metadata: { order_id: 'ord_123456' },
  linkId: null,
};
const customerExample = {
  id: 'cus_GqfKXLmg61LURZhB7',
  object: 'customer',
  phoneNumber: '254712345678',
  name: 'John Doe',
  email: 'johndoe@example.com',
  description: 'VIP Customer',
  metadata: { tier: 'gold' },
  environment: 'sandbox',
  createdAt: '2026-11-22T17:30:00.000Z',
};
// Metadata alone may hold 50 values of 500 characters.
const EXPRESS_BODY_LIMIT_BYTES = 64 * 1024;
const tags = { payments: ['Express API: payments'], customers: ['Express API: customers'] };
const badInput = errorResponse(400, 'validation_failed', 'metadata key "order" value must be at most 500 characters');
const missing = (what: string) => errorResponse(404, 'not_found', `No ${what} trxn_…`);

/** The Express API (/api/v1): payments and customers in the resource style, over the same payment core. */
export const expressRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'post',
    path: '/api/v1/payments',
    rateLimits: [
      { policy: 'paymentsPerApiKey', key: rateLimitKeys.apiKey },
      { policy: 'paymentsPerMerchant', key: rateLimitKeys.merchant },
    ],
    access: 'merchant',
    bodyLimit: EXPRESS_BODY_LIMIT_BYTES,
    summary: 'Create a payment (customer and payment in one flat body)',
    description:
      'Same payment core as POST /api/stk-push. An existing customerId makes the customer fields ignored; otherwise the customer is found by phone number or created. Metadata: keys ≤ 40 characters; values strings ≤ 500 characters, integers, floats or booleans; at most 50 pairs.',
    tags: tags.payments,
    body: expressPaymentSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Retrying with the same key and body returns the same payment; a different body is 409.',
      },
    ],
    responses: [
      {
        status: 201,
        description: 'M-Pesa accepted the push; the customer has a prompt',
        schema: expressPaymentResponseSchema,
        example: paymentExample,
      },
      {
        status: 202,
        description: 'M-Pesa has not confirmed the push yet; do not send it again',
        schema: expressPaymentResponseSchema,
        example: { ...paymentExample, checkoutRequestId: null },
      },
      badInput,
      errorResponse(
        402,
        'insufficient_balance',
        'Insufficient service balance: the fee is KES 15 and your service wallet holds KES 3. Top up your wallet and try again.',
      ),
      errorResponse(
        403,
        'forbidden',
        'Live (production) payments are not enabled on this ImaraPay deployment; use a sandbox key',
      ),
      errorResponse(404, 'not_found', 'No customer cus_…'),
      errorResponse(409, 'conflict', 'This Idempotency-Key was already used with a different request body.'),
      PAYMENT_NOT_STARTED_RESPONSE,
    ],
    handler: async (ctx, caller) => {
      const input = parseInput(expressPaymentSchema, ctx.request.body);
      const metadata = validateMetadata(input.metadata, 'metadata');
      const started = await createExpressPayment(
        {
          em: deps.em(),
          temporal: deps.temporal,
          taskQueue: deps.taskQueue,
          timings: deps.timings,
          startDeadlineMs: deps.config.TEMPORAL_START_DEADLINE_MS,
          liveEnabled: darajaCredentials(deps.config, 'production') !== null,
        },
        caller,
        { ...input, metadata },
        idempotencyKeyOf(ctx),
      );
      ctx.status = started.outcome === 'accepted' ? 201 : 202;
      ctx.body = started.payment;
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/payments',
    access: 'merchant',
    summary: 'List payments, newest first',
    tags: tags.payments,
    query: listQuerySchema,
    responses: [
      {
        status: 200,
        description: 'A page of payments',
        schema: expressListSchema(expressPaymentResponseSchema),
        example: { object: 'list', data: [paymentExample], has_more: false },
      },
      badInput,
    ],
    handler: async (ctx, caller) => {
      const { limit, starting_after: startingAfter } = parseInput(listQuerySchema, ctx.query);
      ctx.body = await listExpressPayments(deps.em(), caller, { limit, startingAfter });
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/payments/:id',
    access: 'merchant',
    summary: 'Retrieve a payment',
    tags: tags.payments,
    params: { id: 'The payment id, trxn_…' },
    responses: [
      {
        status: 200,
        description: 'The payment',
        schema: expressPaymentResponseSchema,
        example: { ...paymentExample, status: 'completed', mpesaReceipt: 'RGH8KXXXX1' },
      },
      missing('payment'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await getExpressPayment(deps.em(), caller, ctx.params.id!);
    },
  });

  api.add({
    method: 'post',
    path: '/api/v1/customers',
    access: 'merchant',
    bodyLimit: EXPRESS_BODY_LIMIT_BYTES,
    summary: 'Create a customer',
    tags: tags.customers,
    body: expressCustomerSchema,
    responses: [
      {
        status: 201,
        description: 'The new customer',
        schema: expressCustomerResponseSchema,
        example: customerExample,
      },
      badInput,
      errorResponse(409, 'conflict', 'A customer with this phone number already exists: cus_…'),
    ],
    handler: async (ctx, caller) => {
      ctx.status = 201;
      const input = parseInput(expressCustomerSchema, ctx.request.body);
      const metadata = validateMetadata(input.metadata, 'metadata');
      ctx.body = presentCustomer(await createCustomer(deps.em(), caller, { ...input, metadata }));
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/customers',
    access: 'merchant',
    summary: 'List customers, newest first',
    tags: tags.customers,
    query: listQuerySchema,
    responses: [
      {
        status: 200,
        description: 'A page of customers',
        schema: expressListSchema(expressCustomerResponseSchema),
        example: { object: 'list', data: [customerExample], has_more: false },
      },
    ],
    handler: async (ctx, caller) => {
      const { limit, starting_after: startingAfter } = parseInput(listQuerySchema, ctx.query);
      const page = await listCustomers(deps.em(), caller, { limit, startingAfter });
      ctx.body = { object: 'list', data: page.data.map(presentCustomer), has_more: page.has_more };
    },
  });

  api.add({
    method: 'get',
    path: '/api/v1/customers/:id',
    access: 'merchant',
    summary: 'Retrieve a customer',
    tags: tags.customers,
    params: { id: 'The customer id, cus_…' },
    responses: [
      {
        status: 200,
        description: 'The customer',
        schema: expressCustomerResponseSchema,
        example: customerExample,
      },
      missing('customer'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = presentCustomer(await customerById(deps.em(), caller, ctx.params.id!));
    },
  });

  // PATCH, and POST as Stripe-style clients send updates.
  for (const method of ['patch', 'post'] as const) {
    api.add({
      method,
      path: '/api/v1/customers/:id',
      access: 'merchant',
      bodyLimit: EXPRESS_BODY_LIMIT_BYTES,
      summary:
        method === 'patch'
          ? 'Update a customer (only the fields given change)'
          : 'Update a customer (POST, for Stripe-style clients)',
      tags: tags.customers,
      params: { id: 'The customer id, cus_…' },
      body: expressCustomerUpdateSchema,
      responses: [
        {
          status: 200,
          description: 'The updated customer',
          schema: expressCustomerResponseSchema,
          example: customerExample,
        },
        badInput,
        missing('customer'),
      ],
      handler: async (ctx, caller) => {
        const input = parseInput(expressCustomerUpdateSchema, ctx.request.body);
        const changes = {
          ...input,
          metadata: input.metadata === undefined ? undefined : validateMetadata(input.metadata, 'metadata'),
        };
        ctx.body = presentCustomer(await updateCustomer(deps.em(), caller, ctx.params.id!, changes));
      },
    });
  }
};
