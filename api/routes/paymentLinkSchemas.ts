import { z } from 'zod';
import type { CheckoutNextStep, LinkAmountKind, LinkAvailability, LinkState } from '../../domain/paymentLinks';
import { count, enumOf, environment, id, kes, paymentStatus, timestamp } from '../openapi/responses';

/**
 * The answers of payment links (api/routes/paymentLinks.ts, api/useCases/paymentLinks.ts) and of the
 * public checkout calls (api/routes/checkout.ts, api/useCases/linkCheckout.ts).
 */

const amountKind = enumOf<LinkAmountKind>()(['fixed', 'open']).describe(
  '`fixed`: `amount` is the price; `open`: the customer enters an amount between `min_amount` and `max_amount`',
);
const linkAvailability = enumOf<LinkAvailability>()(['open', 'paused', 'archived', 'expired', 'used']);

/** A payment link as the merchant sees it (`LinkView`). */
export const linkSchema = z.object({
  id: z.string().describe('plink_…'),
  url: z.string().describe('The checkout page to share'),
  account_id: id.describe('The payment channel the payments go to'),
  environment,
  amount_kind: amountKind,
  amount: kes.nullable(),
  min_amount: kes.nullable(),
  max_amount: kes.nullable(),
  description: z.string(),
  account_reference: z.string(),
  single_use: z.boolean(),
  expires_at: timestamp.nullable(),
  state: enumOf<LinkState>()(['active', 'paused', 'archived']).describe("The merchant's setting"),
  availability: linkAvailability.describe('Whether the link takes a payment now, and if not, why'),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  totals: z.object({
    payments: count,
    completed: count,
    pending: count,
    completed_amount: kes.describe('The sum of its completed payments'),
  }),
  created_at: timestamp,
});

/** A link with its latest payments (GET /api/payment-links/{id}/payments). */
export const linkPaymentsSchema = z.object({
  link: linkSchema,
  payments: z.array(
    z.object({
      transaction_id: id,
      id: z.string().describe('trxn_…'),
      status: paymentStatus,
      amount: kes,
      phone_number: z.string(),
      mpesa_receipt: z.string().nullable(),
      result_code: z.string().nullable(),
      created_at: timestamp,
    }),
  ),
});

/** What the checkout page shows before the customer pays (GET /api/pay/{token}). */
export const checkoutViewSchema = z.object({
  merchant_name: z.string(),
  description: z.string(),
  amount_kind: amountKind,
  amount: kes.nullable(),
  min_amount: kes.nullable(),
  max_amount: kes.nullable(),
  currency: z.literal('KES'),
  environment,
  availability: z
    .enum([...linkAvailability.options, 'unavailable'])
    .describe('`open` when the link takes a payment now; `unavailable`: the merchant cannot take payments'),
});

/** A started checkout payment (POST /api/pay/{token}/payments, 201 and 202). */
export const checkoutStartedSchema = z.object({
  payment_token: z.string().describe('Polls GET /api/pay/{token}/payments/{payment_token}'),
  status: z.literal('pending'),
  message: z.string().describe('What the customer should do now'),
});

/** A checkout payment as the page polls it (GET /api/pay/{token}/payments/{payment_token}). */
export const checkoutPaymentViewSchema = z.object({
  status: paymentStatus,
  amount: kes,
  mpesa_receipt: z.string().nullable(),
  result_code: z.string().nullable().describe("M-Pesa's ResultCode"),
  result_desc: z.string().nullable(),
  next_step: enumOf<CheckoutNextStep>()([
    'wait',
    'done',
    'in_review',
    'cancelled',
    'timed_out',
    'insufficient_balance',
    'wrong_pin',
    'failed',
  ]),
});
