import { errorResponse } from '../openapi/registry';
import { customerListQuerySchema, listMerchantCustomers, merchantCustomer } from '../useCases/customers';
import { NEXT_CURSOR_HEADER } from '../useCases/listParams';
import type { RouteModule } from './module';
import { parseInput } from '../validate';
import { transactionExample } from './transactions';
import { z } from 'zod';
import { count, kes, timestamp, transactionSchema } from '../openapi/responses';

/** A customer as GET /api/customers lists it. */
export const customerSchema = z.object({
  id: z.string().describe('cus_…'),
  phone_number: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  created_at: timestamp,
  payment_count: count.describe('Payments pushed to this customer, whatever their outcome'),
  total_paid: kes.describe('KES paid in completed payments'),
});

const customerExample = {
  id: 'cus_4QyZ0f3kR8mWn2Lp7',
  phone_number: '254712345678',
  name: null,
  email: null,
  created_at: '2024-06-15T12:34:56.000Z',
  payment_count: 3,
  total_paid: 1500,
};

/** GET /api/customers and GET /api/customers/:id: the people who paid, linked by phone number. */
export const customerRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/customers',
    summary: 'List your customers',
    description:
      'Everyone an STK push was sent to, one customer per phone number (0712…, +254712… and 254712… are one customer), newest first, with how many payments they were sent and the KES they paid in completed ones. ' +
      '`phone_number` finds one customer. When more exist, the `X-Next-Cursor` response header holds the `cursor` of the next page.',
    tags: ['Customers'],
    query: customerListQuerySchema,
    responses: [
      { status: 200, description: 'A page of customers', schema: z.array(customerSchema), example: [customerExample] },
    ],
    handler: async (ctx, caller) => {
      const params = parseInput(customerListQuerySchema, ctx.query);
      const { customers, nextCursor } = await listMerchantCustomers(deps.em(), caller, params);
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = customers;
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/customers/:id',
    summary: 'A customer and their payments',
    description:
      'The customer and their 100 most recent payments; GET /api/transactions?customer_id= pages through all of them.',
    tags: ['Customers'],
    params: { id: 'The customer id, cus_…' },
    responses: [
      {
        status: 200,
        description: 'The customer',
        schema: customerSchema.extend({ payments: z.array(transactionSchema) }),
        example: { ...customerExample, payments: [transactionExample] },
      },
      errorResponse(404, 'not_found', 'Customer cus_… does not exist'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await merchantCustomer(deps.em(), caller, ctx.params.id!);
    },
  });
};
