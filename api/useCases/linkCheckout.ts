import { z } from 'zod';
import { AppError } from '../../domain/errors';
import {
  checkoutNextStep,
  linkAvailability,
  linkPaymentAmount,
  type CheckoutNextStep,
} from '../../domain/paymentLinks';
import { normalizeMsisdn } from '../../domain/phone';
import { newSecretToken } from '../../domain/publicIds';
import type { Channel, Merchant, PaymentLink } from '../../db/entities';
import { linkCustomer } from '../../db/customers';
import { linkByToken, linkPaymentByCheckoutToken, linkPaymentsInUse, reserveLinkPayment } from '../../db/paymentLinks';
import type { ApiCaller } from '../auth';
import { guardPayment } from './paymentGuard';
import { awaitPushOutcome, hashRequest, recordTransaction, type PaymentStartDeps } from '../../payments/paymentStart';

/**
 * The hosted checkout page's three public calls, scoped by the link's unguessable URL token: read
 * the link, start a payment (an ordinary payment, on the same core as POST /api/stk-push, carrying
 * the link), and read that one payment's status by its own unguessable token.
 */

/** The documented body of POST /api/pay/:token/payments. */
export const checkoutPaymentSchema = z
  .object({
    phone_number: z
      .string({ error: 'phone_number must be a string such as 0712345678' })
      .max(32, 'phone_number is too long')
      .describe('The M-Pesa number to prompt: 0712345678, 0112345678, +254712345678, 254712345678, …'),
    amount: z
      .number({ error: 'amount must be a whole number of KES' })
      .int('amount must be a whole number of KES (no decimals)')
      .nullish()
      .describe("The amount, for a link whose customer enters it; a fixed link's own amount otherwise"),
  })
  .strict();

export type CheckoutPaymentRequest = z.infer<typeof checkoutPaymentSchema>;

export interface CheckoutDeps extends PaymentStartDeps {
  /** Whether production Daraja credentials are configured. */
  liveEnabled: boolean;
  now?: () => Date;
}

/** What the checkout page shows before the customer pays. */
export interface CheckoutView {
  merchant_name: string;
  description: string;
  amount_kind: 'fixed' | 'open';
  amount: number | null;
  min_amount: number | null;
  max_amount: number | null;
  currency: 'KES';
  environment: string;
  /** `open` when the link takes a payment now; otherwise why not (`unavailable`: the merchant cannot take payments). */
  availability: 'open' | 'paused' | 'archived' | 'expired' | 'used' | 'unavailable';
}

const UNAVAILABLE_MESSAGES = {
  paused: 'This payment link is paused by the merchant. Ask them for a new link or try later.',
  archived: 'This payment link is no longer in use. Ask the merchant for a new link.',
  expired: 'This payment link has expired. Ask the merchant for a new link.',
  used: 'This payment link has already been paid. Ask the merchant for a new link.',
  unavailable: 'This merchant cannot take payments through this link right now. Please pay them another way.',
} as const;

const notFoundLink = () => new AppError('not_found', 'This payment link does not exist. Check the address.');

/** GET /api/pay/:token: the link as its page shows it; 404 for an unknown token. */
export async function showCheckout(deps: CheckoutDeps, token: string): Promise<CheckoutView> {
  const found = await linkByToken(deps.em, token);
  if (!found) throw notFoundLink();
  const { link, merchant } = found;
  return {
    merchant_name: merchant.name,
    description: link.description,
    amount_kind: link.amountKind,
    amount: link.amount,
    min_amount: link.minAmount,
    max_amount: link.maxAmount,
    currency: 'KES',
    environment: link.environment,
    availability: await availabilityNow(deps, found),
  };
}

async function availabilityNow(
  deps: CheckoutDeps,
  { link, merchant, channel }: { link: PaymentLink; merchant: Merchant; channel: Channel },
): Promise<CheckoutView['availability']> {
  if (!merchantTakesPayments(deps, merchant, link, channel)) return 'unavailable';
  const inUse = link.singleUse ? await linkPaymentsInUse(deps.em, link.id) : 0;
  return linkAvailability(link, deps.now?.() ?? new Date(), { completedOrPending: inUse });
}

/** KYC verified, live payments enabled for a live link, and the link's channel still active. */
function merchantTakesPayments(deps: CheckoutDeps, merchant: Merchant, link: PaymentLink, channel: Channel): boolean {
  if (merchant.kycStatus !== 'verified') return false;
  if (link.environment === 'production' && !deps.liveEnabled) return false;
  return channel.isActive;
}

/** The answer to a started checkout payment. */
export interface CheckoutStarted {
  /** Whether M-Pesa confirmed the push (the customer has a prompt); false: not yet, and the prompt may still come. */
  confirmed: boolean;
  body: { payment_token: string; status: 'pending'; message: string };
}

/**
 * POST /api/pay/:token/payments: starts one payment through the link, with every check of
 * POST /api/stk-push (KYC, live payments, channel, fee tier, the fee reserved by the workflow) and
 * the link's own (state, expiry, single use, amount), and at most one open link prompt per phone.
 * Refusals are AppErrors whose messages the customer may read, never the merchant's details
 * (wallet, KYC): 400 bad number or amount, 404 unknown link, 409 `link_unavailable` or
 * `prompt_open`, 400/503 when M-Pesa refused or could not be reached.
 */
export async function startCheckoutPayment(
  deps: CheckoutDeps,
  { token, request }: { token: string; request: CheckoutPaymentRequest },
): Promise<CheckoutStarted> {
  const found = await linkByToken(deps.em, token);
  if (!found) throw notFoundLink();
  const { link, merchant } = found;
  const availability = await availabilityNow(deps, found);
  if (availability !== 'open') throw linkUnavailable(availability);

  const amount = linkPaymentAmount(
    link.amountKind === 'fixed'
      ? { kind: 'fixed', amount: link.amount! }
      : { kind: 'open', min: link.minAmount!, max: link.maxAmount! },
    request.amount,
  );
  if (!amount.ok) throw new AppError('validation_failed', amount.message, { field: 'amount' });
  const phoneNumber = normalizeMsisdn(request.phone_number);

  // The same guard as every payment face; its refusals speak to the merchant, so the customer gets a plain one.
  const caller: ApiCaller = { merchant, apiKey: null, user: null, environment: link.environment };
  const guarded = await guardPayment(deps, {
    caller,
    amount: amount.amount,
    kycAction: 'take payments through links',
    channel: { id: link.channel, field: 'account_id' },
  }).catch((err: unknown) => {
    if (err instanceof AppError) throw linkUnavailable('unavailable');
    throw err;
  });

  const reservation = await reserveLinkPayment(deps.em, { link, phoneNumber }, (em) =>
    recordTransaction(
      em,
      {
        merchant: merchant.id,
        channel: guarded.channel.id,
        apiKey: null,
        environment: link.environment,
        phoneNumber,
        amount: amount.amount,
        fee: guarded.fee,
        externalReference: null,
        description: link.description,
        accountReference: link.accountReference,
        metadata: link.metadata,
        idempotencyKey: null,
        requestHash: hashRequest({ link: link.publicId, phone_number: phoneNumber, amount: amount.amount }),
        link: link.id,
        checkoutToken: newSecretToken(),
      },
      () => linkCustomer(em, { merchantId: merchant.id, environment: link.environment, phoneNumber }),
    ),
  );
  if (!reservation.reserved) {
    if (reservation.refusal === 'used') throw linkUnavailable('used');
    throw new AppError(
      'prompt_open',
      'A payment prompt is already open on this phone. Answer it on the phone (or wait about a minute for it to end), then try again.',
    );
  }
  const transaction = reservation.value;
  const outcome = await awaitPushOutcome(deps, transaction);
  const paymentToken = transaction.checkoutToken!;
  switch (outcome.outcome) {
    case 'accepted':
      return {
        confirmed: true,
        body: {
          payment_token: paymentToken,
          status: 'pending',
          message: 'Check your phone and enter your M-Pesa PIN.',
        },
      };
    case 'unconfirmed':
      return {
        confirmed: false,
        body: {
          payment_token: paymentToken,
          status: 'pending',
          message: 'The prompt may take a moment to reach your phone. Do not pay again.',
        },
      };
    case 'refused':
      // The merchant's service wallet cannot cover the fee: nothing for the customer to fix.
      throw linkUnavailable('unavailable');
    case 'rejected':
      throw new AppError(
        outcome.code,
        outcome.code === 'daraja_rejected'
          ? `M-Pesa refused the payment request: ${outcome.message}`
          : 'M-Pesa is busy right now; no prompt was sent. Try again in a minute.',
      );
  }
}

function linkUnavailable(reason: keyof typeof UNAVAILABLE_MESSAGES): AppError {
  return new AppError('link_unavailable', UNAVAILABLE_MESSAGES[reason], { reason });
}

/** What the checkout page polls: the one payment, read from the payment itself. */
export interface CheckoutPaymentView {
  status: 'pending' | 'completed' | 'failed' | 'needs_review';
  amount: number;
  mpesa_receipt: string | null;
  result_code: string | null;
  result_desc: string | null;
  next_step: CheckoutNextStep;
}

/**
 * GET /api/pay/:token/payments/:paymentToken: the payment's status as recorded (never a copy), only
 * when both tokens match; 404 otherwise.
 */
export async function checkoutPaymentStatus(
  deps: Pick<CheckoutDeps, 'em'>,
  { token, paymentToken }: { token: string; paymentToken: string },
): Promise<CheckoutPaymentView> {
  const payment = await linkPaymentByCheckoutToken(deps.em, token, paymentToken);
  if (!payment) throw new AppError('not_found', 'No such payment on this link');
  return {
    status: payment.status,
    amount: payment.amount,
    mpesa_receipt: payment.mpesaReceipt,
    result_code: payment.resultCode,
    result_desc: payment.resultDesc,
    next_step: checkoutNextStep(payment.status, payment.resultCode),
  };
}
