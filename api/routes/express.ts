import { darajaCredentials } from '../../config/config';
import type { ApiCaller } from '../auth';
import { createCustomer, customerById, listCustomers, updateCustomer } from '../express/customers';
import { createExpressPayment, getExpressPayment, listExpressPayments } from '../express/payments';
import { presentCustomer } from '../express/present';
import type { RouteModule } from './module';
import { idempotencyKeyOf } from '../idempotencyKey';
import { describeEndpoint, errorResponse } from '../openapi/registry';
import { expressCustomerSchema, expressCustomerUpdateSchema, expressPaymentSchema, listQuerySchema } from '../express/schemas';

/** The Express API (/api/v1): payments and customers in the resource style, over the same payment core. */
export const expressRoutes: RouteModule = ({ merchantApi: router }, deps) => {
  const caller = (state: Record<string, unknown>) => state.caller as ApiCaller;

  router.post('/v1/payments', async (ctx) => {
    const idempotencyKey = idempotencyKeyOf(ctx);
    const result = await createExpressPayment(
      { em: deps.em(), temporal: deps.temporal, taskQueue: deps.taskQueue, timings: deps.timings, liveEnabled: darajaCredentials(deps.config, 'production') !== null },
      caller(ctx.state),
      ctx.request.body,
      idempotencyKey,
    );
    ctx.status = result.status;
    ctx.body = result.body;
  });
  router.get('/v1/payments', async (ctx) => {
    ctx.body = await listExpressPayments(deps.em(), caller(ctx.state), ctx.query);
  });
  router.get('/v1/payments/:id', async (ctx) => {
    ctx.body = await getExpressPayment(deps.em(), caller(ctx.state), ctx.params.id!);
  });

  describeExpress(router);

  router.post('/v1/customers', async (ctx) => {
    ctx.status = 201;
    ctx.body = presentCustomer(await createCustomer(deps.em(), caller(ctx.state), ctx.request.body));
  });
  router.get('/v1/customers', async (ctx) => {
    const page = await listCustomers(deps.em(), caller(ctx.state), ctx.query);
    ctx.body = { object: 'list', data: page.data.map(presentCustomer), has_more: page.has_more };
  });
  router.get('/v1/customers/:id', async (ctx) => {
    ctx.body = presentCustomer(await customerById(deps.em(), caller(ctx.state), ctx.params.id!));
  });
  // PATCH, and POST as Stripe-style clients send updates.
  for (const method of ['patch', 'post'] as const) {
    router[method]('/v1/customers/:id', async (ctx) => {
      ctx.body = presentCustomer(await updateCustomer(deps.em(), caller(ctx.state), ctx.params.id!, ctx.request.body));
    });
  }
};

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
  metadata: { order_id: 'ord_123456' },
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
const tags = { payments: ['Express API: payments'], customers: ['Express API: customers'] };
const badInput = errorResponse(400, 'validation_failed', 'metadata key "order" value must be at most 500 characters');
const missing = (what: string) => errorResponse(404, 'not_found', `No ${what} trxn_…`);

function describeExpress(router: Parameters<RouteModule>[0]['merchantApi']): void {
  describeEndpoint(router, {
    method: 'post',
    path: '/v1/payments',
    summary: 'Create a payment (customer and payment in one flat body)',
    description:
      'Same payment core as POST /api/stk-push. An existing customerId makes the customer fields ignored; otherwise the customer is found by phone number or created. Metadata: keys ≤ 40 characters; values strings ≤ 500 characters, integers, floats or booleans; at most 50 pairs.',
    tags: tags.payments,
    body: expressPaymentSchema,
    headers: [{ name: 'Idempotency-Key', description: 'Retrying with the same key and body returns the same payment; a different body is 409.' }],
    responses: [
      { status: 201, description: 'M-Pesa accepted the push; the customer has a prompt', example: paymentExample },
      { status: 202, description: 'M-Pesa has not confirmed the push yet; do not send it again', example: { ...paymentExample, checkoutRequestId: null } },
      badInput,
      errorResponse(402, 'insufficient_balance', 'Insufficient service balance: the fee is KES 15 and your service wallet holds KES 3. Top up your wallet and try again.'),
      errorResponse(403, 'forbidden', 'Live (production) payments are not enabled on this ImaraPay deployment; use a sandbox key'),
      errorResponse(404, 'not_found', 'No customer cus_…'),
      errorResponse(409, 'conflict', 'This Idempotency-Key was already used with a different request body.'),
    ],
  });
  describeEndpoint(router, {
    method: 'get',
    path: '/v1/payments',
    summary: 'List payments, newest first',
    tags: tags.payments,
    query: listQuerySchema,
    responses: [{ status: 200, description: 'A page of payments', example: { object: 'list', data: [paymentExample], has_more: false } }, badInput],
  });
  describeEndpoint(router, {
    method: 'get',
    path: '/v1/payments/:id',
    summary: 'Retrieve a payment',
    tags: tags.payments,
    params: { id: 'The payment id, trxn_…' },
    responses: [{ status: 200, description: 'The payment', example: { ...paymentExample, status: 'completed', mpesaReceipt: 'RGH8KXXXX1' } }, missing('payment')],
  });
  describeEndpoint(router, {
    method: 'post',
    path: '/v1/customers',
    summary: 'Create a customer',
    tags: tags.customers,
    body: expressCustomerSchema,
    responses: [{ status: 201, description: 'The new customer', example: customerExample }, badInput, errorResponse(409, 'conflict', 'A customer with this phone number already exists: cus_…')],
  });
  describeEndpoint(router, {
    method: 'get',
    path: '/v1/customers',
    summary: 'List customers, newest first',
    tags: tags.customers,
    query: listQuerySchema,
    responses: [{ status: 200, description: 'A page of customers', example: { object: 'list', data: [customerExample], has_more: false } }],
  });
  describeEndpoint(router, {
    method: 'get',
    path: '/v1/customers/:id',
    summary: 'Retrieve a customer',
    tags: tags.customers,
    params: { id: 'The customer id, cus_…' },
    responses: [{ status: 200, description: 'The customer', example: customerExample }, missing('customer')],
  });
  for (const method of ['patch', 'post'] as const) {
    describeEndpoint(router, {
      method,
      path: '/v1/customers/:id',
      summary: method === 'patch' ? 'Update a customer (only the fields given change)' : 'Update a customer (POST, for Stripe-style clients)',
      tags: tags.customers,
      params: { id: 'The customer id, cus_…' },
      body: expressCustomerUpdateSchema,
      responses: [{ status: 200, description: 'The updated customer', example: customerExample }, badInput, missing('customer')],
    });
  }
}
