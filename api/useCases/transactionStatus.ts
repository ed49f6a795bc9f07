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
  /** The payment's reversal: `requested`, `reversed`, `failed` or `in_doubt`; null when none was asked for. */
  reversal_status: PaymentStatusRow['reversalStatus'];
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

/**
 * What a payment in review answers as `result_desc`. Its `status` is `needs_review`, which is neither
 * `completed` nor `failed`: a client that polls until one of those keeps treating it as not yet
 * decided, which is the truth (README "How a payment runs").
 */
export const REVIEW_DESCRIPTION =
  'M-Pesa reported a payment; ImaraPay is verifying it. Do not deliver or push again until it is completed or failed.';

/** The answer for a payment as read, or 404. Another merchant's (or environment's) payment answers exactly like a missing one. */
export function statusBodyOf(payment: PaymentStatusRow | null, reference: string): TransactionStatusBody {
  if (!payment) throw new AppError('not_found', `No transaction found for ${reference}`);
  return {
    status: payment.status,
    amount: payment.amount,
    mpesa_receipt: payment.mpesaReceipt,
    // In review, M-Pesa's own words ("processed successfully") would read as a success: say what is true.
    result_desc: payment.status === 'needs_review' ? REVIEW_DESCRIPTION : payment.resultDesc,
    balance: payment.balance,
    transaction_id: payment.id,
    checkout_request_id: payment.checkoutRequestId,
    result_code: payment.resultCode,
    reversal_status: payment.reversalStatus,
  };
}
