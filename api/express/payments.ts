import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { validateMetadata } from '../../domain/metadata';
import { feeFor } from '../../domain/pricing';
import {
  ChannelSchema,
  CustomerSchema,
  TransactionSchema,
  type Channel,
  type Customer,
  type Transaction,
} from '../../db/entities';
import { loadFeeTiers } from '../../db/pricing';
import { parseInput } from '../validate';
import type { ApiCaller } from '../auth';
import { assertVerified } from '../guards';
import { hashRequest, refusalError, startPayment, type PaymentStartDeps } from '../useCases/paymentStart';
import { customerById, customerForPhone } from './customers';
import { expressPaymentSchema, listQuerySchema } from './schemas';
import { paymentMessage, presentPayment } from './present';

export interface ExpressDeps extends PaymentStartDeps {
  liveEnabled: boolean;
}

/**
 * POST /api/v1/payments — the Express face over the same payment core: one flat body carries the
 * customer and the payment. An existing customerId makes the customer fields ignored.
 */
export async function createExpressPayment(
  deps: ExpressDeps,
  caller: ApiCaller,
  body: unknown,
  idempotencyKey: string | null,
) {
  const input = parseInput(expressPaymentSchema, body);
  const metadata = validateMetadata(input.metadata, 'metadata');
  assertVerified(caller.merchant, 'take payments');
  if (caller.environment === 'production' && !deps.liveEnabled) {
    throw new AppError(
      'forbidden',
      'Live (production) payments are not enabled on this ImaraPay deployment; use a sandbox key',
    );
  }

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

  const channel = await depositChannel(deps.em, caller, input.accountId);
  if (input.accountReference && channel.accountType === 'bank') {
    throw new AppError('validation_failed', 'Bank channels always use the bank account number as accountReference', {
      field: 'accountReference',
    });
  }
  const fee = feeFor(input.amount, await loadFeeTiers(deps.em));
  if (fee === undefined)
    throw new AppError('validation_failed', `No fee tier covers KES ${input.amount}`, { field: 'amount' });

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
      metadata,
    },
    linkCustomer,
  );
  if (outcome.outcome === 'refused' || outcome.outcome === 'rejected') throw refusalError(transaction, outcome);
  const fresh = await deps.em.fork().findOneOrFail(TransactionSchema, transaction.id);
  const payer = customer ?? (await deps.em.fork().findOneOrFail(CustomerSchema, fresh.customer!));
  return {
    status: outcome.outcome === 'accepted' ? 201 : 202,
    body: presentPayment(fresh, payer.publicId, paymentMessage(fresh)),
  };
}

/** GET /api/v1/payments/:id (a `trxn_…` id) — only this merchant's, in this key's environment. */
export async function getExpressPayment(em: EntityManager, caller: ApiCaller, publicId: string) {
  const tx = await em.findOne(TransactionSchema, {
    publicId,
    merchant: caller.merchant.id,
    environment: caller.environment,
  });
  if (!tx) throw new AppError('not_found', `No payment ${publicId}`);
  return present(em, tx);
}

/** GET /api/v1/payments — newest first, `starting_after` a payment id. */
export async function listExpressPayments(em: EntityManager, caller: ApiCaller, query: unknown) {
  const { limit, starting_after } = parseInput(listQuerySchema, query);
  const scope = { merchant: caller.merchant.id, environment: caller.environment, purpose: 'payment' as const };
  const after = starting_after ? await em.findOne(TransactionSchema, { ...scope, publicId: starting_after }) : null;
  if (starting_after && !after)
    throw new AppError('not_found', `No payment ${starting_after}`, { field: 'starting_after' });
  const rows = await em.find(
    TransactionSchema,
    { ...scope, ...(after && { id: { $lt: after.id } }) },
    { orderBy: { id: 'desc' }, limit: limit + 1 },
  );
  return {
    object: 'list',
    data: await Promise.all(rows.slice(0, limit).map((tx) => present(em, tx))),
    has_more: rows.length > limit,
  };
}

async function present(em: EntityManager, tx: Transaction) {
  const customer = tx.customer ? await em.findOne(CustomerSchema, tx.customer) : null;
  return presentPayment(tx, customer?.publicId ?? null, paymentMessage(tx));
}

/** The channel a payment deposits into: the one named, or the merchant's first active channel. */
async function depositChannel(em: EntityManager, caller: ApiCaller, accountId: number | undefined): Promise<Channel> {
  if (accountId !== undefined) {
    const channel = await em.findOne(ChannelSchema, { id: accountId, merchant: caller.merchant.id });
    if (!channel)
      throw new AppError('not_found', `Payment channel ${accountId} does not exist`, { field: 'accountId' });
    if (!channel.isActive)
      throw new AppError('validation_failed', `Payment channel ${accountId} is deactivated`, { field: 'accountId' });
    return channel;
  }
  const [first] = await em.find(
    ChannelSchema,
    { merchant: caller.merchant.id, isActive: true },
    { orderBy: { id: 'asc' }, limit: 1 },
  );
  if (!first)
    throw new AppError('validation_failed', 'Add a payment channel before taking payments', { field: 'accountId' });
  return first;
}
