import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, validationError } from '../../domain/errors';
import { MPESA_MAX_AMOUNT, MPESA_MIN_AMOUNT } from '../../domain/money';
import { ACCOUNT_REFERENCE, cleanMpesaText } from '../../domain/mpesaText';
import { normalizeMsisdn } from '../../domain/phone';
import type { Merchant, Transaction } from '../../db/entities';
import { adjustWallet, ensureWallet } from '../../db/ledger';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import type { AuditActor } from '../../domain/audit';
import { merchantById } from '../../db/merchants';
import { parseTransactionId as parseSerialId } from '../../domain/ids';
import { ledgerPage, walletBalance, type LedgerRow } from '../../db/ledgerQuery';
import type { ApiCaller } from '../auth';
import { hashRequest, startPayment, type PaymentStartDeps } from '../../payments/paymentStart';
import type { PushOutcome } from '../../workflows/definitions';
import { guardPayment } from './paymentGuard';
import { decodeIdCursor, encodeIdCursor, limitParam, textParam } from './listParams';

/** The merchant a staff path names by id (`/api/admin/merchants/:id/…`); `not_found` when there is none. */
export async function merchantNamed(em: EntityManager, idText: string | undefined): Promise<Merchant> {
  const id = parseSerialId(idText);
  const merchant = id === null ? null : await merchantById(em, id);
  if (!merchant) throw new AppError('not_found', `Merchant ${idText} does not exist`);
  return merchant;
}

/** GET /api/wallet. */
export async function walletView(em: EntityManager, merchantId: number): Promise<{ balance: number; currency: 'KES' }> {
  return { balance: await walletBalance(em, merchantId), currency: 'KES' };
}

/** One ledger entry as the API shows it. */
export interface LedgerEntryView {
  id: number;
  kind: LedgerRow['kind'];
  amount: number;
  balance_after: number;
  transaction_id: number | null;
  reference: string | null;
  created_at: string;
}

export const ledgerQuerySchema = z.object({
  limit: limitParam(100, 1000),
  cursor: textParam('cursor', 200).optional(),
});

/**
 * GET /api/wallet/ledger: the wallet's movements, newest first, `limit` at a time, continuing at
 * `cursor` (the previous page's X-Next-Cursor). Throws `validation_failed` for a cursor this API did not issue.
 */
export async function walletLedger(
  em: EntityManager,
  merchantId: number,
  params: { limit: number; cursor?: string },
): Promise<{ entries: LedgerEntryView[]; nextCursor: string | null }> {
  const beforeId = params.cursor === undefined ? undefined : decodeIdCursor(params.cursor);
  if (beforeId === null) {
    throw validationError(
      'cursor is not one this API issued: send the X-Next-Cursor header of the previous page unchanged',
      'cursor',
    );
  }
  const { entries, nextBeforeId } = await ledgerPage(em, { merchantId, beforeId, limit: params.limit });
  return {
    entries: entries.map((e) => ({
      id: e.id,
      kind: e.kind,
      amount: e.amount,
      balance_after: e.balanceAfter,
      transaction_id: e.transactionId,
      reference: e.reference,
      created_at: e.createdAt.toISOString(),
    })),
    nextCursor: nextBeforeId === null ? null : encodeIdCursor(nextBeforeId),
  };
}

export const topUpSchema = z.object({
  amount: z
    .number({ error: 'amount must be a whole number of KES' })
    .int('amount must be a whole number of KES (no decimals)')
    .min(MPESA_MIN_AMOUNT, `amount must be at least KES ${MPESA_MIN_AMOUNT}`)
    .max(
      MPESA_MAX_AMOUNT,
      `amount must be at most KES ${MPESA_MAX_AMOUNT.toLocaleString('en-US')} (M-Pesa's per-transaction limit)`,
    ),
  phone_number: z.string({ error: 'phone_number must be a string such as 0712345678' }),
});

export interface TopUpDeps extends PaymentStartDeps {
  /** ImaraPay's own paybill (PLATFORM_PAYBILL): top-ups pay ImaraPay, not a merchant channel. */
  platformPaybill: string;
  /** Whether production Daraja credentials are configured. */
  liveEnabled: boolean;
  /** In a production deployment, only real (production) M-Pesa money may fill a wallet. */
  productionDeployment: boolean;
}

/** AccountReference of a top-up: tells ImaraPay's paybill statement whose wallet the money is for. */
export const topUpReference = (merchantId: number) => `TOPUP${merchantId}`;

/** A parsed top-up request. */
export interface TopUpRequest {
  /** Whole KES. */
  amount: number;
  /** The phone that pays, as sent (0712…, +254712…, 254712…). */
  phone_number: string;
}

/**
 * POST /api/wallet/top-ups: an STK push of `amount` to ImaraPay's paybill from the merchant's own
 * phone. It runs as a payment workflow like any other (fee 0); when it completes, the settlement
 * credits the wallet exactly once. Answers the recorded top-up and its push outcome, like an STK push.
 * Throws `forbidden` when the environment may not fill a wallet, and the payment guard's errors.
 */
export async function startWalletTopUp(
  deps: TopUpDeps,
  { caller, request, idempotencyKey }: { caller: ApiCaller; request: TopUpRequest; idempotencyKey: string | null },
): Promise<{ transaction: Transaction; outcome: PushOutcome }> {
  const phoneNumber = normalizeMsisdn(request.phone_number);
  const { merchant, environment } = caller;
  // Sandbox pushes are simulated: on a production deployment they must never become spendable balance.
  if (deps.productionDeployment && environment !== 'production') {
    throw new AppError(
      'forbidden',
      'Top-ups are real M-Pesa payments: use a production API key, or the dashboard in production mode',
    );
  }
  // The money goes to ImaraPay's own paybill, into the merchant's own wallet: no channel, no fee, no KYC.
  await guardPayment(deps, { caller, amount: request.amount, kycAction: null, channel: null });
  const reference = cleanMpesaText('account_reference', ACCOUNT_REFERENCE, topUpReference(merchant.id));
  if (!reference.ok) throw new AppError('internal', `The top-up reference breaks M-Pesa's rule: ${reference.message}`);
  const accountReference = reference.value;
  // A zero fee is still reserved and captured by the workflow, which needs the wallet row to exist.
  await ensureWallet(deps.em, merchant.id);

  return startPayment(deps, {
    merchant: merchant.id,
    purpose: 'wallet_top_up',
    channel: null,
    partyB: deps.platformPaybill,
    customer: null,
    apiKey: caller.apiKey?.id ?? null,
    environment,
    phoneNumber,
    amount: request.amount,
    fee: 0,
    externalReference: null,
    description: 'Wallet top-up',
    accountReference,
    idempotencyKey,
    requestHash: hashRequest({ purpose: 'wallet_top_up', amount: request.amount, phone_number: phoneNumber }),
  });
}

export const adjustmentSchema = z.object({
  amount: z
    .number({ error: 'amount must be a whole number of KES: positive to credit, negative to debit' })
    .int('amount must be a whole number of KES (no decimals)')
    .refine((n) => n !== 0, 'amount cannot be 0: positive credits the wallet, negative debits it')
    .refine((n) => Math.abs(n) <= 10_000_000, 'amount must be at most KES 10,000,000 either way'),
  reason: z
    .string({ error: 'reason is required: say why the wallet is adjusted' })
    .trim()
    .min(3, 'reason must say why the wallet is adjusted')
    .max(500, 'reason must be at most 500 characters'),
});

/** An admin's wallet adjustment, as the use case takes it. */
export interface AdjustmentRequest {
  merchant: Merchant;
  adminId: number;
  /** Whole KES: positive credits, negative debits. */
  amount: number;
  reason: string;
  /** Who adjusts and from where, for the audit log. */
  actor: AuditActor;
  /** WALLET_ADJUSTMENT_LIMIT_KES: the most one adjustment may move either way. */
  limitKes: number;
}

/**
 * POST /api/admin/merchants/:id/wallet/adjustments: an admin credits (amount > 0) or debits
 * (amount < 0) a wallet by whole KES, with a reason. Throws `validation_failed` when a debit would
 * take the balance below zero, or when |amount| is above the per-adjustment limit. The ledger entry
 * and its audit event (`wallet.adjusted`, with the reason and the balance before and after) commit
 * together.
 */
export async function adjustMerchantWallet(
  em: EntityManager,
  { merchant, adminId, amount, reason, actor, limitKes }: AdjustmentRequest,
): Promise<LedgerEntryView & { balance: number }> {
  if (Math.abs(amount) > limitKes) {
    throw new AppError(
      'validation_failed',
      `amount must be at most KES ${limitKes.toLocaleString('en-US')} either way: one adjustment moves at most that (WALLET_ADJUSTMENT_LIMIT_KES)`,
      { field: 'amount', limit: limitKes },
    );
  }
  const reference = `Admin ${adminId}: ${reason}`;
  const result = await withAudit(em, async (tx) => {
    const adjusted = await adjustWallet(tx, { merchantId: merchant.id, amount, reference });
    if (adjusted) {
      await appendAuditEvent(tx, {
        ...actor,
        merchantId: merchant.id,
        action: 'wallet.adjusted',
        subjectType: 'wallet',
        subjectId: String(merchant.id),
        details: {
          amount,
          reason,
          ledger_entry_id: adjusted.entryId,
          balance: { before: adjusted.balance - amount, after: adjusted.balance },
        },
      });
    }
    return adjusted;
  });
  if (!result) {
    const balance = await walletBalance(em, merchant.id);
    throw new AppError(
      'validation_failed',
      `A debit of KES ${-amount} would take the wallet below zero: it holds KES ${balance}`,
      { field: 'amount', balance },
    );
  }
  return {
    id: result.entryId,
    kind: 'adjustment',
    amount,
    balance_after: result.balance,
    transaction_id: null,
    reference,
    created_at: result.createdAt.toISOString(),
    balance: result.balance,
  };
}
