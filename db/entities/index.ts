export * from './merchant';
export * from './channel';
export * from './wallet';
export * from './pricing';
export * from './transaction';
export * from './callback';
export * from './webhook';
export * from './user';
export * from './customer';
export * from './kyc';
export * from './rateLimit';
export * from './stkQuery';
export * from './reconciliationRun';
export * from './auditEvent';
export * from './mpesaRecord';
export * from './statementReport';
export * from './paymentLink';
export * from './reviewProposal';
export * from './reversal';

import { MerchantSchema, ApiKeySchema } from './merchant';
import { ChannelSchema } from './channel';
import { WalletSchema, LedgerEntrySchema } from './wallet';
import { PricingTierSchema } from './pricing';
import { TransactionSchema } from './transaction';
import { DarajaCallbackSchema } from './callback';
import { WebhookDeliverySchema, WebhookAttemptSchema } from './webhook';
import { UserSchema, SessionSchema, RecoveryCodeSchema } from './user';
import { CustomerSchema } from './customer';
import { KycSubmissionSchema, KycDocumentSchema } from './kyc';
import { RateLimitCounterSchema } from './rateLimit';
import { StkStatusQuerySchema } from './stkQuery';
import { ReconciliationRunSchema } from './reconciliationRun';
import { AuditEventSchema, AuditChainHeadSchema } from './auditEvent';
import { ChannelInitiatorSchema, MpesaRecordRequestSchema, MpesaRecordSchema } from './mpesaRecord';
import { StatementReportSchema, StatementReportLineSchema } from './statementReport';
import { PaymentLinkSchema } from './paymentLink';
import { ReviewProposalSchema } from './reviewProposal';
import { ReversalSchema, ReversalResultSchema } from './reversal';

export const ALL_ENTITIES = [
  MerchantSchema,
  ApiKeySchema,
  ChannelSchema,
  WalletSchema,
  LedgerEntrySchema,
  PricingTierSchema,
  TransactionSchema,
  DarajaCallbackSchema,
  WebhookDeliverySchema,
  WebhookAttemptSchema,
  UserSchema,
  SessionSchema,
  RecoveryCodeSchema,
  CustomerSchema,
  KycSubmissionSchema,
  KycDocumentSchema,
  RateLimitCounterSchema,
  StkStatusQuerySchema,
  ReconciliationRunSchema,
  AuditEventSchema,
  AuditChainHeadSchema,
  ChannelInitiatorSchema,
  MpesaRecordRequestSchema,
  MpesaRecordSchema,
  StatementReportSchema,
  PaymentLinkSchema,
  StatementReportLineSchema,
  ReviewProposalSchema,
  ReversalSchema,
  ReversalResultSchema,
];
