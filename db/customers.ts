import type { EntityManager } from '@mikro-orm/postgresql';
import { newPublicId } from '../domain/publicIds';
import type { Metadata } from '../domain/metadata';
import { CustomerSchema, type Customer, type Environment } from './entities';
import { keysetAfter, keysetAfterId, keysetOrder, keysetPage } from './keyset';

/**
 * Customers are the people who paid a merchant, one per (merchant, environment, phone number),
 * created the first time a number is pushed to. Phone numbers arrive normalised (2547…/2541…),
 * so 0712…, +254712… and 254712… are one customer.
 */

export interface CustomerKey {
  merchantId: number;
  environment: Environment;
  phoneNumber: string;
}

/** The customer's row id, creating the customer if this is their first payment. Safe under concurrent pushes. */
export async function linkCustomer(
  em: EntityManager,
  { merchantId, environment, phoneNumber }: CustomerKey,
): Promise<number> {
  // On the EntityManager, not a pooled connection: inside a transaction it must use the transaction's own.
  const connection = em;
  // "do nothing" takes no row lock on an existing customer, so concurrent pushes to one number never queue here.
  const [inserted] = await connection.execute<{ id: number }[]>(
    `insert into customers (public_id, merchant_id, environment, phone_number) values (?, ?, ?, ?)
     on conflict (merchant_id, environment, phone_number) do nothing returning id`,
    [newPublicId('cus'), merchantId, environment, phoneNumber],
  );
  if (inserted) return inserted.id;
  const [existing] = await connection.execute<{ id: number }[]>(
    'select id from customers where merchant_id = ? and environment = ? and phone_number = ?',
    [merchantId, environment, phoneNumber],
  );
  if (!existing) throw new Error('customer neither inserted nor found'); // customers are never deleted
  return existing.id;
}

export interface CustomerSummary {
  id: number;
  publicId: string;
  phoneNumber: string;
  name: string | null;
  email: string | null;
  createdAt: Date;
  /** Payments pushed to this customer, whatever their outcome. */
  paymentCount: number;
  /** Sum of the completed payments, KES. */
  totalPaid: number;
}

interface RawSummary {
  id: number;
  public_id: string;
  phone_number: string;
  name: string | null;
  email: string | null;
  created_at: Date;
  payment_count: string;
  total_paid: string;
}

const SUMMARY_SELECT = `
  select c.id, c.public_id, c.phone_number, c.name, c.email, c.created_at,
         count(t.id) as payment_count,
         coalesce(sum(t.amount) filter (where t.status = 'completed'), 0) as total_paid
    from customers c
    left join transactions t on t.customer_id = c.id`;

const toSummary = (r: RawSummary): CustomerSummary => ({
  id: r.id,
  publicId: r.public_id,
  phoneNumber: r.phone_number,
  name: r.name,
  email: r.email,
  createdAt: new Date(r.created_at),
  paymentCount: Number(r.payment_count),
  totalPaid: Number(r.total_paid),
});

export interface CustomerListQuery {
  merchantId: number;
  environment: Environment;
  /** Only the customer with this (normalised) phone number. */
  phoneNumber?: string;
  /** Row id to continue after (newest first). */
  afterId?: number;
  limit: number;
}

/** A page of the merchant's customers, newest first, with the id to continue after (null on the last page). */
export async function listCustomers(
  em: EntityManager,
  query: CustomerListQuery,
): Promise<{ customers: CustomerSummary[]; nextAfterId: number | null }> {
  const where = ['c.merchant_id = ?', 'c.environment = ?'];
  const params: unknown[] = [query.merchantId, query.environment];
  if (query.phoneNumber) {
    where.push('c.phone_number = ?');
    params.push(query.phoneNumber);
  }
  const after = keysetAfter(['c.id'], 'desc', query.afterId === undefined ? undefined : [query.afterId]);
  if (after) {
    where.push(after.sql);
    params.push(...after.params);
  }
  const rows = await em
    .getConnection()
    .execute<RawSummary[]>(
      `${SUMMARY_SELECT} where ${where.join(' and ')} group by c.id order by ${keysetOrder(['c.id'], 'desc')} limit ?`,
      [...params, query.limit + 1],
    );
  const { page, last } = keysetPage(rows, query.limit);
  return { customers: page.map(toSummary), nextAfterId: last ? last.id : null };
}

/** One of the merchant's customers by public id, or null (another merchant's customer is null too). */
export async function findCustomer(
  em: EntityManager,
  key: { merchantId: number; environment: Environment; publicId: string },
): Promise<CustomerSummary | null> {
  const [row] = await em
    .getConnection()
    .execute<RawSummary[]>(
      `${SUMMARY_SELECT} where c.public_id = ? and c.merchant_id = ? and c.environment = ? group by c.id`,
      [key.publicId, key.merchantId, key.environment],
    );
  return row ? toSummary(row) : null;
}

/** The customer details a merchant may set (Express API). */
export interface CustomerDetails {
  name?: string;
  email?: string;
  description?: string;
  metadata: Metadata;
}

/** The merchant's customer (entity) with this `cus_…` id, or null. */
export async function customerByPublicId(
  em: EntityManager,
  key: { merchantId: number; environment: Environment; publicId: string },
): Promise<Customer | null> {
  return em.findOne(CustomerSchema, { merchant: key.merchantId, environment: key.environment, publicId: key.publicId });
}

/** The merchant's customer (entity) with this phone number, or null. */
export async function customerWithPhone(em: EntityManager, key: CustomerKey): Promise<Customer | null> {
  return em.findOne(CustomerSchema, {
    merchant: key.merchantId,
    environment: key.environment,
    phoneNumber: key.phoneNumber,
  });
}

/** The customer row by id; throws when it does not exist (customers are never deleted). */
export async function customerByRowId(em: EntityManager, id: number): Promise<Customer> {
  return em.fork().findOneOrFail(CustomerSchema, id);
}

/**
 * The customer with this phone number, created with `details` if there is none yet (an existing
 * one keeps its details). Concurrent calls for a new phone agree on one customer: the unique key decides.
 */
export async function upsertCustomerByPhone(
  em: EntityManager,
  key: CustomerKey,
  details: CustomerDetails,
): Promise<Customer> {
  await em.getConnection().execute(
    `insert into customers (public_id, merchant_id, environment, phone_number, name, email, description, metadata)
     values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (merchant_id, environment, phone_number) do nothing`,
    [
      newPublicId('cus'),
      key.merchantId,
      key.environment,
      key.phoneNumber,
      details.name ?? null,
      details.email ?? null,
      details.description ?? null,
      JSON.stringify(details.metadata),
    ],
  );
  return em.findOneOrFail(
    CustomerSchema,
    { merchant: key.merchantId, environment: key.environment, phoneNumber: key.phoneNumber },
    { disableIdentityMap: true },
  );
}

/** Saves the given changes to the customer; fields left undefined stay as they are. */
export async function updateCustomerDetails(
  em: EntityManager,
  customer: Customer,
  changes: Partial<CustomerDetails> & { phoneNumber?: string },
): Promise<Customer> {
  em.assign(customer, Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)));
  await em.flush();
  return customer;
}

/** A page of the merchant's customers (entities), newest first, after the row id `afterId`. */
export async function customerEntitiesPage(
  em: EntityManager,
  scope: { merchantId: number; environment: Environment },
  { afterId, limit }: { afterId?: number; limit: number },
): Promise<{ customers: Customer[]; hasMore: boolean }> {
  const rows = await em.find(
    CustomerSchema,
    { merchant: scope.merchantId, environment: scope.environment, ...keysetAfterId('desc', afterId) },
    { orderBy: { id: 'desc' }, limit: limit + 1 },
  );
  const { page, last } = keysetPage(rows, limit);
  return { customers: page, hasMore: last !== undefined };
}
