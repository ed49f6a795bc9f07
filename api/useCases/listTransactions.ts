import { merchantLink } from '../../db/paymentLinks';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, validationError } from '../../domain/errors';
import { parseDateRange } from '../../domain/dateRange';
import { normalizeMsisdn } from '../../domain/phone';
import { csvLine } from '../../domain/csv';
import { findChannel, merchantChannel } from '../../db/channels';
import { customerByPublicId } from '../../db/customers';
import { merchantById } from '../../db/merchants';
import {
  decodeTransactionCursor,
  encodeTransactionCursor,
  findTransactions,
  transactionCursorAt,
  type TransactionFilter,
  type TransactionRow,
} from '../../db/transactionsQuery';
import type { ApiCaller } from '../auth';
import { idParam, limitParam, textParam } from './listParams';

/** The documented transaction object, plus `type` (payment or wallet top-up) and the customer's id. */
export interface TransactionView {
  id: number;
  type: TransactionRow['purpose'];
  phone_number: string;
  amount: number;
  /** The fee kept by ImaraPay: the fee of a completed payment, else 0 (a failed payment's fee is refunded). */
  fee_charged: number;
  status: TransactionRow['status'];
  mpesa_receipt: string | null;
  external_reference: string | null;
  description: string;
  checkout_request_id: string | null;
  result_code: string | null;
  result_desc: string | null;
  /** What M-Pesa's callback said, as it said it: Amount, PhoneNumber (may be masked), TransactionDate (YYYYMMDDHHmmss, Nairobi); null when it said nothing. */
  mpesa_amount: number | null;
  mpesa_phone_number: string | null;
  mpesa_transaction_date: string | null;
  /** Why a `needs_review` payment is in review; null otherwise. */
  review_reason: string | null;
  /** The payment's reversal: `requested`, `reversed`, `failed` or `in_doubt`; null when none was asked for. */
  reversal_status: TransactionRow['reversalStatus'];
  account_id: number | null;
  account_name: string | null;
  channel: string | null;
  customer_id: string | null;
  /** The payment link (`plink_…`) a payment came from; null for every other payment. */
  link_id: string | null;
  created_at: string;
  completed_at: string | null;
}

/** "Till - 3118761", "Paybill - 247247", "Equity Bank - 0123456789"; a top-up shows the platform paybill it paid. */
function channelLabel(row: TransactionRow): string | null {
  if (row.channelType === null) return row.partyB ? `Paybill - ${row.partyB}` : null;
  const label = { till: 'Till', paybill: 'Paybill', bank: row.channelBankName ?? 'Bank' }[row.channelType];
  return `${label} - ${row.channelAccountNumber}`;
}

export function transactionView(row: TransactionRow): TransactionView {
  return {
    id: row.id,
    type: row.purpose,
    phone_number: row.phoneNumber,
    amount: row.amount,
    fee_charged: row.status === 'completed' ? row.fee : 0,
    status: row.status,
    mpesa_receipt: row.mpesaReceipt,
    external_reference: row.externalReference,
    description: row.description,
    checkout_request_id: row.checkoutRequestId,
    result_code: row.resultCode,
    result_desc: row.resultDesc,
    mpesa_amount: row.mpesaAmount,
    mpesa_phone_number: row.mpesaPhoneNumber,
    mpesa_transaction_date: row.mpesaTransactionDate,
    review_reason: row.reviewReason,
    reversal_status: row.reversalStatus,
    account_id: row.channelId,
    account_name: row.purpose === 'wallet_top_up' ? 'Service wallet top-up' : row.channelName,
    channel: channelLabel(row),
    customer_id: row.customerPublicId,
    link_id: row.linkPublicId,
    created_at: row.createdAt.toISOString(),
    completed_at: row.completedAt?.toISOString() ?? null,
  };
}

/** The filters of GET /api/transactions (and .csv); admins add merchant_id and environment. */
const filterParams = z.object({
  status: z
    .enum(['pending', 'completed', 'failed', 'needs_review'], {
      error: 'status must be pending, completed, failed or needs_review',
    })
    .optional(),
  account_id: idParam('account_id').optional(),
  type: z.enum(['payment', 'wallet_top_up'], { error: 'type must be payment or wallet_top_up' }).optional(),
  customer_id: textParam('customer_id', 40).optional(),
  link_id: textParam('link_id', 40).optional(),
  q: textParam('q').optional(),
  from: textParam('from', 40).optional(),
  to: textParam('to', 40).optional(),
  cursor: textParam('cursor', 200).optional(),
});

/** The documented JSON list: 100 by default, at most 1,000 per page. */
export const transactionsQuerySchema = filterParams.extend({ limit: limitParam(100, 1000) });
/** A CSV file is a download, not a page on screen: up to 10,000 rows per file. */
export const transactionsCsvQuerySchema = filterParams.extend({ limit: limitParam(10_000, 10_000) });
export const adminTransactionsQuerySchema = transactionsQuerySchema.extend({
  merchant_id: idParam('merchant_id').optional(),
  environment: z.enum(['sandbox', 'production'], { error: 'environment must be sandbox or production' }).optional(),
});

/** One page of transactions and the cursor of the next (null on the last page). */
export interface TransactionPage<View = TransactionView> {
  transactions: View[];
  nextCursor: string | null;
}

/** A parsed merchant transactions query (JSON page or CSV file). */
export type TransactionsParams = z.infer<typeof transactionsQuerySchema>;
/** A parsed admin transactions query. */
export type AdminTransactionsParams = z.infer<typeof adminTransactionsQuerySchema>;

/**
 * GET /api/transactions (and its CSV): the caller's merchant, in the caller's environment, with the
 * documented filters. Throws `not_found` for a channel or customer not the caller's, `validation_failed`
 * for a cursor this API did not issue.
 */
export async function listMerchantTransactions(
  em: EntityManager,
  caller: ApiCaller,
  params: TransactionsParams,
): Promise<TransactionPage> {
  const filter = await merchantFilter(em, caller, params);
  const { rows, nextCursor } = await findTransactions(em, filter);
  return { transactions: rows.map(transactionView), nextCursor: nextCursor && encodeTransactionCursor(nextCursor) };
}

async function merchantFilter(em: EntityManager, caller: ApiCaller, params: TransactionsParams) {
  const filter: TransactionFilter = {
    ...(await commonFilter(em, params, caller.merchant.id)),
    merchantId: caller.merchant.id,
    environment: caller.environment,
  };
  if (params.customer_id) {
    const customer = await customerByPublicId(em, {
      merchantId: caller.merchant.id,
      environment: caller.environment,
      publicId: params.customer_id,
    });
    if (!customer) throw new AppError('not_found', `Customer ${params.customer_id} does not exist`);
    filter.customerId = customer.id;
  }
  if (params.link_id) {
    const link = await merchantLink(
      em,
      { merchantId: caller.merchant.id, environment: caller.environment },
      params.link_id,
    );
    if (!link) throw new AppError('not_found', `Payment link ${params.link_id} does not exist`);
    filter.linkId = link.id;
  }
  return filter;
}

/** Rows an export reads from Postgres at a time: what it holds in memory at once, whatever its length. */
export const CSV_PAGE_ROWS = 500;

/** A CSV export ready to stream: the cursor of the next file (null when this one is the last) and its text. */
export interface TransactionsExport {
  nextCursor: string | null;
  /** The file, one page of rows at a time; pulled as the client reads, so a slow reader holds one page. */
  chunks: AsyncIterable<string>;
}

/**
 * GET /api/transactions.csv: the same selection as the JSON list, as CSV text produced page by page
 * from a keyset cursor (CSV_PAGE_ROWS rows at a time), never the whole file in memory. The filters
 * are checked and the file's end is fixed before anything is streamed, so errors are still plain
 * answers and `nextCursor` is known for the header; rows that arrive while it streams newer than
 * its first row may be included, and nothing between its first and last row is skipped.
 */
export async function exportMerchantTransactions(
  em: EntityManager,
  caller: ApiCaller,
  params: TransactionsParams,
): Promise<TransactionsExport> {
  const filter = await merchantFilter(em, caller, params);
  const through = await transactionCursorAt(em, filter, params.limit);
  async function* chunks(): AsyncIterable<string> {
    yield csvLine(CSV_COLUMNS);
    let after = filter.after;
    for (;;) {
      const page = await findTransactions(em, {
        ...filter,
        ...(after ? { after } : {}),
        ...(through ? { through } : {}),
        limit: CSV_PAGE_ROWS,
      });
      if (page.rows.length > 0) yield page.rows.map((row) => transactionCsvLine(transactionView(row))).join('');
      if (!page.nextCursor) return;
      after = page.nextCursor;
    }
  }
  return { nextCursor: through && encodeTransactionCursor(through), chunks: chunks() };
}

/** An admin sees whose payment it is, and in which environment. */
export interface AdminTransactionView extends TransactionView {
  merchant_id: number;
  merchant_name: string;
  environment: TransactionRow['environment'];
}

/** GET /api/admin/transactions: every merchant's, optionally one merchant's or one environment's. */
export async function listAllTransactions(
  em: EntityManager,
  params: AdminTransactionsParams,
): Promise<TransactionPage<AdminTransactionView>> {
  if (params.merchant_id !== undefined && !(await merchantById(em, params.merchant_id))) {
    throw new AppError('not_found', `Merchant ${params.merchant_id} does not exist`);
  }
  if (params.customer_id)
    throw validationError("customer_id filters a merchant's own list; here use merchant_id and q", 'customer_id');
  if (params.link_id)
    throw validationError("link_id filters a merchant's own list; here use merchant_id and q", 'link_id');
  const filter: TransactionFilter = {
    ...(await commonFilter(em, params, params.merchant_id)),
    ...(params.merchant_id !== undefined ? { merchantId: params.merchant_id } : {}),
    ...(params.environment ? { environment: params.environment } : {}),
  };
  const { rows, nextCursor } = await findTransactions(em, filter);
  return {
    transactions: rows.map((row) => ({
      ...transactionView(row),
      merchant_id: row.merchantId,
      merchant_name: row.merchantName,
      environment: row.environment,
    })),
    nextCursor: nextCursor && encodeTransactionCursor(nextCursor),
  };
}

async function commonFilter(
  em: EntityManager,
  params: z.infer<typeof transactionsQuerySchema>,
  merchantId: number | undefined,
): Promise<TransactionFilter> {
  const filter: TransactionFilter = { limit: params.limit, created: parseDateRange(params.from, params.to) };
  if (params.status) filter.status = params.status;
  if (params.type) filter.purpose = params.type;
  if (params.account_id !== undefined) {
    // Filtering by someone else's channel answers like an unknown channel: its existence is not revealed.
    const channel =
      merchantId !== undefined
        ? await merchantChannel(em, merchantId, params.account_id)
        : await findChannel(em, params.account_id);
    if (!channel) throw new AppError('not_found', `Payment channel ${params.account_id} does not exist`);
    filter.channelId = channel.id;
  }
  if (params.q) filter.search = searchTerms(params.q);
  if (params.cursor) {
    const after = decodeTransactionCursor(params.cursor);
    if (!after)
      throw validationError(
        'cursor is not one this API issued: send the X-Next-Cursor header of the previous page unchanged',
        'cursor',
      );
    filter.after = after;
  }
  return filter;
}

/** One search term, read four ways: an M-Pesa receipt, a phone number in any accepted format, an external reference, a CheckoutRequestID. */
function searchTerms(q: string): NonNullable<TransactionFilter['search']> {
  let phoneNumber: string | null = null;
  try {
    phoneNumber = normalizeMsisdn(q);
  } catch {
    phoneNumber = null; // not a phone number: the term is still matched as a receipt and a reference
  }
  return { receipt: q.toUpperCase(), phoneNumber, externalReference: q, checkoutRequestId: q };
}

const CSV_COLUMNS: (keyof TransactionView)[] = [
  'id',
  'type',
  'created_at',
  'completed_at',
  'status',
  'amount',
  'fee_charged',
  'phone_number',
  'mpesa_receipt',
  'external_reference',
  'description',
  'account_id',
  'account_name',
  'channel',
  'customer_id',
  'link_id',
  'checkout_request_id',
  'result_code',
  'result_desc',
  // Why a `needs_review` row is not yet completed or failed: its result_desc is still M-Pesa's words.
  'review_reason',
  'reversal_status',
];

/** One transaction as a CSV line, columns named like its JSON fields (the header is CSV_COLUMNS). */
export function transactionCsvLine(tx: TransactionView): string {
  return csvLine(CSV_COLUMNS.map((column) => tx[column]));
}
