import { z } from 'zod';
import { MPESA_MAX_AMOUNT, MPESA_MIN_AMOUNT } from '../../domain/money';
import { TRANSACTION_DESC } from '../../domain/mpesaText';
import { normalizeMsisdn } from '../../domain/phone';
import type { Transaction } from '../../db/entities';
import { linkCustomer } from '../../db/customers';
import type { PushOutcome } from '../../workflows/definitions';
import { mpesaTextField } from '../validate';
import type { ApiCaller } from '../auth';
import { hashRequest, refusalError, startPayment, type PaymentStartDeps } from '../../payments/paymentStart';
import { guardPayment } from './paymentGuard';

/** The documented request body of POST /api/stk-push. */
export const stkPushRequestSchema = z.object({
  account_id: z
    .number({ error: 'account_id must be the integer id of one of your payment channels' })
    .int('account_id must be an integer')
    .positive('account_id must be positive'),
  phone_number: z.string({ error: 'phone_number must be a string such as 0712345678' }),
  amount: z
    .number({ error: 'amount must be a whole number of KES' })
    .int('amount must be a whole number of KES (no decimals)')
    .min(MPESA_MIN_AMOUNT, `amount must be at least KES ${MPESA_MIN_AMOUNT}`)
    .max(
      MPESA_MAX_AMOUNT,
      `amount must be at most KES ${MPESA_MAX_AMOUNT.toLocaleString('en-US')} (M-Pesa's per-transaction limit)`,
    ),
  external_reference: z
    .string({ error: 'external_reference must be a string' })
    .max(100, 'external_reference must be at most 100 characters')
    .nullish(),
  description: mpesaTextField('description', TRANSACTION_DESC).nullish(),
});

export type StkPushRequest = z.infer<typeof stkPushRequestSchema>;

export interface StkPushDeps extends PaymentStartDeps {
  /** Whether production Daraja credentials are configured. */
  liveEnabled: boolean;
}

export interface StkPushCommand {
  caller: ApiCaller;
  /** The request body, parsed at the route with stkPushRequestSchema. */
  request: StkPushRequest;
  idempotencyKey: string | null;
}

/** A push as the STK push API and wallet top-ups present it. */
export interface PushAnswer {
  /** Whether M-Pesa confirmed the push (the customer has a prompt); false: not yet, and the prompt may still come. */
  confirmed: boolean;
  body: {
    success: true;
    message: string;
    transaction_id: number;
    /** Daraja's CheckoutRequestID; while M-Pesa has not confirmed the push, the transaction id. */
    checkout_request_id: string;
    fee_to_be_charged: number;
  };
}

/**
 * POST /api/stk-push: passes the payment guard (KYC, live payments, the channel, the fee), records
 * the payment, starts its workflow and answers once Daraja has accepted (or refused) the push, as
 * the recorded payment and its push outcome. With an Idempotency-Key, a retry returns the same
 * payment instead of prompting the customer twice.
 * Throws AppError for every refusal (400/403/404 from the guard, 409 for a reused key).
 */
export async function startStkPush(
  deps: StkPushDeps,
  { caller, request, idempotencyKey }: StkPushCommand,
): Promise<{ transaction: Transaction; outcome: PushOutcome }> {
  const phoneNumber = normalizeMsisdn(request.phone_number);
  const { merchant } = caller;
  const { channel, fee } = await guardPayment(deps, {
    caller,
    amount: request.amount,
    kycAction: 'send STK pushes',
    channel: { id: request.account_id, field: 'account_id' },
  });

  return startPayment(
    deps,
    {
      merchant: merchant.id,
      channel: channel.id,
      apiKey: caller.apiKey?.id ?? null,
      environment: caller.environment,
      phoneNumber,
      amount: request.amount,
      fee,
      externalReference: request.external_reference ?? null,
      description: request.description ?? 'Payment',
      accountReference: channel.accountReference,
      idempotencyKey,
      requestHash: hashRequest({ ...request, phone_number: phoneNumber }),
    },
    // The payer becomes (or already is) one of the merchant's customers, by phone number.
    () => linkCustomer(deps.em, { merchantId: merchant.id, environment: caller.environment, phoneNumber }),
  );
}

/**
 * A push's answer (STK push or wallet top-up) from its recorded payment and outcome. Throws the
 * AppError a refused or rejected push means (refusalError: 402 wallet, 400/503 Daraja).
 */
export function pushAnswer(tx: Transaction, outcome: PushOutcome): PushAnswer {
  const base = { success: true as const, transaction_id: tx.id, fee_to_be_charged: tx.fee };
  switch (outcome.outcome) {
    case 'accepted':
      return {
        confirmed: true,
        body: { ...base, message: 'STK push sent successfully', checkout_request_id: outcome.checkoutRequestId },
      };
    case 'unconfirmed':
      return {
        confirmed: false,
        body: {
          ...base,
          message:
            'M-Pesa has not confirmed the push yet; the prompt may still reach the customer. Do not send it again: poll the status with transaction_id.',
          // The status endpoint accepts the transaction id too, so the docs' polling code keeps working.
          checkout_request_id: String(tx.id),
        },
      };
    case 'refused':
    case 'rejected':
      throw refusalError(tx, outcome);
  }
}
