import type { PaymentStatus } from './payment';

/** The facts of a settled payment that its webhook carries. */
export interface WebhookFacts {
  transactionId: number;
  status: PaymentStatus;
  amount: number;
  fee: number;
  phoneNumber: string;
  checkoutRequestId: string | null;
  merchantRequestId: string | null;
  mpesaReceipt: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  externalReference: string | null;
  environment: string;
  completedAt: Date | null;
  /** M-Pesa's own values from the deciding callback; null when none said them (a query-decided success). */
  mpesaAmount: number | null;
  mpesaPhoneNumber: string | null;
  mpesaTransactionDate: string | null;
  /** Why a payment in review is in review; absent or null otherwise. */
  reviewReason?: string | null;
  /** The payment link (`plink_…`) the payment came from; absent or null for every other payment. */
  linkId?: string | null;
}

/** Result code sent when M-Pesa gave no code of its own (no answer at all): the one Daraja uses for an unanswered prompt. */
const NO_RESPONSE_CODE = 1037;

/** Formats a moment as Daraja's TransactionDate number, YYYYMMDDHHmmss in Nairobi time (UTC+3, no DST). */
export function nairobiTransactionDate(at: Date): number {
  const nairobi = new Date(at.getTime() + 3 * 3600_000).toISOString(); // 2024-06-15T12:34:56.000Z
  return Number(nairobi.slice(0, 19).replace(/[-T:]/g, ''));
}

/**
 * The body POSTed to a merchant: Daraja's own callback shape (so the docs' Express and Flask
 * handlers work unchanged), plus an `ImaraPay` section that ties it to the merchant's transaction
 * and reference. Every Daraja-shaped field is M-Pesa's own value as received: ResultCode as M-Pesa
 * sent it (a number, or text such as `SFC_IC0003`), and the callback's Amount, PhoneNumber and
 * TransactionDate. Only where M-Pesa said nothing does ImaraPay fill in: ResultCode 1037 when no
 * result came at all (ImaraPay.result_code is then null), and for a success decided by the STK query
 * (which carries none of them) the pushed amount, the payer's number and the settlement time.
 */
export function buildWebhookPayload(facts: WebhookFacts): Record<string, unknown> {
  if (facts.status === 'needs_review') return buildReviewPayload(facts);
  const completed = facts.status === 'completed';
  const stkCallback: Record<string, unknown> = {
    MerchantRequestID: facts.merchantRequestId,
    CheckoutRequestID: facts.checkoutRequestId,
    ResultCode: facts.resultCode === null ? (completed ? 0 : NO_RESPONSE_CODE) : asDarajaValue(facts.resultCode),
    ResultDesc: facts.resultDesc ?? (completed ? 'The service request is processed successfully.' : 'Payment failed'),
  };
  if (completed) {
    const items: Array<{ Name: string; Value: string | number }> = [
      { Name: 'Amount', Value: facts.mpesaAmount ?? facts.amount },
    ];
    if (facts.mpesaReceipt) items.push({ Name: 'MpesaReceiptNumber', Value: facts.mpesaReceipt });
    if (facts.mpesaTransactionDate)
      items.push({ Name: 'TransactionDate', Value: asDarajaValue(facts.mpesaTransactionDate) });
    else if (facts.completedAt)
      items.push({ Name: 'TransactionDate', Value: nairobiTransactionDate(facts.completedAt) });
    items.push({ Name: 'PhoneNumber', Value: asDarajaValue(facts.mpesaPhoneNumber ?? facts.phoneNumber) });
    stkCallback.CallbackMetadata = { Item: items };
  }
  return {
    Body: { stkCallback },
    ImaraPay: {
      transaction_id: facts.transactionId,
      status: facts.status,
      amount: facts.amount,
      fee_charged: completed ? facts.fee : 0,
      mpesa_receipt: facts.mpesaReceipt,
      external_reference: facts.externalReference,
      link_id: facts.linkId ?? null,
      result_code: facts.resultCode,
      environment: facts.environment,
    },
  };
}

/**
 * The body of `payment.review_started`: M-Pesa reported a payment and ImaraPay is verifying it. It has
 * no Daraja `Body`, only the `ImaraPay` section: a handler written for Daraja's callback (the docs'
 * Express sample returns when `Body.stkCallback` is missing) can never read it as a confirmed payment,
 * and `ImaraPay.status` says what it is. The ending follows as `payment.completed` or `payment.failed`.
 */
export function buildReviewPayload(facts: WebhookFacts): Record<string, unknown> {
  return {
    ImaraPay: {
      event: 'payment.review_started',
      transaction_id: facts.transactionId,
      status: 'needs_review',
      amount: facts.amount,
      fee_charged: 0,
      checkout_request_id: facts.checkoutRequestId,
      external_reference: facts.externalReference,
      link_id: facts.linkId ?? null,
      review_reason: facts.reviewReason ?? null,
      environment: facts.environment,
    },
  };
}

/** Daraja writes codes, dates and numbers as JSON numbers: digits go out as a number, anything else (SFC_IC0003, a masked number) as text. */
function asDarajaValue(value: string): string | number {
  return /^\d{1,15}$/.test(value) ? Number(value) : value;
}

/** The facts of a settled reversal that its webhook carries. */
export interface ReversalWebhookFacts {
  event: 'reversal.succeeded' | 'reversal.failed';
  transactionId: number;
  reversalId: number;
  /** Whole KES returned to the customer (the payment's full amount). */
  amount: number;
  /** ImaraPay's fee on the payment: kept on a reversal (domain/reversal.ts REVERSAL_FEE_RULE). */
  fee: number;
  mpesaReceipt: string;
  reversalReceipt: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  decidedBy: string | null;
  externalReference: string | null;
  environment: string;
  completedAt: Date | null;
}

/**
 * The body of `reversal.succeeded` / `reversal.failed`. Like `payment.review_started` it has no
 * Daraja `Body`, so a handler written for the payment callback (the docs' samples return when
 * `Body.stkCallback` is missing) never reads it as a payment; `ImaraPay.event` says what it is.
 */
export function buildReversalPayload(facts: ReversalWebhookFacts): Record<string, unknown> {
  return {
    ImaraPay: {
      event: facts.event,
      transaction_id: facts.transactionId,
      reversal_id: facts.reversalId,
      status: facts.event === 'reversal.succeeded' ? 'reversed' : 'failed',
      amount: facts.amount,
      fee_charged: facts.fee,
      fee_refunded: 0,
      mpesa_receipt: facts.mpesaReceipt,
      reversal_receipt: facts.reversalReceipt,
      result_code: facts.resultCode,
      result_desc: facts.resultDesc,
      decided_by: facts.decidedBy,
      external_reference: facts.externalReference,
      environment: facts.environment,
      completed_at: facts.completedAt?.toISOString() ?? null,
    },
  };
}
