import type { Environment } from './entities';
import type { PaymentStatus } from '../domain/payment';
import type { ReversalStatus } from '../domain/reversal';
import { parseTransactionId } from '../domain/ids';
import type { RunSql } from './sqlPool';

/**
 * Status polling is the busiest request a merchant makes (every few seconds per payment), so it is
 * answered by one prepared statement: the payment and the wallet balance. Plain rows, no ORM hydration.
 */

/** What a status read shows of one payment. */
export interface PaymentStatusRow {
  id: number;
  status: PaymentStatus;
  amount: number;
  mpesaReceipt: string | null;
  resultDesc: string | null;
  checkoutRequestId: string | null;
  resultCode: string | null;
  /** Where the payment's reversal stands; null when none was asked for. */
  reversalStatus: ReversalStatus | null;
  /** The merchant's service wallet balance, KES. */
  balance: number;
}

interface RawStatusRow {
  tx_id: number | null;
  status: PaymentStatus;
  amount: number;
  mpesa_receipt: string | null;
  result_desc: string | null;
  checkout_request_id: string | null;
  result_code: string | null;
  reversal_status: ReversalStatus | null;
  balance: number | null;
}

const PAYMENT_COLUMNS = `t.id as tx_id, t.status, t.amount, t.mpesa_receipt, t.result_desc, t.checkout_request_id, t.result_code, t.reversal_status`;

/** A reference is a transaction id (a push M-Pesa never confirmed) or a CheckoutRequestID. */
function matchReference(reference: string): { condition: string; value: number | string } {
  const id = parseTransactionId(reference);
  return id !== null
    ? { condition: 't.id = ?', value: id }
    : { condition: 't.checkout_request_id = ?', value: reference };
}

function paymentOf(row: RawStatusRow): PaymentStatusRow | null {
  if (row.tx_id === null) return null;
  return {
    id: row.tx_id,
    status: row.status,
    amount: row.amount,
    mpesaReceipt: row.mpesa_receipt,
    resultDesc: row.result_desc,
    checkoutRequestId: row.checkout_request_id,
    resultCode: row.result_code,
    reversalStatus: row.reversal_status,
    balance: row.balance ?? 0,
  };
}

/** The merchant's payment in that environment, or null: another merchant's payment is as absent as a missing one. */
export async function readStatusForMerchant(
  runSql: RunSql,
  merchantId: number,
  environment: Environment,
  reference: string,
): Promise<PaymentStatusRow | null> {
  const match = matchReference(reference);
  const [row] = await runSql<RawStatusRow>(
    `select ${PAYMENT_COLUMNS}, w.balance
       from transactions t
       left join wallets w on w.merchant_id = t.merchant_id
      where ${match.condition} and t.merchant_id = ? and t.environment = ?`,
    [match.value, merchantId, environment],
  );
  return row ? paymentOf(row) : null;
}
