import { z } from 'zod';
import { AppError } from '../../domain/errors';
import { MPESA_MAX_AMOUNT, MPESA_MIN_AMOUNT } from '../../domain/money';
import { ACCOUNT_REFERENCE, TRANSACTION_DESC } from '../../domain/mpesaText';
import { validateMetadata } from '../../domain/metadata';
import { linkAvailability, type LinkAvailability, type LinkState } from '../../domain/paymentLinks';
import { newPublicId, newSecretToken } from '../../domain/publicIds';
import type { PaymentLink, Transaction } from '../../db/entities';
import {
  insertLink,
  linkByIdempotencyKey,
  linkPayments,
  linkTotals,
  merchantLink,
  merchantLinks,
  setLinkState,
  type LinkScope,
  type LinkTotals,
} from '../../db/paymentLinks';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import type { AUDIT_ACTIONS, AuditActor } from '../../domain/audit';
import type { ApiCaller } from '../auth';
import { assertVerified } from '../guards';
import { mpesaTextField } from '../validate';
import { hashRequest } from '../../payments/paymentStart';
import { payableChannel } from './paymentGuard';

const wholeKes = (field: string) =>
  z
    .number({ error: `${field} must be a whole number of KES` })
    .int(`${field} must be a whole number of KES (no decimals)`)
    .min(MPESA_MIN_AMOUNT, `${field} must be at least KES ${MPESA_MIN_AMOUNT}`)
    .max(MPESA_MAX_AMOUNT, `${field} must be at most KES 250,000 (M-Pesa's per-transaction limit)`);

/** The documented request body of POST /api/payment-links. */
export const createLinkSchema = z
  .object({
    account_id: z
      .number({ error: 'account_id must be the integer id of one of your payment channels' })
      .int('account_id must be an integer')
      .positive('account_id must be positive')
      .optional()
      .describe('The payment channel paid into; your oldest active channel when omitted'),
    amount: wholeKes('amount').optional().describe('A fixed amount; omit it to let the customer enter the amount'),
    min_amount: wholeKes('min_amount').optional().describe('Smallest amount the customer may enter (default KES 1)'),
    max_amount: wholeKes('max_amount')
      .optional()
      .describe('Largest amount the customer may enter (default KES 250,000)'),
    description: mpesaTextField('description', TRANSACTION_DESC),
    account_reference: mpesaTextField('account_reference', ACCOUNT_REFERENCE)
      .optional()
      .describe("M-Pesa's AccountReference of each payment; the channel's own when omitted"),
    expires_at: z
      .string({ error: 'expires_at must be an ISO 8601 date-time such as 2026-12-31T21:00:00Z' })
      .datetime({ offset: true, error: 'expires_at must be an ISO 8601 date-time such as 2026-12-31T21:00:00Z' })
      .nullish(),
    single_use: z.boolean({ error: 'single_use must be true or false' }).optional(),
    metadata: z.unknown().optional(),
  })
  .strict();

export type CreateLinkRequest = z.infer<typeof createLinkSchema>;

/** The documented query of GET /api/payment-links. */
export const listLinksQuery = z.object({
  include_archived: z.enum(['true', 'false'], { error: 'include_archived must be true or false' }).optional(),
});

/** A link as every merchant endpoint answers it. */
export interface LinkView {
  id: string;
  url: string;
  account_id: number;
  environment: string;
  amount_kind: 'fixed' | 'open';
  amount: number | null;
  min_amount: number | null;
  max_amount: number | null;
  description: string;
  account_reference: string;
  single_use: boolean;
  expires_at: string | null;
  state: LinkState;
  /** Whether it takes a payment now, or why not. */
  availability: LinkAvailability;
  metadata: Record<string, string | number | boolean>;
  totals: { payments: number; completed: number; pending: number; completed_amount: number };
  created_at: string;
}

export interface LinkDeps {
  em: EntityManager;
  /** The public origin the checkout URL is built on (PUBLIC_BASE_URL). */
  publicBaseUrl: string;
  now?: () => Date;
}

/** The checkout page's URL of a link. */
export function checkoutUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/pay/${token}`;
}

const scopeOf = (caller: ApiCaller): LinkScope => ({ merchantId: caller.merchant.id, environment: caller.environment });

/** Presents a link with its totals. */
export function presentLink(
  deps: Pick<LinkDeps, 'publicBaseUrl' | 'now'>,
  link: PaymentLink,
  totals: LinkTotals,
): LinkView {
  const now = deps.now?.() ?? new Date();
  return {
    id: link.publicId,
    url: checkoutUrl(deps.publicBaseUrl, link.token),
    account_id: link.channel,
    environment: link.environment,
    amount_kind: link.amountKind,
    amount: link.amount,
    min_amount: link.minAmount,
    max_amount: link.maxAmount,
    description: link.description,
    account_reference: link.accountReference,
    single_use: link.singleUse,
    expires_at: link.expiresAt?.toISOString() ?? null,
    state: link.state,
    availability: linkAvailability(link, now, { completedOrPending: totals.completed + totals.pending }),
    metadata: link.metadata,
    totals: {
      payments: totals.payments,
      completed: totals.completed,
      pending: totals.pending,
      completed_amount: totals.completedAmount,
    },
    created_at: link.createdAt.toISOString(),
  };
}

/**
 * POST /api/payment-links: a new link into one of the caller's active channels (KYC verified). A
 * fixed link takes `amount`; an open one takes the customer's amount within `min_amount` and
 * `max_amount`. With an Idempotency-Key a retry answers the same link (`created: false`), and the
 * same key with another body is 409 `conflict`. Throws AppError 400/403/404/409.
 */
export async function createLink(
  deps: LinkDeps,
  { caller, request, idempotencyKey }: { caller: ApiCaller; request: CreateLinkRequest; idempotencyKey: string | null },
): Promise<{ link: LinkView; created: boolean }> {
  assertVerified(caller.merchant, 'create payment links');
  const scope = scopeOf(caller);
  const requestHash = hashRequest(request);
  if (idempotencyKey) {
    const earlier = await linkByIdempotencyKey(deps.em, scope, idempotencyKey);
    if (earlier) return { link: await viewOf(deps, sameOrConflict(earlier, requestHash)), created: false };
  }
  const now = deps.now?.() ?? new Date();
  const metadata = validateMetadata(request.metadata, 'metadata');
  const fixed = request.amount !== undefined;
  if (fixed && (request.min_amount !== undefined || request.max_amount !== undefined)) {
    throw new AppError('validation_failed', 'A fixed-amount link takes amount alone, not min_amount or max_amount', {
      field: 'min_amount',
    });
  }
  const minAmount = fixed ? null : (request.min_amount ?? MPESA_MIN_AMOUNT);
  const maxAmount = fixed ? null : (request.max_amount ?? MPESA_MAX_AMOUNT);
  if (minAmount !== null && maxAmount !== null && maxAmount < minAmount) {
    throw new AppError('validation_failed', 'max_amount must be at least min_amount', { field: 'max_amount' });
  }
  const expiresAt = request.expires_at ? new Date(request.expires_at) : null;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw new AppError('validation_failed', 'expires_at must be in the future', { field: 'expires_at' });
  }
  const channel = await payableChannel(deps.em, caller.merchant.id, { id: request.account_id, field: 'account_id' });

  const { link, inserted } = await insertLink(deps.em, {
    publicId: newPublicId('plink'),
    token: newSecretToken(),
    merchant: caller.merchant.id,
    channel: channel.id,
    environment: caller.environment,
    amountKind: fixed ? 'fixed' : 'open',
    amount: request.amount ?? null,
    minAmount,
    maxAmount,
    description: request.description,
    accountReference: request.account_reference ?? channel.accountReference,
    singleUse: request.single_use ?? false,
    expiresAt,
    metadata,
    idempotencyKey,
    requestHash,
  });
  return { link: await viewOf(deps, inserted ? link : sameOrConflict(link, requestHash)), created: inserted };
}

function sameOrConflict(earlier: PaymentLink, requestHash: string): PaymentLink {
  if (earlier.requestHash !== requestHash) {
    throw new AppError(
      'conflict',
      'This Idempotency-Key was already used with a different request body. Use a new key for a new link.',
    );
  }
  return earlier;
}

async function viewOf(deps: LinkDeps, link: PaymentLink): Promise<LinkView> {
  const totals = await linkTotals(deps.em, [link.id]);
  return presentLink(deps, link, totals.get(link.id)!);
}

/** The caller's link by its `plink_…` id; 404 `not_found` when it is not theirs (or not in this environment). */
export async function findLink(em: EntityManager, caller: ApiCaller, id: string): Promise<PaymentLink> {
  const link = await merchantLink(em, scopeOf(caller), id);
  if (!link) throw new AppError('not_found', `Payment link ${id} does not exist`);
  return link;
}

/** GET /api/payment-links: the caller's links, newest first (at most 200), with their totals. */
export async function listLinks(
  deps: LinkDeps,
  caller: ApiCaller,
  { includeArchived }: { includeArchived: boolean },
): Promise<LinkView[]> {
  const links = await merchantLinks(deps.em, scopeOf(caller), { includeArchived, limit: 200 });
  const totals = await linkTotals(
    deps.em,
    links.map((l) => l.id),
  );
  return links.map((link) => presentLink(deps, link, totals.get(link.id)!));
}

/** GET /api/payment-links/:id. */
export async function showLink(deps: LinkDeps, caller: ApiCaller, id: string): Promise<LinkView> {
  return viewOf(deps, await findLink(deps.em, caller, id));
}

/** What a merchant can do to a link's state. */
export type LinkAction = 'pause' | 'resume' | 'archive';

/**
 * Pause (stops taking payments), resume (takes them again) or archive (for good; hidden from the
 * list by default). Pausing or resuming twice is harmless; an archived link cannot be paused or
 * resumed (409 `conflict`). Payments already started carry on either way. Each change is written to
 * the merchant's audit log (`payment_link.paused`, `payment_link.resumed`, `payment_link.archived`,
 * with `actor`: who, from which address) in the same transaction.
 */
export async function changeLinkState(
  deps: LinkDeps,
  { caller, id, action, actor }: { caller: ApiCaller; id: string; action: LinkAction; actor: AuditActor },
): Promise<LinkView> {
  const link = await findLink(deps.em, caller, id);
  if (link.state === 'archived' && action !== 'archive') {
    throw new AppError('conflict', `Payment link ${id} is archived; create a new link instead`);
  }
  const state: LinkState = LINK_ACTION_STATES[action];
  const from = link.state;
  await withAudit(deps.em, async (tx) => {
    // Who stopped (or restarted) a link taking payments is a security fact: the change and its
    // audit event commit together; a repeated action changes nothing and records nothing.
    if (!(await setLinkState(tx, link, state))) return;
    await appendAuditEvent(tx, {
      ...actor,
      merchantId: link.merchant,
      action: LINK_AUDIT_ACTIONS[action],
      subjectType: 'payment_link',
      subjectId: link.publicId,
      details: { from, to: state, description: link.description, environment: link.environment },
    });
  });
  return viewOf(deps, link);
}

const LINK_ACTION_STATES = { pause: 'paused', resume: 'active', archive: 'archived' } as const satisfies Record<
  LinkAction,
  LinkState
>;

/** The audit log's name for each link action (domain/audit.ts AUDIT_ACTIONS). */
const LINK_AUDIT_ACTIONS = {
  pause: 'payment_link.paused',
  resume: 'payment_link.resumed',
  archive: 'payment_link.archived',
} as const satisfies Record<LinkAction, (typeof AUDIT_ACTIONS)[number]>;

/** One payment of a link, as GET /api/payment-links/:id/payments lists it. */
export interface LinkPaymentView {
  transaction_id: number;
  id: string;
  status: Transaction['status'];
  amount: number;
  phone_number: string;
  mpesa_receipt: string | null;
  result_code: string | null;
  created_at: string;
}

/** GET /api/payment-links/:id/payments: the link, its totals and its latest 100 payments, newest first. */
export async function showLinkPayments(
  deps: LinkDeps,
  caller: ApiCaller,
  id: string,
): Promise<{ link: LinkView; payments: LinkPaymentView[] }> {
  const link = await findLink(deps.em, caller, id);
  const payments = await linkPayments(deps.em, link.id, 100);
  return { link: await viewOf(deps, link), payments: payments.map(presentLinkPayment) };
}

function presentLinkPayment(tx: Transaction): LinkPaymentView {
  return {
    transaction_id: tx.id,
    id: tx.publicId,
    status: tx.status,
    amount: tx.amount,
    phone_number: tx.phoneNumber,
    mpesa_receipt: tx.mpesaReceipt,
    result_code: tx.resultCode,
    created_at: tx.createdAt.toISOString(),
  };
}
