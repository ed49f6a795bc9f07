import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { validateMetadata, type Metadata } from '../../domain/metadata';
import type { Customer, Transaction } from '../../db/entities';
import { customerByRowId } from '../../db/customers';
import { freshTransaction, paymentByPublicId, paymentsPage } from '../../db/payments';
import type { ApiCaller } from '../auth';
import { hashRequest, refusalError, startPayment, type PaymentStartDeps } from '../../payments/paymentStart';
import { guardPayment, type PaymentGuardDeps } from './paymentGuard';
import { customerById, customerForPhone } from './expressCustomers';
import { paymentMessage, presentPayment, type ExpressPayment } from './expressPresent';

export type ExpressDeps = PaymentStartDeps & PaymentGuardDeps;

/** A parsed POST /api/v1/payments body: the payment, and the customer when customerId is absent. */
export interface ExpressPaymentInput {
  /** 2547…/2541…; required unless customerId names an existing customer. */
  phoneNumber?: string;
  /** Whole KES. */
  amount: number;
  description: string;
  customerId?: string;
  name?: string;
  email?: string;
  customerDescription?: string;
  /** Checked only when a new customer is created (ignored otherwise). */
  customerMetadata?: unknown;
  accountReference?: string;
  metadata: Metadata;
  /** The channel to deposit into; the merchant's oldest active channel when absent. */
  accountId?: number;
}

/** A payment the Express API started: whether M-Pesa accepted the push yet, and the payment. */
export interface ExpressPaymentStarted {
  /** accepted: the customer has a prompt; unconfirmed: M-Pesa has not confirmed the push yet. */
  outcome: 'accepted' | 'unconfirmed';
  payment: ExpressPayment;
}

/**
 * POST /api/v1/payments: the Express face over the same payment core. An existing customerId makes
 * the customer fields ignored. Throws the payment guard's errors, `not_found` for an unknown
 * customer, `validation_failed`, and the refusal of a push M-Pesa refused.
 */
export async function createExpressPayment(
  deps: ExpressDeps,
  caller: ApiCaller,
  input: ExpressPaymentInput,
  idempotencyKey: string | null,
): Promise<ExpressPaymentStarted> {
  const { channel, fee } = await guardPayment(deps, {
    caller,
    amount: input.amount,
    kycAction: 'take payments',
    channel: { id: input.accountId, field: 'accountId' },
  });

  // An existing customer is read now; a new one is created only once the payment is sure to be recorded.
  let customer: Customer | null = input.customerId ? await customerById(deps.em, caller, input.customerId) : null;
  if (!customer && !input.phoneNumber)
    throw new AppError('validation_failed', 'phoneNumber is required unless customerId is given', {
      field: 'phoneNumber',
    });
  const customerMetadata = customer ? {} : validateMetadata(input.customerMetadata, 'customerMetadata');
  const phoneNumber = customer?.phoneNumber ?? input.phoneNumber!;
  const linkCustomer = async () => {
    customer ??= await customerForPhone(deps.em, caller, {
      phoneNumber,
      name: input.name,
      email: input.email,
      description: input.customerDescription,
      metadata: customerMetadata,
    });
    return customer.id;
  };

  if (input.accountReference && channel.accountType === 'bank') {
    throw new AppError('validation_failed', 'Bank channels always use the bank account number as accountReference', {
      field: 'accountReference',
    });
  }

  const { transaction, outcome } = await startPayment(
    deps,
    {
      merchant: caller.merchant.id,
      channel: channel.id,
      apiKey: caller.apiKey?.id ?? null,
      environment: caller.environment,
      phoneNumber,
      amount: input.amount,
      fee,
      externalReference: null,
      description: input.description,
      accountReference: input.accountReference ?? channel.accountReference,
      idempotencyKey,
      requestHash: hashRequest(input),
      metadata: input.metadata,
    },
    linkCustomer,
  );
  if (outcome.outcome === 'refused' || outcome.outcome === 'rejected') throw refusalError(transaction, outcome);
  const fresh = await freshTransaction(deps.em, transaction.id);
  const payer = customer ?? (await customerByRowId(deps.em, fresh.customer!));
  return { outcome: outcome.outcome, payment: presentPayment(fresh, payer.publicId, paymentMessage(fresh)) };
}

/** GET /api/v1/payments/:id (a `trxn_…` id): only this merchant's, in this key's environment; else `not_found`. */
export async function getExpressPayment(
  em: EntityManager,
  caller: ApiCaller,
  publicId: string,
): Promise<ExpressPayment> {
  const tx = await paymentByPublicId(em, scopeOf(caller), publicId);
  if (!tx) throw new AppError('not_found', `No payment ${publicId}`);
  return present(em, tx);
}

/** GET /api/v1/payments: newest first, continuing after the payment `startingAfter` (a `trxn_…` id). */
export async function listExpressPayments(
  em: EntityManager,
  caller: ApiCaller,
  { limit, startingAfter }: { limit: number; startingAfter?: string },
): Promise<{ object: 'list'; data: ExpressPayment[]; has_more: boolean }> {
  const after = startingAfter ? await paymentByPublicId(em, scopeOf(caller), startingAfter) : null;
  if (startingAfter && !after)
    throw new AppError('not_found', `No payment ${startingAfter}`, { field: 'starting_after' });
  const { payments, hasMore } = await paymentsPage(em, scopeOf(caller), { afterId: after?.id, limit });
  return {
    object: 'list',
    data: await Promise.all(payments.map((tx) => present(em, tx))),
    has_more: hasMore,
  };
}

const scopeOf = (caller: ApiCaller) => ({ merchantId: caller.merchant.id, environment: caller.environment });

async function present(em: EntityManager, tx: Transaction): Promise<ExpressPayment> {
  const customer = tx.customer ? await customerByRowId(em, tx.customer) : null;
  return presentPayment(tx, customer?.publicId ?? null, paymentMessage(tx));
}
