import { z } from 'zod';
import type { PaymentStatus, ChannelType } from '../../domain/payment';
import type { AuditActorType } from '../../domain/audit';
import type { WebhookAttemptStatus } from '../../domain/webhookRetry';
import type { StatementLineClass, StatementSource, MatchedBy } from '../../domain/statementMatch';
import type { Environment, KycStatus } from '../../db/entities/merchant';
import type { UserRole } from '../../db/entities/user';
import type { TransactionPurpose } from '../../db/entities/transaction';
import type { LedgerKind } from '../../db/entities/wallet';
import type { WebhookDeliveryStatus, WebhookEvent } from '../../db/entities/webhook';
import type { KycContentType, KycDocumentKind, KycIdType, KycSubmissionStatus } from '../../db/entities/kyc';
import type { FindingKind } from '../../db/entities/reconciliationRun';
import type { CallbackDisposition } from '../../db/entities/callback';
import type { ReversalStatus } from '../../domain/reversal';

/**
 * The pieces response schemas share: money, timestamps, the status enums and the objects several
 * endpoints answer (a transaction, a wallet ledger entry, a KYC submission). Route modules declare
 * each success response's schema from these, beside its request schema; the OpenAPI document,
 * the dashboard's generated types and the API's own response check (api/responseCheck.ts) all read
 * the same object.
 */

/**
 * A zod enum of exactly the members of the string union `T`: a member added to `T` and missing
 * here (or one here that `T` lacks) fails to compile, so an answer's enum cannot fall behind.
 */
export function enumOf<T extends string>() {
  return <const V extends readonly [T, ...T[]]>(values: V & ([T] extends [V[number]] ? unknown : never)) =>
    z.enum(values as V);
}

/** Whole Kenyan shillings (KES): ImaraPay has no smaller unit. */
export const kes = z.number().int().describe('Whole KES');
/** A count of rows, attempts or codes. */
export const count = z.number().int().nonnegative();
/** A serial id. */
export const id = z.number().int().positive();
/** An instant, ISO 8601 in UTC with milliseconds (`2024-06-15T12:34:56.000Z`). */
export const timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp (UTC)');
/** A calendar day in Nairobi, YYYY-MM-DD. */
export const day = z.iso.date().describe('A day, YYYY-MM-DD (Nairobi)');

export const paymentStatus = enumOf<PaymentStatus>()(['pending', 'completed', 'failed', 'needs_review']).describe(
  '`needs_review`: M-Pesa reported the payment and ImaraPay is verifying it (neither completed nor failed yet)',
);
export const environment = enumOf<Environment>()(['sandbox', 'production']);
export const kycStatus = enumOf<KycStatus>()(['unverified', 'pending', 'verified', 'rejected']);
export const userRole = enumOf<UserRole>()(['merchant', 'admin']);
export const transactionType = enumOf<TransactionPurpose>()(['payment', 'wallet_top_up']);
export const channelType = enumOf<ChannelType>()(['till', 'paybill', 'bank']);
export const ledgerKind = enumOf<LedgerKind>()([
  'top_up',
  'adjustment',
  'fee_reserve',
  'fee_capture',
  'fee_release',
  'late_fee_capture',
]);
export const webhookEvent = enumOf<WebhookEvent>()([
  'payment.completed',
  'payment.failed',
  'payment.review_started',
  'reversal.succeeded',
  'reversal.failed',
]);
export const reversalStatus = enumOf<ReversalStatus>()(['requested', 'reversed', 'failed', 'in_doubt']).describe(
  '`requested`: on its way; `failed`: nothing moved; `in_doubt`: no word from M-Pesa within the window (a late result still settles it)',
);
export const webhookDeliveryStatus = enumOf<WebhookDeliveryStatus>()(['pending', 'delivered', 'failed', 'superseded']);
export const webhookAttemptStatus = enumOf<WebhookAttemptStatus>()([
  'sending',
  'accepted',
  'rejected',
  'failed',
  'unknown',
]);
export const auditActorType = enumOf<AuditActorType>()(['admin', 'merchant', 'api_key', 'system', 'anonymous']);
export const statementLineClass = enumOf<StatementLineClass>()([
  'matched',
  'mpesa_only',
  'imarapay_only',
  'amount_differs',
]);
export const statementSource = enumOf<StatementSource>()(['statement', 'pull_transactions']);
export const matchedBy = enumOf<MatchedBy>()(['receipt', 'amount_reference_time']);
export const findingKind = enumOf<FindingKind>()([
  'callback_redriven',
  'orphan_started',
  'orphan_ended',
  'payment_overdue',
  'webhook_given_up',
  'wallet_ledger_mismatch',
  'mpesa_record_found',
  'mpesa_record_disagrees',
  'mpesa_record_unreachable',
  'statement_credit_for_failed_payment',
  'statement_mpesa_only',
  'statement_imarapay_only',
  'statement_amount_differs',
  'reversal_orphan_started',
]);
export const callbackDisposition = enumOf<CallbackDisposition>()([
  'received',
  'signalled',
  'unmatched',
  'malformed',
  'mismatched',
  'late',
  'signal_failed',
]);

/** A transaction as GET /api/transactions lists it (api/useCases/listTransactions.ts). */
export const transactionSchema = z.object({
  id,
  type: transactionType,
  phone_number: z.string(),
  amount: kes,
  fee_charged: kes.describe('The fee kept: the fee of a completed payment, else 0'),
  status: paymentStatus,
  mpesa_receipt: z.string().nullable(),
  external_reference: z.string().nullable(),
  description: z.string(),
  checkout_request_id: z.string().nullable(),
  result_code: z.string().nullable(),
  result_desc: z.string().nullable(),
  mpesa_amount: kes.nullable().describe("The Amount of M-Pesa's callback, as it said it"),
  mpesa_phone_number: z.string().nullable(),
  mpesa_transaction_date: z.string().nullable().describe('YYYYMMDDHHmmss, Nairobi time, as M-Pesa sent it'),
  review_reason: z.string().nullable(),
  account_id: id.nullable(),
  account_name: z.string().nullable(),
  channel: z.string().nullable(),
  customer_id: z.string().nullable(),
  link_id: z
    .string()
    .nullable()
    .describe('The payment link (`plink_…`) the payment came from; null for every other payment'),
  created_at: timestamp,
  completed_at: timestamp.nullable(),
  reversal_status: reversalStatus.nullable().describe("The payment's reversal; null when none was asked for"),
});

/** One wallet ledger entry (api/useCases/wallet.ts). */
export const ledgerEntrySchema = z.object({
  id,
  kind: ledgerKind,
  amount: kes.describe('Signed: a debit is negative'),
  balance_after: kes,
  transaction_id: id.nullable(),
  reference: z.string().nullable(),
  created_at: timestamp,
});

/** A service wallet's balance. */
export const walletSchema = z.object({ balance: kes, currency: z.literal('KES') });

/** A KYC submission as the merchant and the admin see it (api/useCases/kycViews.ts): documents' metadata, never their bytes. */
export const kycSubmissionSchema = z.object({
  id,
  status: enumOf<KycSubmissionStatus>()(['pending', 'approved', 'rejected']),
  full_name: z.string(),
  id_type: enumOf<KycIdType>()(['national_id', 'passport', 'alien_id']),
  id_number: z.string(),
  business_name: z.string(),
  business_registration_number: z.string().nullable(),
  kra_pin: z.string().nullable(),
  phone_number: z.string(),
  created_at: timestamp,
  reviewed_at: timestamp.nullable(),
  rejection_reason: z.string().nullable(),
  documents: z.array(
    z.object({
      id,
      kind: enumOf<KycDocumentKind>()(['id_front', 'id_back', 'business_certificate', 'kra_pin_certificate']),
      content_type: enumOf<KycContentType>()(['image/jpeg', 'image/png', 'application/pdf']),
      size: count.describe('Bytes'),
      sha256: z.string(),
      created_at: timestamp,
    }),
  ),
});

/** `{ ResultCode: 0, ResultDesc: 'Accept' }`: what Daraja expects back from a callback URL. */
export const darajaAcceptSchema = z.object({ ResultCode: z.literal(0), ResultDesc: z.literal('Accept') });
