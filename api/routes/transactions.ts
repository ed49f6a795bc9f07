import { Readable } from 'node:stream';
import { errorResponse } from '../openapi/registry';
import { rateLimitKeys } from '../rateLimits';
import { NEXT_CURSOR_HEADER } from '../useCases/listParams';
import {
  exportMerchantTransactions,
  listMerchantTransactions,
  transactionsCsvQuerySchema,
  transactionsQuerySchema,
} from '../useCases/listTransactions';
import type { RouteModule } from './module';
import { parseInput } from '../validate';
import { z } from 'zod';
import { transactionSchema } from '../openapi/responses';

export const transactionExample = {
  id: 42,
  type: 'payment',
  phone_number: '254712345678',
  amount: 500,
  fee_charged: 6,
  status: 'completed',
  mpesa_receipt: 'RGH8KXXXX',
  external_reference: 'INV-001',
  description: 'Order #1001',
  checkout_request_id: 'ws_CO_…',
  result_code: '0',
  result_desc: 'The service request is processed successfully.',
  mpesa_amount: 500,
  mpesa_phone_number: '254712345678',
  mpesa_transaction_date: '20240615153514',
  review_reason: null,
  account_id: 1,
  account_name: 'Till 3118761',
  channel: 'Till - 3118761',
  customer_id: 'cus_4QyZ0f3kR8mWn2Lp7',
  link_id: null,
  created_at: '2024-06-15T12:34:56.000Z',
  completed_at: '2024-06-15T12:35:14.000Z',
  reversal_status: null,
};

const FILTERS =
  'Filters: `status`, `account_id`, `type` (payment or wallet_top_up), `customer_id` (cus_…), `link_id` (plink_…: one payment link’s payments), `q` (an M-Pesa receipt, a phone number in any accepted format, an external reference or a CheckoutRequestID: exact match), ' +
  '`from` and `to` (a date such as 2024-06-15, a whole day in East Africa Time, or an ISO timestamp with a time zone). Newest first; when more rows exist the `X-Next-Cursor` response header holds the `cursor` of the next page.';

/** GET /api/transactions (JSON array) and GET /api/transactions.csv (the same selection as a file). */
export const transactionRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/transactions',
    summary: 'List transactions',
    description: `Your transactions in the environment of your key, as a plain array. ${FILTERS} \`limit\` is 100 by default, at most 1,000.`,
    tags: ['Transactions'],
    query: transactionsQuerySchema,
    responses: [
      {
        status: 200,
        description: 'A page of transactions',
        schema: z.array(transactionSchema),
        example: [transactionExample],
      },
      errorResponse(400, 'validation_failed', 'status must be pending, completed, failed or needs_review', {
        field: 'status',
      }),
      errorResponse(404, 'not_found', 'Payment channel 9 does not exist'),
    ],
    handler: async (ctx, caller) => {
      const params = parseInput(transactionsQuerySchema, ctx.query);
      const { transactions, nextCursor } = await listMerchantTransactions(deps.em(), caller, params);
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = transactions;
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/transactions.csv',
    // Each export reads up to 10,000 rows: counted per merchant, whichever key or session asks.
    rateLimits: [{ policy: 'exportsPerMerchant', key: rateLimitKeys.merchant }],
    summary: 'Export transactions as CSV',
    description: `The same selection as GET /api/transactions, as a CSV file with a header row (columns named like the JSON fields), streamed as it is read. ${FILTERS} \`limit\` is 10,000 by default and at most. Exports are rate-limited per merchant (20 per 10 minutes by default).`,
    tags: ['Transactions'],
    query: transactionsCsvQuerySchema,
    responses: [
      {
        status: 200,
        description: 'text/csv attachment',
        mediaType: 'text/csv',
        example: 'id,type,created_at,…\r\n42,payment,2024-06-15T12:34:56.000Z,…\r\n',
      },
    ],
    handler: async (ctx, caller) => {
      // A CSV file is a download: its own, larger page size, streamed a page of rows at a time.
      const params = parseInput(transactionsCsvQuerySchema, ctx.query);
      const { nextCursor, chunks } = await exportMerchantTransactions(deps.em(), caller, params);
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.set(
        'Content-Disposition',
        `attachment; filename="imarapay-transactions-${new Date().toISOString().slice(0, 10)}.csv"`,
      );
      ctx.type = 'text/csv; charset=utf-8';
      // Readable.from pulls the next page only when the socket has taken the last: a slow reader holds one page.
      ctx.body = Readable.from(chunks, { objectMode: false, highWaterMark: 1 });
    },
  });
};
