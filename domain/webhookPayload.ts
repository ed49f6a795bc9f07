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
}

/** Result code sent when M-Pesa gave no code of its own (no answer at all). */
const NO_RESPONSE_CODE = 1037;

/** Formats a moment as Daraja's TransactionDate number, YYYYMMDDHHmmss in Nairobi time (UTC+3, no DST). */
export function nairobiTransactionDate(at: Date): number {
  const nairobi = new Date(at.getTime() + 3 * 3600_000).toISOString(); // 2024-06-15T12:34:56.000Z
  return Number(nairobi.slice(0, 19).replace(/[-T:]/g, ''));
}

/**
 * The body POSTed to a merchant: Daraja's own callback shape (so the docs' Express and Flask
 * handlers work unchanged: ResultCode is a number, 0 on success), plus an `ImaraPay` section
 * that ties it to the merchant's transaction and reference.
 */
export function buildWebhookPayload(facts: WebhookFacts): Record<string, unknown> {
  const completed = facts.status === 'completed';
  const numericCode = Number(facts.resultCode);
  const resultCode = completed ? 0 : facts.resultCode !== null && Number.isInteger(numericCode) ? numericCode : NO_RESPONSE_CODE;
  const stkCallback: Record<string, unknown> = {
    MerchantRequestID: facts.merchantRequestId,
    CheckoutRequestID: facts.checkoutRequestId,
    ResultCode: resultCode,
    ResultDesc: facts.resultDesc ?? (completed ? 'The service request is processed successfully.' : 'Payment failed'),
  };
  if (completed) {
    const items: Array<{ Name: string; Value: string | number }> = [{ Name: 'Amount', Value: facts.amount }];
    if (facts.mpesaReceipt) items.push({ Name: 'MpesaReceiptNumber', Value: facts.mpesaReceipt });
    if (facts.completedAt) items.push({ Name: 'TransactionDate', Value: nairobiTransactionDate(facts.completedAt) });
    items.push({ Name: 'PhoneNumber', Value: Number(facts.phoneNumber) });
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
      result_code: facts.resultCode,
      environment: facts.environment,
    },
  };
}
