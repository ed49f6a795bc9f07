import { UniqueConstraintViolationException, type RequiredEntityData } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ChannelSchema,
  MerchantSchema,
  PaymentLinkSchema,
  TransactionSchema,
  type Channel,
  type Environment,
  type Merchant,
  type PaymentLink,
  type Transaction,
} from './entities';
import type { LinkState } from '../domain/paymentLinks';

/** Whose links a read may see: one merchant, one environment. */
export interface LinkScope {
  merchantId: number;
  environment: Environment;
}

/** A new link's columns; the schema's defaults fill the rest (state `active`, creation times). */
export type NewLinkRow = Omit<RequiredEntityData<PaymentLink>, 'state' | 'createdAt' | 'updatedAt'>;

/**
 * Inserts a link, or answers the one recorded earlier under the same Idempotency-Key (also when two
 * requests with one key raced: the loser answers the winner, `inserted: false`).
 */
export async function insertLink(
  em: EntityManager,
  row: NewLinkRow,
): Promise<{ link: PaymentLink; inserted: boolean }> {
  const link = em.create(PaymentLinkSchema, row, { partial: true });
  try {
    await em.flush();
    return { link, inserted: true };
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException) || !row.idempotencyKey) throw err;
    em.clear();
    const winner = await linkByIdempotencyKey(
      em,
      { merchantId: row.merchant as number, environment: row.environment },
      row.idempotencyKey,
    );
    if (!winner) throw err;
    return { link: winner, inserted: false };
  }
}

/** The link recorded under this Idempotency-Key in this scope, or null. */
export async function linkByIdempotencyKey(
  em: EntityManager,
  scope: LinkScope,
  idempotencyKey: string,
): Promise<PaymentLink | null> {
  return em.findOne(PaymentLinkSchema, { merchant: scope.merchantId, environment: scope.environment, idempotencyKey });
}

/** The merchant's link with this `plink_…` id in this scope, or null (another merchant's is null too). */
export async function merchantLink(em: EntityManager, scope: LinkScope, publicId: string): Promise<PaymentLink | null> {
  return em.findOne(PaymentLinkSchema, { merchant: scope.merchantId, environment: scope.environment, publicId });
}

/** The merchant's links in this scope, newest first, at most `limit` (archived ones included when asked). */
export async function merchantLinks(
  em: EntityManager,
  scope: LinkScope,
  { includeArchived, limit }: { includeArchived: boolean; limit: number },
): Promise<PaymentLink[]> {
  return em.find(
    PaymentLinkSchema,
    {
      merchant: scope.merchantId,
      environment: scope.environment,
      ...(includeArchived ? {} : { state: { $ne: 'archived' as const } }),
    },
    { orderBy: { id: 'desc' }, limit },
  );
}

/**
 * Moves a link to `state` (active, paused, archived) unless it is there already or archived (an
 * archived link stays archived), in one statement, so two requests at once change it once. Answers
 * whether it changed; `link` is updated to match when it did.
 */
export async function setLinkState(em: EntityManager, link: PaymentLink, state: LinkState): Promise<boolean> {
  const from: LinkState[] = (['active', 'paused'] as const).filter((s) => s !== state);
  const changed = await em.nativeUpdate(PaymentLinkSchema, { id: link.id, state: { $in: from } }, { state });
  if (changed > 0) link.state = state;
  return changed > 0;
}

/** A link with the merchant and channel its checkout page and payments need, by its URL token; null when none. */
export async function linkByToken(
  em: EntityManager,
  token: string,
): Promise<{ link: PaymentLink; merchant: Merchant; channel: Channel } | null> {
  const link = await em.findOne(PaymentLinkSchema, { token });
  if (!link) return null;
  const merchant = await em.findOneOrFail(MerchantSchema, link.merchant);
  const channel = await em.findOneOrFail(ChannelSchema, link.channel);
  return { link, merchant, channel };
}

/**
 * The statuses that use up a single-use link: a payment still pending, completed, or in review
 * (M-Pesa may already have taken the customer's money; the review decides, not a second payment).
 */
const LINK_USING_STATUSES: Transaction['status'][] = ['pending', 'completed', 'needs_review'];

/** How many of a link's payments use it up (pending, completed or in review). */
export async function linkPaymentsInUse(em: EntityManager, linkId: number): Promise<number> {
  return em.count(TransactionSchema, { link: linkId, status: { $in: LINK_USING_STATUSES } });
}

/** A link's totals: every payment, the completed ones and their KES. */
export interface LinkTotals {
  payments: number;
  completed: number;
  pending: number;
  completedAmount: number;
}

/** The totals of each link of `linkIds` (links without payments get zeros). */
export async function linkTotals(em: EntityManager, linkIds: number[]): Promise<Map<number, LinkTotals>> {
  const totals = new Map<number, LinkTotals>(
    linkIds.map((id) => [id, { payments: 0, completed: 0, pending: 0, completedAmount: 0 }]),
  );
  if (linkIds.length === 0) return totals;
  const rows = await em
    .getConnection()
    .execute<{ link_id: number; payments: string; completed: string; pending: string; completed_amount: string }[]>(
      `select link_id, count(*) as payments,
            count(*) filter (where status = 'completed') as completed,
            count(*) filter (where status = 'pending') as pending,
            coalesce(sum(amount) filter (where status = 'completed'), 0) as completed_amount
       from transactions where link_id in (${linkIds.map(() => '?').join(', ')}) group by link_id`,
      linkIds,
    );
  for (const r of rows) {
    totals.set(r.link_id, {
      payments: Number(r.payments),
      completed: Number(r.completed),
      pending: Number(r.pending),
      completedAmount: Number(r.completed_amount),
    });
  }
  return totals;
}

/** A link's payments, newest first, at most `limit`. */
export async function linkPayments(em: EntityManager, linkId: number, limit: number): Promise<Transaction[]> {
  return em.find(TransactionSchema, { link: linkId }, { orderBy: { id: 'desc' }, limit });
}

/** A link payment by its checkout token, only when it belongs to the link with this URL token; else null. */
export async function linkPaymentByCheckoutToken(
  em: EntityManager,
  linkToken: string,
  checkoutToken: string,
): Promise<Transaction | null> {
  const link = await em.findOne(PaymentLinkSchema, { token: linkToken }, { fields: ['id'] });
  if (!link) return null;
  return em.fork().findOne(TransactionSchema, { checkoutToken, link: link.id });
}

/** Why a link payment could not be reserved. */
export type LinkReservationRefusal = 'used' | 'prompt_open';

/**
 * Runs `insert` (which records the payment) only if, at that moment and with concurrent starts held
 * back: the single-use link has no payment that uses it up yet (pending, completed or in review), and the phone has no link
 * payment of this environment still pending (its prompt may be open on the phone). The link's row
 * and the phone number are locked for the transaction, so a hundred phones paying one link at once
 * each get their own payment, and one phone tapping Pay five times gets one.
 */
export async function reserveLinkPayment<T>(
  em: EntityManager,
  { link, phoneNumber }: { link: PaymentLink; phoneNumber: string },
  insert: (em: EntityManager) => Promise<T>,
): Promise<{ reserved: true; value: T } | { reserved: false; refusal: LinkReservationRefusal }> {
  return em.transactional(async (tx) => {
    if (link.singleUse) {
      // Single-use links serialise their starts on the link's row; reusable ones only on the phone.
      await tx.execute('select id from payment_links where id = ? for update', [link.id]);
      const inUse = await tx.count(TransactionSchema, { link: link.id, status: { $in: LINK_USING_STATUSES } });
      if (inUse > 0) return { reserved: false, refusal: 'used' as const };
    }
    await tx.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`link-phone:${link.environment}:${phoneNumber}`]);
    const open = await tx.count(TransactionSchema, {
      phoneNumber,
      environment: link.environment,
      status: 'pending',
      link: { $ne: null },
    });
    if (open > 0) return { reserved: false, refusal: 'prompt_open' as const };
    return { reserved: true, value: await insert(tx) };
  });
}

/** The public id (`plink_…`) of the link with this row id. */
export async function linkPublicIdOf(em: EntityManager, linkId: number): Promise<string | null> {
  const link = await em.findOne(PaymentLinkSchema, linkId, { fields: ['publicId'] });
  return link?.publicId ?? null;
}
