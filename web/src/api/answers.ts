import type { paths } from './schema';

/**
 * Names for the API's answers the dashboard passes around. Each is read off the generated
 * schema.d.ts (the API's own OpenAPI document, its response schemas included: `npm run
 * web:api-types`), so nothing here restates a field: a change to an answer reaches the dashboard
 * as a type error.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON body of `method path`'s `status` answer (200 unless given). */
export type Answer<P extends keyof paths, M extends Method, S extends number = 200> =
  NonNullable<paths[P][M]> extends { responses: infer R }
    ? S extends keyof R
      ? R[S] extends { content: { 'application/json': infer B } }
        ? B
        : never
      : never
    : never;

export type Me = Answer<'/api/me', 'get'>;
export type Transaction = Answer<'/api/transactions', 'get'>[number];
export type PaymentStatus = Transaction['status'];
export type AdminTransaction = Answer<'/api/admin/transactions', 'get'>[number];
export type TransactionTimeline = Answer<'/api/transactions/{id}/timeline', 'get'>;
export type PaymentStatusAnswer = Answer<'/api/transaction/status/{reference}', 'get'>;
export type Channel = Answer<'/api/accounts', 'get'>[number];
export type Customer = Answer<'/api/customers', 'get'>[number];
export type ApiKey = Answer<'/api/api-keys', 'get'>[number];
export type KycState = Answer<'/api/kyc', 'get'>;
export type KycStatus = KycState['kyc_status'];
export type AdminUser = Answer<'/api/admin/users', 'get'>[number];
export type AdminKycSubmission = Answer<'/api/admin/kyc', 'get'>[number];
export type AdminOverview = Answer<'/api/admin/overview', 'get'>;
export type MinuteOfPayments = Answer<'/api/admin/overview/payments-per-minute', 'get'>[number];
export type LedgerEntry = Answer<'/api/wallet/ledger', 'get'>[number];
export type WebhookDelivery = Answer<'/api/webhooks/deliveries', 'get'>[number];
export type AuditEvent = Answer<'/api/audit', 'get'>[number];
export type StatementReport = Answer<'/api/reconciliation/statements', 'get'>[number];
export type StatementReportDetail = Answer<'/api/reconciliation/statements/{id}', 'get'>;
export type StatementLine = StatementReportDetail['lines'][number];
export type PaymentLink = Answer<'/api/payment-links', 'get'>[number];
export type CheckoutLink = Answer<'/api/pay/{token}', 'get'>;
export type CheckoutStarted = Answer<'/api/pay/{token}/payments', 'post', 201>;
export type CheckoutPayment = Answer<'/api/pay/{token}/payments/{paymentToken}', 'get'>;
export type ReviewPayment = Answer<'/api/admin/payments/review', 'get'>[number];
export type ReviewPaymentDetail = Answer<'/api/admin/payments/review/{id}', 'get'>;
export type ReviewProposal = ReviewPayment['proposals'][number];
export type ReversalAnswer = Answer<'/api/transactions/{id}/reversal', 'post', 202>;
export type Reversal = ReversalAnswer['reversal'];
export type ReversalStatus = Reversal['status'];
export type ReversalWithEvidence = Answer<'/api/transactions/{id}/reversal', 'get'>;
export type AdminReversal = Answer<'/api/admin/reversals', 'get'>[number];
export type ReversalEvidence = AdminReversal['evidence'][number];
export type ChannelInitiator = Answer<'/api/accounts/{id}/initiator', 'get'>;
