import type { Environment } from './entities';
import type { PaymentStatus } from '../domain/payment';
import { parseTransactionId } from '../domain/ids';
import type { RunSql } from './orm';

/**
 * Status polling is the busiest request a merchant makes (every few seconds per payment), so it is
 * answered by one SQL statement each: the payment, the wallet balance and, for an API key, the key
 * itself. Plain rows, no ORM hydration.
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
  /** The merchant's service wallet balance, KES. */
  balance: number;
}

/** An unrevoked API key, as the status read found it. */
export interface StatusReadKey {
  id: number;
  merchantId: number;
  environment: Environment;
  secretHash: string;
}

interface RawStatusRow {
  tx_id: number | null;
  status: PaymentStatus;
  amount: number;
  mpesa_receipt: string | null;
  result_desc: string | null;
  checkout_request_id: string | null;
  result_code: string | null;
  balance: number | null;
}

interface RawKeyedRow extends RawStatusRow {
  key_id: number;
  merchant_id: number;
  environment: Environment;
  secret_hash: string;
}

const PAYMENT_COLUMNS = `t.id as tx_id, t.status, t.amount, t.mpesa_receipt, t.result_desc, t.checkout_request_id, t.result_code`;

/** A reference is a transaction id (a push M-Pesa never confirmed) or a CheckoutRequestID. */
function matchReference(reference: string): { condition: string; value: number | string } {
  const id = parseTransactionId(reference);
  return id !== null ? { condition: 't.id = ?', value: id } : { condition: 't.checkout_request_id = ?', value: reference };
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
    balance: row.balance ?? 0,
  };
}

/**
 * The key with this username (unrevoked) and, when it belongs to the key's merchant and
 * environment, the payment. The caller verifies the secret against `key.secretHash` before
 * using the payment: a wrong secret must learn nothing.
 */
export async function readStatusWithApiKey(
  runSql: RunSql,
  username: string,
  reference: string,
): Promise<{ key: StatusReadKey; payment: PaymentStatusRow | null } | null> {
  const match = matchReference(reference);
  const [row] = await runSql<RawKeyedRow>(
    `select k.id as key_id, k.merchant_id, k.environment, k.secret_hash, ${PAYMENT_COLUMNS}, w.balance
       from api_keys k
       left join transactions t on ${match.condition} and t.merchant_id = k.merchant_id and t.environment = k.environment
       left join wallets w on w.merchant_id = k.merchant_id
      where k.username = ? and k.revoked_at is null`,
    [match.value, username],
  );
  if (!row) return null;
  return {
    key: { id: row.key_id, merchantId: row.merchant_id, environment: row.environment, secretHash: row.secret_hash },
    payment: paymentOf(row),
  };
}

/** The merchant's payment in that environment, or null: another merchant's payment is as absent as a missing one. */
export async function readStatusForMerchant(runSql: RunSql, merchantId: number, environment: Environment, reference: string): Promise<PaymentStatusRow | null> {
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
