import { AppError } from '../../domain/errors';
import type { PaymentStatus } from '../../domain/payment';
import type { RunSql } from '../../db/orm';
import { readStatusForMerchant, type PaymentStatusRow } from '../../db/statusReads';
import type { ApiCaller } from '../auth';

/** The documented status body, plus the ids that tie it to the merchant's records. */
export interface TransactionStatusBody {
  status: PaymentStatus;
  amount: number;
  mpesa_receipt: string | null;
  result_desc: string | null;
  /** The merchant's service wallet balance, KES. */
  balance: number;
  transaction_id: number;
  checkout_request_id: string | null;
  result_code: string | null;
}

/**
 * GET /api/transaction/status/:id — by CheckoutRequestID (`ws_CO_…`) or, for a push that
 * M-Pesa never confirmed, by transaction_id. Read from Postgres: the workflow writes every
 * decision there before it tells anyone.
 */
export async function transactionStatus(
  runSql: RunSql,
  caller: ApiCaller,
  reference: string,
): Promise<TransactionStatusBody> {
  return statusBodyOf(
    await readStatusForMerchant(runSql, caller.merchant.id, caller.environment, reference),
    reference,
  );
}

/** The answer for a payment as read, or 404. Another merchant's (or environment's) payment answers exactly like a missing one. */
export function statusBodyOf(payment: PaymentStatusRow | null, reference: string): TransactionStatusBody {
  if (!payment) throw new AppError('not_found', `No transaction found for ${reference}`);
  return {
    status: payment.status,
    amount: payment.amount,
    mpesa_receipt: payment.mpesaReceipt,
    result_desc: payment.resultDesc,
    balance: payment.balance,
    transaction_id: payment.id,
    checkout_request_id: payment.checkoutRequestId,
    result_code: payment.resultCode,
  };
}
