import { parseInput } from '../../validate';
import { errorResponse } from '../../openapi/registry';
import { NEXT_CURSOR_HEADER } from '../../useCases/listParams';
import {
  adjustMerchantWallet,
  adjustmentSchema,
  merchantNamed,
  ledgerQuerySchema,
  walletLedger,
  walletView,
} from '../../useCases/wallet';
import type { RouteModule } from '../module';
import { auditActorOf } from '../../auditActor';
import { z } from 'zod';
import { id, kes, ledgerEntrySchema, walletSchema } from '../../openapi/responses';

/** An admin's view of a merchant's service wallet, and manual credits and debits. */
export const adminWalletRoutes: RouteModule = (api, deps) => {
  const merchantOf = (idText: string | undefined) => merchantNamed(deps.em(), idText);

  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/merchants/:id/wallet',
    summary: "A merchant's wallet balance",
    tags: ['Admin: wallets'],
    params: { id: 'The merchant id' },
    responses: [
      {
        status: 200,
        description: 'The balance',
        schema: walletSchema.extend({ merchant_id: id }),
        example: { merchant_id: 7, balance: 994, currency: 'KES' },
      },
      errorResponse(404, 'not_found', 'Merchant 9 does not exist'),
    ],
    handler: async (ctx) => {
      const merchant = await merchantOf(ctx.params.id);
      ctx.body = { merchant_id: merchant.id, ...(await walletView(deps.em(), merchant.id)) };
    },
  });

  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/merchants/:id/wallet/ledger',
    summary: "A merchant's wallet movements",
    description: 'Like GET /api/wallet/ledger, for any merchant.',
    tags: ['Admin: wallets'],
    params: { id: 'The merchant id' },
    query: ledgerQuerySchema,
    responses: [
      { status: 200, description: 'A page of entries, newest first', schema: z.array(ledgerEntrySchema) },
      errorResponse(404, 'not_found', 'Merchant 9 does not exist'),
    ],
    handler: async (ctx) => {
      const merchant = await merchantOf(ctx.params.id);
      const params = parseInput(ledgerQuerySchema, ctx.query);
      const { entries, nextCursor } = await walletLedger(deps.em(), merchant.id, params);
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = entries;
    },
  });

  api.add({
    method: 'post',
    access: 'admin',
    path: '/api/admin/merchants/:id/wallet/adjustments',
    summary: "Credit or debit a merchant's wallet",
    description:
      "A positive `amount` credits, a negative one debits; `reason` is required and kept in the ledger entry's reference with the admin's id. " +
      'One adjustment moves at most WALLET_ADJUSTMENT_LIMIT_KES (KES 100,000 by default) either way. ' +
      'A debit the balance cannot cover changes nothing. Each adjustment is recorded in the audit log (`wallet.adjusted`).',
    tags: ['Admin: wallets'],
    params: { id: 'The merchant id' },
    body: adjustmentSchema,
    responses: [
      {
        status: 201,
        description: 'The ledger entry and the new balance',
        schema: ledgerEntrySchema.extend({ balance: kes.describe('The balance after it') }),
        example: {
          id: 88,
          kind: 'adjustment',
          amount: 200,
          balance_after: 1194,
          transaction_id: null,
          reference: 'Admin 1: refund of double charge',
          created_at: '2024-06-15T12:00:00.000Z',
          balance: 1194,
        },
      },
      errorResponse(
        400,
        'validation_failed',
        'A debit of KES 5000 would take the wallet below zero: it holds KES 994',
        { field: 'amount', balance: 994 },
      ),
      errorResponse(404, 'not_found', 'Merchant 9 does not exist'),
    ],
    handler: async (ctx, admin) => {
      const merchant = await merchantOf(ctx.params.id);
      const { amount, reason } = parseInput(adjustmentSchema, ctx.request.body);
      ctx.status = 201;
      ctx.body = await adjustMerchantWallet(deps.em(), {
        merchant,
        adminId: admin.user.id,
        amount,
        reason,
        actor: auditActorOf(ctx, admin),
        limitKes: deps.config.WALLET_ADJUSTMENT_LIMIT_KES,
      });
    },
  });
};
