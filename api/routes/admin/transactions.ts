import { errorResponse } from '../../openapi/registry';
import { NEXT_CURSOR_HEADER } from '../../useCases/listParams';
import { adminTransactionsQuerySchema, listAllTransactions } from '../../useCases/listTransactions';
import type { RouteModule } from '../module';
import { parseInput } from '../../validate';
import { transactionExample } from '../transactions';
import { z } from 'zod';
import { environment, id, transactionSchema } from '../../openapi/responses';

/** A transaction as admins list it: with its merchant and environment. */
export const adminTransactionSchema = transactionSchema.extend({
  merchant_id: id,
  merchant_name: z.string(),
  environment,
});

/** GET /api/admin/transactions: every merchant's transactions. */
export const adminTransactionRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/transactions',
    summary: "Every merchant's transactions",
    description:
      'The filters of GET /api/transactions (except customer_id), plus `merchant_id` and `environment` (both environments when absent). Each row adds merchant_id, merchant_name and environment. ' +
      'When more rows exist the `X-Next-Cursor` response header holds the `cursor` of the next page.',
    tags: ['Admin: transactions'],
    query: adminTransactionsQuerySchema,
    responses: [
      {
        status: 200,
        description: 'A page of transactions',
        schema: z.array(adminTransactionSchema),
        example: [{ ...transactionExample, merchant_id: 7, merchant_name: 'Duka La Mama', environment: 'sandbox' }],
      },
      errorResponse(404, 'not_found', 'Merchant 9 does not exist'),
    ],
    handler: async (ctx) => {
      const params = parseInput(adminTransactionsQuerySchema, ctx.query);
      const { transactions, nextCursor } = await listAllTransactions(deps.em(), params);
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = transactions;
    },
  });
};
