import { KENYAN_BANKS } from '../../domain/banks';

import type { RouteModule } from './module';
import { z } from 'zod';

/** A bank a bank channel may deposit to, and the M-Pesa paybill its deposits are pushed to. */
export const bankSchema = z.object({ name: z.string(), paybill: z.string() });

/** GET /api/banks: the banks a bank channel may deposit to, with the paybill each is pushed to. */
export const bankRoutes: RouteModule = (api) => {
  api.add({
    method: 'get',
    access: 'public',
    path: '/api/banks',
    summary: 'List the banks for bank channels',
    description:
      "Use a `name` as `bank_name` when adding a bank channel. Payments to a bank channel are STK pushes to the bank's M-Pesa `paybill`.",
    tags: ['Payment channels'],
    responses: [
      {
        status: 200,
        description: 'Every supported bank',
        schema: z.array(bankSchema),
        example: [
          { name: 'Equity Bank', paybill: '247247' },
          { name: 'KCB Bank', paybill: '522522' },
        ],
      },
    ],
    handler: (ctx) => {
      ctx.body = KENYAN_BANKS;
    },
  });
};
