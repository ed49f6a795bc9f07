import { paymentsForReview } from '../../useCases/paymentReview';
import type { RouteModule } from '../module';
import { z } from 'zod';
import { callbackDisposition, environment, id, kes, paymentStatus, timestamp } from '../../openapi/responses';

/** One payment whose M-Pesa evidence is in doubt, with that evidence. */
export const paymentReviewSchema = z.object({
  transaction_id: id,
  merchant_id: id,
  environment,
  status: paymentStatus,
  review_reason: z.string().nullable(),
  amount: kes,
  mpesa_amount: kes.nullable(),
  mpesa_receipt: z.string().nullable(),
  checkout_request_id: z.string().nullable(),
  evidence_conflicts: z.array(
    z.object({
      kind: z.enum(['receipt', 'amount', 'invalid']),
      callbackId: id.nullable(),
      recorded: z.union([z.string(), z.number()]).nullable(),
      received: z.union([z.string(), z.number()]).nullable(),
      at: timestamp,
    }),
  ),
  callbacks: z.array(
    z.object({
      id,
      received_at: timestamp,
      disposition: callbackDisposition,
      result_code: z.string().nullable(),
      problems: z.string().nullable(),
      raw_body: z.string(),
    }),
  ),
});

/** GET /api/admin/payments/review: what M-Pesa's evidence leaves in doubt. */
export const adminReviewRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/payments/review',
    summary: 'Payments whose M-Pesa evidence is in doubt',
    description:
      "Payments in `needs_review` (the review rule found M-Pesa's evidence in doubt: an Amount other than the push, two receipts, items that break Daraja's rules, or M-Pesa's record disagreeing; the fee is held and the merchant was sent `payment.review_started`) " +
      'and payments with recorded disagreements (`evidence_conflicts`), newest first, at most 100, each with its stored raw callbacks.',
    tags: ['Admin: transactions'],
    responses: [
      {
        status: 200,
        description: 'The payments to review',
        schema: z.array(paymentReviewSchema),
        example: [
          {
            transaction_id: 42,
            merchant_id: 7,
            environment: 'sandbox',
            status: 'needs_review',
            review_reason: "M-Pesa's success callback 88 reports KES 1 for a push of KES 9908",
            amount: 9908,
            mpesa_amount: 1,
            mpesa_receipt: 'R33MVBMXSF',
            checkout_request_id: 'ws_CO_301120261200001234',
            evidence_conflicts: [],
            callbacks: [
              {
                id: 88,
                received_at: '2026-11-30T12:00:03.000Z',
                disposition: 'signalled',
                result_code: '0',
                problems: null,
                raw_body: '{"Body":{"stkCallback":{…}}}',
              },
            ],
          },
        ],
      },
    ],
    handler: async (ctx) => {
      ctx.body = await paymentsForReview(deps.em());
    },
  });
};
