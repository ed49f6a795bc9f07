import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { validateMetadata, type Metadata } from '../../domain/metadata';
import { newPublicId } from '../../domain/publicIds';
import { CustomerSchema, type Customer, type Environment } from '../../db/entities';
import { parseInput } from '../validate';
import type { ApiCaller } from '../auth';
import { expressCustomerSchema, expressCustomerUpdateSchema, listQuerySchema } from './schemas';

/** The customer fields a payment request may carry for a customer it creates. */
export interface NewCustomerFields {
  phoneNumber: string;
  name?: string;
  email?: string;
  description?: string;
  metadata: Metadata;
}

const scope = (caller: ApiCaller) => ({ merchant: caller.merchant.id, environment: caller.environment as Environment });

/** A customer of this merchant and environment by its `cus_…` id, or 404. */
export async function customerById(em: EntityManager, caller: ApiCaller, publicId: string): Promise<Customer> {
  const customer = await em.findOne(CustomerSchema, { ...scope(caller), publicId });
  if (!customer) throw new AppError('not_found', `No customer ${publicId}`, { field: 'customerId' });
  return customer;
}

/**
 * The customer with this phone number, created with the given details if there is none yet.
 * Concurrent payments from a new phone agree on one customer (the unique key decides).
 */
export async function customerForPhone(em: EntityManager, caller: ApiCaller, fields: NewCustomerFields): Promise<Customer> {
  const { merchant, environment } = scope(caller);
  await em.getConnection().execute(
    `insert into customers (public_id, merchant_id, environment, phone_number, name, email, description, metadata)
     values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (merchant_id, environment, phone_number) do nothing`,
    [newPublicId('cus'), merchant, environment, fields.phoneNumber, fields.name ?? null, fields.email ?? null, fields.description ?? null, JSON.stringify(fields.metadata)],
  );
  return em.findOneOrFail(CustomerSchema, { merchant, environment, phoneNumber: fields.phoneNumber }, { disableIdentityMap: true });
}

/** POST /api/v1/customers */
export async function createCustomer(em: EntityManager, caller: ApiCaller, body: unknown): Promise<Customer> {
  const input = parseInput(expressCustomerSchema, body);
  const metadata = validateMetadata(input.metadata, 'metadata');
  const existing = await em.findOne(CustomerSchema, { ...scope(caller), phoneNumber: input.phoneNumber });
  if (existing) throw new AppError('conflict', `A customer with this phone number already exists: ${existing.publicId}`, { customerId: existing.publicId });
  return customerForPhone(em, caller, { ...input, metadata });
}

/** PATCH /api/v1/customers/:id — only the fields given change. */
export async function updateCustomer(em: EntityManager, caller: ApiCaller, publicId: string, body: unknown): Promise<Customer> {
  const input = parseInput(expressCustomerUpdateSchema, body);
  const customer = await customerById(em, caller, publicId);
  if (input.phoneNumber && input.phoneNumber !== customer.phoneNumber) {
    const taken = await em.findOne(CustomerSchema, { ...scope(caller), phoneNumber: input.phoneNumber });
    if (taken) throw new AppError('conflict', `Another customer has this phone number: ${taken.publicId}`, { field: 'phoneNumber' });
  }
  em.assign(customer, {
    ...(input.phoneNumber !== undefined && { phoneNumber: input.phoneNumber }),
    ...(input.name !== undefined && { name: input.name }),
    ...(input.email !== undefined && { email: input.email }),
    ...(input.description !== undefined && { description: input.description }),
    ...(input.metadata !== undefined && { metadata: validateMetadata(input.metadata, 'metadata') }),
  });
  await em.flush();
  return customer;
}

/** GET /api/v1/customers — newest first, `starting_after` a customer id. */
export async function listCustomers(em: EntityManager, caller: ApiCaller, query: unknown): Promise<{ data: Customer[]; has_more: boolean }> {
  const { limit, starting_after } = parseInput(listQuerySchema, query);
  const after = starting_after ? await customerById(em, caller, starting_after) : null;
  const rows = await em.find(CustomerSchema, { ...scope(caller), ...(after && { id: { $lt: after.id } }) }, { orderBy: { id: 'desc' }, limit: limit + 1 });
  return { data: rows.slice(0, limit), has_more: rows.length > limit };
}
