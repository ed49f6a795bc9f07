import { z } from 'zod';
import { AppError } from '../../domain/errors';
import { MPESA_MAX_AMOUNT, MPESA_MIN_AMOUNT } from '../../domain/money';
import { TRANSACTION_DESC } from '../../domain/mpesaText';
import { normalizeMsisdn } from '../../domain/phone';
import { feeFor } from '../../domain/pricing';
import { ChannelSchema, type Transaction } from '../../db/entities';
import { loadFeeTiers } from '../../db/pricing';
import { linkCustomer } from '../../db/customers';
import type { PushOutcome } from '../../workflows/definitions';
import { mpesaTextField, parseInput } from '../validate';
import type { ApiCaller } from '../auth';
import { assertVerified } from '../guards';
import { hashRequest, refusalError, startPayment, type PaymentStartDeps } from './paymentStart';

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

export interface StkPushDeps extends PaymentStartDeps {
  /** Whether production Daraja credentials are configured. */
  liveEnabled: boolean;
}

export interface StkPushCommand {
  caller: ApiCaller;
  body: unknown;
  idempotencyKey: string | null;
}

/** What the endpoint answers: the HTTP status and the documented body. */
export interface StkPushResponse {
  status: 200 | 202;
  body: {
    success: true;
    message: string;
    transaction_id: number;
    /** Daraja's CheckoutRequestID; while M-Pesa has not confirmed the push (202), the transaction id. */
    checkout_request_id: string;
    fee_to_be_charged: number;
  };
}

/**
 * POST /api/stk-push: validates, records the payment, starts its workflow and answers once
 * Daraja has accepted (or refused) the push. With an Idempotency-Key, a retry returns the
 * same payment instead of prompting the customer twice.
 */
export async function startStkPush(
  deps: StkPushDeps,
  { caller, body, idempotencyKey }: StkPushCommand,
): Promise<StkPushResponse> {
  const request = parseInput(stkPushRequestSchema, body);
  const phoneNumber = normalizeMsisdn(request.phone_number);
  const { merchant } = caller;
  assertVerified(merchant, 'send STK pushes');
  if (caller.environment === 'production' && !deps.liveEnabled) {
    throw new AppError(
      'forbidden',
      'Live (production) payments are not enabled on this ImaraPay deployment; use a sandbox key',
    );
  }

  // Another account's channel is answered exactly like a missing one: existence is not for others to learn.
  const channel = await deps.em.findOne(ChannelSchema, { id: request.account_id, merchant: merchant.id });
  if (!channel)
    throw new AppError('not_found', `Payment channel ${request.account_id} does not exist`, { field: 'account_id' });
  if (!channel.isActive)
    throw new AppError('validation_failed', `Payment channel ${request.account_id} is deactivated`, {
      field: 'account_id',
    });

  const fee = feeFor(request.amount, await loadFeeTiers(deps.em));
  if (fee === undefined)
    throw new AppError('validation_failed', `No fee tier covers KES ${request.amount}`, { field: 'amount' });

  const { transaction, outcome } = await startPayment(
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
  return respond(transaction, outcome);
}

/** The documented answer to a push (STK push or wallet top-up), or the error its outcome means. */
export function respond(tx: Transaction, outcome: PushOutcome): StkPushResponse {
  const base = { success: true as const, transaction_id: tx.id, fee_to_be_charged: tx.fee };
  switch (outcome.outcome) {
    case 'accepted':
      return {
        status: 200,
        body: { ...base, message: 'STK push sent successfully', checkout_request_id: outcome.checkoutRequestId },
      };
    case 'unconfirmed':
      return {
        status: 202,
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
