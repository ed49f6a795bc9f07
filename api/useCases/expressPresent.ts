import type { Customer, Transaction } from '../../db/entities';

/** A payment as the Express API shows it. */
export type ExpressPayment = ReturnType<typeof presentPayment>;

/** A payment as the Express API shows it. */
export function presentPayment(
  tx: Transaction,
  customerPublicId: string | null,
  message: string,
  linkPublicId: string | null = null,
) {
  return {
    id: tx.publicId,
    object: 'payment',
    status: tx.status,
    amount: tx.amount,
    fee: tx.fee,
    netAmount: tx.amount - tx.fee,
    currency: 'KES',
    phoneNumber: tx.phoneNumber,
    customerId: customerPublicId,
    environment: tx.environment,
    timestamp: tx.createdAt.toISOString(),
    message,
    description: tx.description,
    accountReference: tx.accountReference,
    checkoutRequestId: tx.checkoutRequestId,
    mpesaReceipt: tx.mpesaReceipt,
    /** requested, reversed, failed or in_doubt; null when no reversal was asked for. */
    reversalStatus: tx.reversalStatus ?? null,
    metadata: tx.metadata,
    /** The payment link (`plink_…`) the payment came from; null for every other payment. */
    linkId: linkPublicId,
  };
}

/** A customer as the Express API shows it. */
export function presentCustomer(c: Customer) {
  return {
    id: c.publicId,
    object: 'customer',
    phoneNumber: c.phoneNumber,
    name: c.name,
    email: c.email,
    description: c.description,
    metadata: c.metadata,
    environment: c.environment,
    createdAt: c.createdAt.toISOString(),
  };
}

/** The merchant-facing message for a payment's current state. */
export function paymentMessage(tx: Transaction): string {
  if (tx.status === 'completed') return tx.resultDesc ?? 'Payment completed successfully';
  if (tx.status === 'failed') return tx.resultDesc ?? 'Payment failed';
  if (tx.status === 'needs_review')
    return "M-Pesa's confirmation of this payment is in doubt; ImaraPay is reviewing it. Do not deliver or push again until it is resolved";
  return tx.checkoutRequestId
    ? 'STK push sent; waiting for the customer to enter their M-Pesa PIN'
    : 'Payment is being processed';
}
