import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import type { PaymentStatus } from '../../domain/payment';
import { TransactionSchema, WalletSchema } from '../../db/entities';
import type { ApiCaller } from '../auth';
import { parseTransactionId } from '../../domain/ids';

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
export async function transactionStatus(em: EntityManager, caller: ApiCaller, reference: string): Promise<TransactionStatusBody> {
  const id = parseTransactionId(reference);
  const where = id !== null ? { id } : { checkoutRequestId: reference };
  const tx = await em.findOne(TransactionSchema, where, { disableIdentityMap: true });
  // Another merchant's (or environment's) payment answers exactly like a missing one: its existence is not revealed.
  if (!tx || tx.merchant !== caller.merchant.id || tx.environment !== caller.environment) throw new AppError('not_found', `No transaction found for ${reference}`);
  const wallet = await em.findOne(WalletSchema, { merchant: caller.merchant.id }, { disableIdentityMap: true });
  return {
    status: tx.status,
    amount: tx.amount,
    mpesa_receipt: tx.mpesaReceipt,
    result_desc: tx.resultDesc,
    balance: wallet?.balance ?? 0,
    transaction_id: tx.id,
    checkout_request_id: tx.checkoutRequestId,
    result_code: tx.resultCode,
  };
}
