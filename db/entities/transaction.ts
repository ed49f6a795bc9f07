import { EntitySchema } from '@mikro-orm/core';
import type { EvidenceConflict } from '../../domain/evidence';
import type { PaymentStage, PaymentStatus } from '../../domain/payment';
import type { ReversalStatus } from '../../domain/reversal';
import type { Environment } from './merchant';

/**
 * Where the STK push call itself stands. `sending` is written before the HTTP call, so a
 * retried activity that finds it knows an earlier attempt may have reached the phone.
 */
/** What a push is for: a merchant's customer paying, or a merchant topping up its service wallet. */
export type TransactionPurpose = 'payment' | 'wallet_top_up';

export type PushState = 'none' | 'sending' | 'accepted' | 'rejected' | 'unconfirmed';

/** One STK push payment. Its id is the public transaction_id. */
export interface Transaction {
  id: number;
  /** Public id, `trxn_…` (the Express API's id). */
  publicId: string;
  merchant: number;
  /** The merchant's channel the money goes to; null for wallet top-ups, which pay ImaraPay (see partyB). */
  channel: number | null;
  /** PartyB of a push that has no channel: a wallet top-up's platform paybill. Payments push to their channel's partyB. */
  partyB: string | null;
  apiKey: number | null;
  purpose: TransactionPurpose;
  /** The paying customer (linked by phone number); null for wallet top-ups. */
  customer: number | null;
  /** The payment link this payment was started from (its checkout page); null for every other face. */
  link: number | null;
  /** The unguessable key the link's checkout page reads this one payment's status with; null when not a link payment. */
  checkoutToken: string | null;
  /** Free-form key/value data the merchant attached (Express API). */
  metadata: Record<string, string | number | boolean>;
  environment: Environment;
  phoneNumber: string;
  amount: number;
  fee: number;
  status: PaymentStatus;
  stage: PaymentStage;
  pushState: PushState;
  externalReference: string | null;
  description: string;
  accountReference: string;
  /** Merchant-chosen key that makes a retried request return this payment. */
  idempotencyKey: string | null;
  /** Hash of the request body the idempotency key was first used with. */
  requestHash: string | null;
  checkoutRequestId: string | null;
  merchantRequestId: string | null;
  mpesaReceipt: string | null;
  /** M-Pesa's own facts from the callback that decided the payment (null when none said them). */
  mpesaAmount: number | null;
  mpesaPhoneNumber: string | null;
  /** YYYYMMDDHHmmss, Nairobi time, as M-Pesa wrote it. */
  mpesaTransactionDate: string | null;
  /** Why the payment is `needs_review`: what in M-Pesa's evidence is in doubt. */
  reviewReason: string | null;
  /** Evidence that arrived after the first and disagrees with it; the first is what the payment keeps. */
  evidenceConflicts: EvidenceConflict[];
  resultCode: string | null;
  resultDesc: string | null;
  /** What decided the final status: callback, query, no_answer, push_rejected. */
  decidedBy: string | null;
  workflowId: string;
  /** Where the payment's reversal stands (domain/reversal.ts); null when none was asked for. */
  reversalStatus: ReversalStatus | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export const TransactionSchema = new EntitySchema<Transaction>({
  name: 'Transaction',
  tableName: 'transactions',
  indexes: [
    { properties: ['merchant', 'createdAt'] },
    { properties: ['merchant', 'status'] },
    // Transaction lists: newest first (created_at desc, id desc) per merchant and environment, and across merchants for admins.
    { properties: ['merchant', 'environment', 'createdAt', 'id'] },
    { properties: ['createdAt', 'id'] },
    // Search by phone number, external reference or M-Pesa receipt.
    { properties: ['merchant', 'phoneNumber'] },
    { properties: ['merchant', 'externalReference'] },
    { properties: ['mpesaReceipt'] },
    // A link's payments and totals; a phone's open link prompts.
    { properties: ['link', 'status'] },
    { properties: ['phoneNumber', 'status'] },
  ],
  // Keys are per environment: a sandbox key's retry must never answer with a live payment.
  uniques: [
    {
      name: 'transactions_merchant_environment_idempotency_key_unique',
      properties: ['merchant', 'environment', 'idempotencyKey'],
    },
  ],
  checks: [
    { name: 'transactions_amount_positive', expression: 'amount > 0' },
    { name: 'transactions_fee_not_negative', expression: 'fee >= 0' },
    // Every push has somewhere to go: a merchant channel, or (top-ups) the platform paybill.
    { name: 'transactions_push_target', expression: 'channel_id is not null or party_b is not null' },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    publicId: { type: 'string', length: 40, unique: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true },
    channel: { kind: 'm:1', entity: 'Channel', mapToPk: true, nullable: true, index: true },
    partyB: { type: 'string', length: 20, nullable: true },
    apiKey: { kind: 'm:1', entity: 'ApiKey', mapToPk: true, nullable: true },
    purpose: { type: 'string', length: 20, default: 'payment' },
    customer: { kind: 'm:1', entity: 'Customer', mapToPk: true, nullable: true, index: true },
    link: { kind: 'm:1', entity: 'PaymentLink', mapToPk: true, nullable: true },
    checkoutToken: { type: 'string', length: 64, nullable: true, unique: true },
    metadata: { type: 'json', default: '{}' },
    environment: { type: 'string', length: 20, default: 'sandbox' },
    phoneNumber: { type: 'string', length: 12 },
    amount: { type: 'integer' },
    fee: { type: 'integer' },
    status: { type: 'string', length: 20, default: 'pending' },
    stage: { type: 'string', length: 20, default: 'created' },
    pushState: { type: 'string', length: 12, default: 'none' },
    externalReference: { type: 'string', length: 100, nullable: true },
    description: { type: 'string', length: 13 },
    accountReference: { type: 'string', length: 12 },
    idempotencyKey: { type: 'string', length: 255, nullable: true },
    requestHash: { type: 'string', length: 64, nullable: true },
    checkoutRequestId: { type: 'string', length: 64, nullable: true, unique: true },
    merchantRequestId: { type: 'string', length: 64, nullable: true },
    mpesaReceipt: { type: 'string', length: 20, nullable: true },
    mpesaAmount: { type: 'integer', nullable: true },
    mpesaPhoneNumber: { type: 'string', length: 12, nullable: true },
    mpesaTransactionDate: { type: 'string', length: 14, nullable: true },
    reviewReason: { type: 'text', nullable: true },
    evidenceConflicts: { type: 'json', default: '[]' },
    resultCode: { type: 'string', length: 20, nullable: true },
    resultDesc: { type: 'text', nullable: true },
    decidedBy: { type: 'string', length: 20, nullable: true },
    workflowId: { type: 'string', length: 100, unique: true },
    reversalStatus: { type: 'string', length: 20, nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date(), onUpdate: () => new Date() },
    completedAt: { type: 'datetime', nullable: true },
  },
});
