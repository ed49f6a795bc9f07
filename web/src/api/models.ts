/**
 * The shapes of API answers the dashboard reads. The OpenAPI document types every path, parameter
 * and request body (schema.d.ts); most answers are documented by example only, so their fields
 * are named here, as docs/api/*.md describes them.
 */
export type KycStatus = 'unverified' | 'pending' | 'verified' | 'rejected';
/** `needs_review`: M-Pesa reported a payment and ImaraPay is verifying it (neither completed nor failed yet). */
export type PaymentStatus = 'pending' | 'completed' | 'failed' | 'needs_review';

export interface Me {
  user: { id: number; email: string; role: 'merchant' | 'admin' };
  merchant: { id: number; name: string; kyc_status: KycStatus } | null;
  expires_at: string;
  /** Admins only: where the Temporal Web UI lists payment workflows (`<workflows_url>/payment-<id>`). */
  temporal_ui?: { workflows_url: string };
}

export interface Transaction {
  id: number;
  type: 'payment' | 'wallet_top_up';
  phone_number: string;
  amount: number;
  fee_charged: number;
  status: PaymentStatus;
  mpesa_receipt: string | null;
  external_reference: string | null;
  description: string;
  checkout_request_id: string | null;
  result_code: string | null;
  result_desc: string | null;
  account_id: number | null;
  account_name: string | null;
  channel: string | null;
  customer_id: string | null;
  created_at: string;
  completed_at: string | null;
  /** The payment's reversal; null when none was asked for. */
  reversal_status: ReversalStatus | null;
}

/** requested (on its way), reversed, failed (nothing moved) or in_doubt (no word from M-Pesa yet). */
export type ReversalStatus = 'requested' | 'reversed' | 'failed' | 'in_doubt';

/** One body M-Pesa posted about a reversal, raw. */
export interface ReversalEvidence {
  received_at: string;
  kind: string;
  disposition: string;
  result_code: string | null;
  description: string;
  raw: string;
}

/** A payment's reversal (POST/GET /api/transactions/{id}/reversal). */
export interface Reversal {
  reversal_id: number;
  transaction_id: number;
  status: ReversalStatus;
  state: string;
  amount: number;
  mpesa_receipt: string;
  reversal_receipt: string | null;
  result_code: string | null;
  result_desc: string | null;
  decided_by: string | null;
  fee_charged: number;
  fee_refunded: number;
  fee_rule: string;
  requested_by: string | null;
  requested_at: string;
  completed_at: string | null;
  workflow_id: string;
}

export interface AdminReversal extends Reversal {
  merchant_id: number;
  merchant_name: string;
  environment: 'sandbox' | 'production';
  evidence: ReversalEvidence[];
}

/** A channel's M-Pesa initiator, as far as it is ever shown: never its password. */
export interface ChannelInitiator {
  channel_id: number;
  configured: boolean;
  initiator_name: string | null;
  updated_at: string | null;
}

export interface AdminTransaction extends Transaction {
  merchant_id: number;
  merchant_name: string;
  environment: 'sandbox' | 'production';
}

export interface TimelineEvent {
  at: string;
  kind: string;
  title: string;
  detail: string | null;
}

export interface TransactionTimeline {
  transaction: Transaction & { environment: string; workflow_id: string; decided_by: string | null };
  events: TimelineEvent[];
}

export interface PaymentStatusAnswer {
  status: PaymentStatus;
  amount: number;
  mpesa_receipt: string | null;
  result_desc: string | null;
  result_code: string | null;
  balance: number;
  transaction_id: number;
  checkout_request_id: string | null;
}

export interface PushAnswer {
  success: boolean;
  message: string;
  transaction_id: number;
  checkout_request_id: string | null;
  fee_to_be_charged: number;
}

export interface Channel {
  id: number;
  name: string;
  account_type: 'till' | 'paybill' | 'bank';
  account_number: string;
  account_reference: string;
  bank_name: string | null;
  is_active: boolean;
  created_at: string;
}

export interface Bank {
  name: string;
  paybill: string;
}

export interface PricingTier {
  min: number;
  max: number;
  fee: number;
}

export interface Wallet {
  balance: number;
  currency: 'KES';
}

export interface LedgerEntry {
  id: number;
  kind: string;
  amount: number;
  balance_after: number;
  transaction_id: number | null;
  reference: string | null;
  created_at: string;
}

export interface ApiKey {
  id: number;
  name: string;
  api_username: string;
  account_id: number;
  environment: 'sandbox' | 'production';
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CreatedApiKey extends ApiKey {
  api_password: string;
  authorization: string;
}

export interface KycDocument {
  id: number;
  kind: string;
  content_type: string;
  size: number;
  created_at: string;
}

export interface KycSubmission {
  id: number;
  status: 'pending' | 'approved' | 'rejected';
  full_name: string;
  id_type: string;
  id_number: string;
  business_name: string;
  kra_pin: string | null;
  phone_number: string;
  created_at: string;
  reviewed_at: string | null;
  rejection_reason: string | null;
  documents: KycDocument[];
}

export interface KycState {
  kyc_status: KycStatus;
  submission: KycSubmission | null;
  rejection_reason: string | null;
}

export interface AdminKycSubmission extends KycSubmission {
  merchant: { id: number; name: string; email: string; kyc_status: KycStatus };
}

export interface AdminUser {
  id: number;
  email: string;
  role: 'merchant' | 'admin';
  created_at: string;
  merchant: { id: number; name: string; kyc_status: KycStatus } | null;
}

export interface AdminOverview {
  date: string;
  payments_today: { pending: number; completed: number; failed: number };
  volume_today: number;
  success_rate_today: number | null;
  fees_earned_today: number;
  pending_kyc: number;
  webhook_backlog: number;
}

export interface MinuteOfPayments {
  minute: string;
  completed: number;
  failed: number;
  pending: number;
}

export interface Customer {
  id: string;
  phone_number: string;
  name: string | null;
  email: string | null;
  created_at: string;
  payment_count: number;
  total_paid: number;
}

export interface Settings {
  callback_url: string | null;
}

export interface WebhookDelivery {
  id: number;
  transaction_id: number;
  event: string;
  url: string;
  status: string;
  attempts: number;
  last_attempt_at: string | null;
  delivered_at: string | null;
  created_at: string;
}
