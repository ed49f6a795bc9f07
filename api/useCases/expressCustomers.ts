import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import type { Metadata } from '../../domain/metadata';
import type { Customer } from '../../db/entities';
import {
  customerByPublicId,
  customerEntitiesPage,
  customerWithPhone,
  updateCustomerDetails,
  upsertCustomerByPhone,
} from '../../db/customers';
import type { ApiCaller } from '../auth';

/** The customer fields a request may carry for a customer it creates; metadata already checked. */
export interface NewCustomerFields {
  phoneNumber: string;
  name?: string;
  email?: string;
  description?: string;
  metadata: Metadata;
}

/** The fields a customer update changes; undefined leaves one as it is. Metadata already checked. */
export type CustomerChanges = Partial<NewCustomerFields>;

const keyOf = (caller: ApiCaller, phoneNumber: string) => ({
  merchantId: caller.merchant.id,
  environment: caller.environment,
  phoneNumber,
});

/** A customer of the caller's merchant and environment by its `cus_…` id; `not_found` otherwise. */
export async function customerById(em: EntityManager, caller: ApiCaller, publicId: string): Promise<Customer> {
  const customer = await customerByPublicId(em, {
    merchantId: caller.merchant.id,
    environment: caller.environment,
    publicId,
  });
  if (!customer) throw new AppError('not_found', `No customer ${publicId}`, { field: 'customerId' });
  return customer;
}

/** The customer with this phone number, created with the given details if there is none yet. */
export async function customerForPhone(em: EntityManager, caller: ApiCaller, fields: NewCustomerFields) {
  const { phoneNumber, ...details } = fields;
  return upsertCustomerByPhone(em, keyOf(caller, phoneNumber), details);
}

/** POST /api/v1/customers: a new customer; `conflict` when the phone number has one already. */
export async function createCustomer(
  em: EntityManager,
  caller: ApiCaller,
  input: NewCustomerFields,
): Promise<Customer> {
  const existing = await customerWithPhone(em, keyOf(caller, input.phoneNumber));
  if (existing) {
    throw new AppError('conflict', `A customer with this phone number already exists: ${existing.publicId}`, {
      customerId: existing.publicId,
    });
  }
  return customerForPhone(em, caller, input);
}

/** PATCH /api/v1/customers/:id: only the fields given change; `conflict` when the new phone is taken. */
export async function updateCustomer(
  em: EntityManager,
  caller: ApiCaller,
  publicId: string,
  changes: CustomerChanges,
): Promise<Customer> {
  const customer = await customerById(em, caller, publicId);
  if (changes.phoneNumber && changes.phoneNumber !== customer.phoneNumber) {
    const taken = await customerWithPhone(em, keyOf(caller, changes.phoneNumber));
    if (taken) {
      throw new AppError('conflict', `Another customer has this phone number: ${taken.publicId}`, {
        field: 'phoneNumber',
      });
    }
  }
  return updateCustomerDetails(em, customer, changes);
}

/** GET /api/v1/customers: newest first, continuing after the `cus_…` id `startingAfter`. */
export async function listCustomers(
  em: EntityManager,
  caller: ApiCaller,
  { limit, startingAfter }: { limit: number; startingAfter?: string },
): Promise<{ data: Customer[]; has_more: boolean }> {
  const after = startingAfter ? await customerById(em, caller, startingAfter) : null;
  const { customers, hasMore } = await customerEntitiesPage(
    em,
    { merchantId: caller.merchant.id, environment: caller.environment },
    { afterId: after?.id, limit },
  );
  return { data: customers, has_more: hasMore };
}
