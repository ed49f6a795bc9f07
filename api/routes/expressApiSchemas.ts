import { z } from 'zod';
import { MAX_SERIAL_ID } from '../../domain/ids';
import { MPESA_MAX_AMOUNT } from '../../domain/money';
import { ACCOUNT_REFERENCE, TRANSACTION_DESC } from '../../domain/mpesaText';
import { mpesaTextField } from '../validate';
import { environment, kes, paymentStatus, reversalStatus, timestamp } from '../openapi/responses';

/**
 * The Express API's request bodies, exactly as its specification states the rules. Metadata
 * objects are checked by domain/metadata.ts (so that the error names the offending key).
 */
const MSISDN = /^254(7|1)\d{8}$/;

const phoneNumber = z
  .string({ error: 'phoneNumber must be a string like 254712345678' })
  .regex(MSISDN, 'phoneNumber must be in the format 254XXXXXXXXX (a Safaricom number)');
const customerFields = {
  name: z
    .string({ error: 'name must be a string' })
    .min(1, 'name must be at least 1 character')
    .max(255, 'name must be at most 255 characters')
    .optional(),
  email: z
    .string({ error: 'email must be a string' })
    .min(5, 'email must be at least 5 characters')
    .max(320, 'email must be at most 320 characters')
    .email('email must be a valid email address')
    .optional(),
};

export const expressPaymentSchema = z.object({
  phoneNumber: phoneNumber.optional(),
  amount: z
    .number({ error: 'amount must be a whole number of KES' })
    .int('amount must be a whole number of KES (no decimals)')
    .gt(0, 'amount must be greater than 0')
    .max(MPESA_MAX_AMOUNT, `amount must be at most ${MPESA_MAX_AMOUNT} KES`),
  description: mpesaTextField('description', TRANSACTION_DESC),
  customerId: z
    .string({ error: 'customerId must be a string' })
    .max(255, 'customerId must be at most 255 characters')
    .optional(),
  ...customerFields,
  customerDescription: z
    .string({ error: 'customerDescription must be a string' })
    .min(1, 'customerDescription must be 1 to 255 characters')
    .max(255, 'customerDescription must be 1 to 255 characters')
    .optional(),
  customerMetadata: z.unknown().optional(),
  accountReference: mpesaTextField('accountReference', ACCOUNT_REFERENCE).optional(),
  metadata: z.unknown().optional(),
  /** The payment channel to deposit into; the merchant's first active channel when omitted. */
  accountId: z
    .number({ error: 'accountId must be an integer' })
    .int('accountId must be an integer')
    .positive()
    .max(MAX_SERIAL_ID, 'accountId is not a valid id')
    .optional(),
});

export const expressCustomerSchema = z.object({
  phoneNumber,
  ...customerFields,
  description: z
    .string({ error: 'description must be a string' })
    .min(1, 'description must be 1 to 255 characters')
    .max(255, 'description must be 1 to 255 characters')
    .optional(),
  metadata: z.unknown().optional(),
});

export const expressCustomerUpdateSchema = expressCustomerSchema.partial();

/** Metadata as stored: string, number or boolean values. */
const metadataOut = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** A payment as the Express API answers it (api/useCases/expressPresent.ts). */
export const expressPaymentResponseSchema = z.object({
  id: z.string().describe('trxn_…'),
  object: z.literal('payment'),
  status: paymentStatus,
  amount: kes,
  fee: kes,
  netAmount: kes.describe('amount − fee'),
  currency: z.literal('KES'),
  phoneNumber: z.string(),
  customerId: z.string().nullable(),
  environment,
  timestamp,
  message: z.string(),
  description: z.string(),
  accountReference: z.string(),
  checkoutRequestId: z.string().nullable(),
  mpesaReceipt: z.string().nullable(),
  reversalStatus: reversalStatus.nullable().describe("The payment's reversal; null when none was asked for"),
  metadata: metadataOut,
  linkId: z
    .string()
    .nullable()
    .describe('The payment link (`plink_…`) the payment came from; null for every other payment'),
});

/** A customer as the Express API answers it. */
export const expressCustomerResponseSchema = z.object({
  id: z.string().describe('cus_…'),
  object: z.literal('customer'),
  phoneNumber: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  description: z.string().nullable(),
  metadata: metadataOut,
  environment,
  createdAt: timestamp,
});

/** A page of the Express API's lists. */
export const expressListSchema = <T extends z.ZodType>(item: T) =>
  z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean() });

export const listQuerySchema = z.object({
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int()
    .min(1, 'limit must be 1 to 100')
    .max(100, 'limit must be 1 to 100')
    .default(20),
  starting_after: z.string().optional(),
});
