import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, validationError } from '../../domain/errors';
import { normalizeMsisdn } from '../../domain/phone';
import { findCustomer, listCustomers, type CustomerSummary } from '../../db/customers';
import { findTransactions } from '../../db/transactionsQuery';
import type { ApiCaller } from '../auth';
import { decodeIdCursor, encodeIdCursor, limitParam, textParam } from './listParams';
import { transactionView, type TransactionView } from './listTransactions';

/** A customer as the dashboard lists them. */
export interface CustomerView {
  id: string;
  phone_number: string;
  name: string | null;
  email: string | null;
  created_at: string;
  /** Payments pushed to this customer, whatever their outcome. */
  payment_count: number;
  /** KES paid in completed payments. */
  total_paid: number;
}

const customerView = (c: CustomerSummary): CustomerView => ({
  id: c.publicId,
  phone_number: c.phoneNumber,
  name: c.name,
  email: c.email,
  created_at: c.createdAt.toISOString(),
  payment_count: c.paymentCount,
  total_paid: c.totalPaid,
});

export const customerListQuerySchema = z.object({
  limit: limitParam(100, 1000),
  cursor: textParam('cursor', 200).optional(),
  phone_number: textParam('phone_number', 20).optional(),
});

/** A parsed GET /api/customers query. */
export type CustomerListParams = z.infer<typeof customerListQuerySchema>;

/**
 * GET /api/customers: the caller's customers in the caller's environment, newest first, `limit` at
 * a time from `cursor`. Throws `validation_failed` for a cursor this API did not issue.
 */
export async function listMerchantCustomers(
  em: EntityManager,
  caller: ApiCaller,
  params: CustomerListParams,
): Promise<{ customers: CustomerView[]; nextCursor: string | null }> {
  const afterId = params.cursor === undefined ? undefined : decodeIdCursor(params.cursor);
  if (afterId === null)
    throw validationError(
      'cursor is not one this API issued: send the X-Next-Cursor header of the previous page unchanged',
      'cursor',
    );
  const { customers, nextAfterId } = await listCustomers(em, {
    merchantId: caller.merchant.id,
    environment: caller.environment,
    ...(params.phone_number ? { phoneNumber: normalizeMsisdn(params.phone_number) } : {}),
    ...(afterId !== undefined ? { afterId } : {}),
    limit: params.limit,
  });
  return {
    customers: customers.map(customerView),
    nextCursor: nextAfterId === null ? null : encodeIdCursor(nextAfterId),
  };
}

/** How many of a customer's payments the detail shows; GET /api/transactions?customer_id= pages through all. */
const RECENT_PAYMENTS = 100;

/** GET /api/customers/:id: the customer and their most recent payments. */
export async function merchantCustomer(
  em: EntityManager,
  caller: ApiCaller,
  publicId: string,
): Promise<CustomerView & { payments: TransactionView[] }> {
  const customer = await findCustomer(em, {
    merchantId: caller.merchant.id,
    environment: caller.environment,
    publicId,
  });
  if (!customer) throw new AppError('not_found', `Customer ${publicId} does not exist`);
  const { rows } = await findTransactions(em, {
    merchantId: caller.merchant.id,
    environment: caller.environment,
    customerId: customer.id,
    limit: RECENT_PAYMENTS,
  });
  return { ...customerView(customer), payments: rows.map(transactionView) };
}
