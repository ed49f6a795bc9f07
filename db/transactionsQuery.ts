import type { ReversalStatus } from '../domain/reversal';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChannelType, PaymentStatus } from '../domain/payment';
import type { DateRange } from '../domain/dateRange';
import type { Environment, TransactionPurpose } from './entities';
import { isInstantInRange } from '../domain/dateRange';
import { keysetAfter, keysetOrder, keysetPage, type KeyColumn } from './keyset';

// Newest first; the id breaks ties between payments created in the same microsecond.
const KEYS: KeyColumn[] = [['t.created_at', '?::timestamptz'], 't.id'];

/**
 * Transaction lists for merchants and admins: filters, search, and keyset pagination in a stable
 * order (created_at desc, id desc), so that paging never skips or repeats a row even while new
 * payments arrive. Rows are plain objects; the API decides how they look.
 */

export interface TransactionFilter {
  /** Required for merchant lists; admins may leave it out. */
  merchantId?: number;
  /** One transaction (a detail page). */
  id?: number;
  environment?: Environment;
  status?: PaymentStatus;
  channelId?: number;
  customerId?: number;
  /** Only the payments of this payment link (its row id). */
  linkId?: number;
  purpose?: TransactionPurpose;
  /** One term matched exactly against the receipt, the phone number (normalised) and the external reference. */
  search?: { receipt: string; phoneNumber: string | null; externalReference: string; checkoutRequestId: string };
  created?: DateRange;
  /** Position to continue after (from the previous page's nextCursor). */
  after?: TransactionCursor;
  /** The last position to include (an export's end, fixed before it starts): nothing past it. */
  through?: TransactionCursor;
  limit: number;
}

/** Where a page ended: the last row's created_at (to the microsecond, as Postgres stores it) and id. */
export interface TransactionCursor {
  createdAt: string;
  id: number;
}

export interface TransactionRow {
  id: number;
  merchantId: number;
  merchantName: string;
  environment: Environment;
  purpose: TransactionPurpose;
  phoneNumber: string;
  amount: number;
  fee: number;
  status: PaymentStatus;
  mpesaReceipt: string | null;
  externalReference: string | null;
  description: string;
  checkoutRequestId: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  /** M-Pesa's own Amount, PhoneNumber and TransactionDate from the deciding callback (null when none said them). */
  mpesaAmount: number | null;
  mpesaPhoneNumber: string | null;
  mpesaTransactionDate: string | null;
  reviewReason: string | null;
  /** Where the payment's reversal stands (domain/reversal.ts); null when none was asked for. */
  reversalStatus: ReversalStatus | null;
  channelId: number | null;
  channelName: string | null;
  channelType: ChannelType | null;
  channelAccountNumber: string | null;
  channelBankName: string | null;
  partyB: string | null;
  customerPublicId: string | null;
  /** The payment link's public id (`plink_…`) a link payment came from; null otherwise. */
  linkPublicId: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

interface RawRow {
  id: number;
  merchant_id: number;
  merchant_name: string;
  environment: Environment;
  purpose: TransactionPurpose;
  phone_number: string;
  amount: number;
  fee: number;
  status: PaymentStatus;
  mpesa_receipt: string | null;
  external_reference: string | null;
  description: string;
  checkout_request_id: string | null;
  result_code: string | null;
  result_desc: string | null;
  mpesa_amount: number | null;
  mpesa_phone_number: string | null;
  mpesa_transaction_date: string | null;
  review_reason: string | null;
  reversal_status: ReversalStatus | null;
  channel_id: number | null;
  channel_name: string | null;
  channel_type: ChannelType | null;
  channel_account_number: string | null;
  channel_bank_name: string | null;
  party_b: string | null;
  customer_public_id: string | null;
  link_public_id: string | null;
  created_at: Date;
  completed_at: Date | null;
  cursor_created_at: string;
}

/** The `where` clauses and parameters of a filter (without the page's limit). */
function whereOf(filter: TransactionFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    params.push(...values);
  };

  if (filter.merchantId !== undefined) add('t.merchant_id = ?', filter.merchantId);
  if (filter.id !== undefined) add('t.id = ?', filter.id);
  if (filter.environment) add('t.environment = ?', filter.environment);
  if (filter.status) add('t.status = ?', filter.status);
  if (filter.channelId !== undefined) add('t.channel_id = ?', filter.channelId);
  if (filter.customerId !== undefined) add('t.customer_id = ?', filter.customerId);
  if (filter.linkId !== undefined) add('t.link_id = ?', filter.linkId);
  if (filter.purpose) add('t.purpose = ?', filter.purpose);
  if (filter.search) {
    const { receipt, phoneNumber, externalReference, checkoutRequestId } = filter.search;
    const terms = [
      't.mpesa_receipt = ?',
      't.external_reference = ?',
      't.checkout_request_id = ?',
      ...(phoneNumber ? ['t.phone_number = ?'] : []),
    ];
    add(
      `(${terms.join(' or ')})`,
      receipt,
      externalReference,
      checkoutRequestId,
      ...(phoneNumber ? [phoneNumber] : []),
    );
  }
  if (filter.created?.from) add('t.created_at >= ?', filter.created.from);
  if (filter.created?.to) add(`t.created_at ${filter.created.to.inclusive ? '<=' : '<'} ?`, filter.created.to.at);
  // Keyset pagination: strictly after the previous page's last row in (created_at desc, id desc) order.
  const after = keysetAfter(KEYS, 'desc', filter.after && [filter.after.createdAt, filter.after.id]);
  if (after) add(after.sql, ...after.params);
  // ...and not past the export's last row: the same comparison the other way round, that row included.
  if (filter.through) add('(t.created_at, t.id) >= (?::timestamptz, ?)', filter.through.createdAt, filter.through.id);
  return { where, params };
}

/**
 * Where the `position`-th row (1-based, in list order) of a filter is, when at least one row comes
 * after it; null when the selection ends at or before it. Reads key columns only, at most
 * `position + 1` index entries: an export uses it to know its end (and its X-Next-Cursor) first.
 */
export async function transactionCursorAt(
  em: EntityManager,
  filter: Omit<TransactionFilter, 'limit'>,
  position: number,
): Promise<TransactionCursor | null> {
  const { where, params } = whereOf({ ...filter, limit: position });
  const rows = await em.getConnection().execute<Array<{ id: number; cursor_created_at: string }>>(
    `select t.id, to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_created_at
       from transactions t
      ${where.length ? `where ${where.join(' and ')}` : ''}
      order by ${keysetOrder(KEYS, 'desc')}
      limit 2 offset ?`,
    [...params, position - 1],
  );
  const [at, next] = rows;
  return at && next ? { createdAt: at.cursor_created_at, id: at.id } : null;
}

/** One page of transactions, newest first, and the cursor of the next page (null on the last). */
export async function findTransactions(
  em: EntityManager,
  filter: TransactionFilter,
): Promise<{ rows: TransactionRow[]; nextCursor: TransactionCursor | null }> {
  const { where, params } = whereOf(filter);
  const rows = await em.getConnection().execute<RawRow[]>(
    `select t.id, t.merchant_id, m.name as merchant_name, t.environment, t.purpose, t.phone_number, t.amount, t.fee, t.status,
            t.mpesa_receipt, t.external_reference, t.description, t.checkout_request_id, t.result_code, t.result_desc,
            t.mpesa_amount, t.mpesa_phone_number, t.mpesa_transaction_date, t.review_reason, t.reversal_status,
            t.channel_id, c.name as channel_name, c.account_type as channel_type, c.account_number as channel_account_number,
            c.bank_name as channel_bank_name, t.party_b, cu.public_id as customer_public_id, pl.public_id as link_public_id,
            t.created_at, t.completed_at,
            to_char(t.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_created_at
       from transactions t
       join merchants m on m.id = t.merchant_id
       left join channels c on c.id = t.channel_id
       left join customers cu on cu.id = t.customer_id
       left join payment_links pl on pl.id = t.link_id
      ${where.length ? `where ${where.join(' and ')}` : ''}
      order by ${keysetOrder(KEYS, 'desc')}
      limit ?`,
    [...params, filter.limit + 1],
  );
  const { page, last } = keysetPage(rows, filter.limit);
  const nextCursor = last ? { createdAt: last.cursor_created_at, id: last.id } : null;
  return { rows: page.map(toRow), nextCursor };
}

function toRow(r: RawRow): TransactionRow {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    merchantName: r.merchant_name,
    environment: r.environment,
    purpose: r.purpose,
    phoneNumber: r.phone_number,
    amount: r.amount,
    fee: r.fee,
    status: r.status,
    mpesaReceipt: r.mpesa_receipt,
    externalReference: r.external_reference,
    description: r.description,
    checkoutRequestId: r.checkout_request_id,
    resultCode: r.result_code,
    resultDesc: r.result_desc,
    mpesaAmount: r.mpesa_amount,
    mpesaPhoneNumber: r.mpesa_phone_number,
    mpesaTransactionDate: r.mpesa_transaction_date,
    reviewReason: r.review_reason,
    reversalStatus: r.reversal_status,
    channelId: r.channel_id,
    channelName: r.channel_name,
    channelType: r.channel_type,
    channelAccountNumber: r.channel_account_number,
    channelBankName: r.channel_bank_name,
    partyB: r.party_b,
    customerPublicId: r.customer_public_id,
    linkPublicId: r.link_public_id,
    createdAt: new Date(r.created_at),
    completedAt: r.completed_at ? new Date(r.completed_at) : null,
  };
}

/** The cursor as sent to clients: opaque, URL-safe. */
export function encodeTransactionCursor(cursor: TransactionCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url');
}

/** Reads a cursor back; null when it is not one this API issued. */
export function decodeTransactionCursor(text: string): TransactionCursor | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([1-9]\d{0,9})$/.exec(
    Buffer.from(text, 'base64url').toString('utf8'),
  );
  if (!match) return null;
  // The text goes to Postgres as a timestamp: a month 13, 30 February or 25:61 would fail there.
  const createdAt = match[1]!;
  const at = new Date(`${createdAt.slice(0, 23)}Z`);
  if (!isInstantInRange(at) || at.toISOString().slice(0, 23) !== createdAt.slice(0, 23)) return null;
  const id = Number(match[2]);
  return id <= 2_147_483_647 ? { createdAt, id } : null;
}
