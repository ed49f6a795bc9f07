import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that let ops find a payment in the Temporal UI.
 * Every one must be registered where the server starts (see scripts/temporal/devServer.ts
 * and docker-compose.yml); upserting an unregistered attribute fails the workflow task.
 */
export const MERCHANT_ID = defineSearchAttributeKey('ImaraMerchantId', SearchAttributeType.KEYWORD);
export const TRANSACTION_ID = defineSearchAttributeKey('ImaraTransactionId', SearchAttributeType.KEYWORD);
export const CHECKOUT_REQUEST_ID = defineSearchAttributeKey('ImaraCheckoutRequestId', SearchAttributeType.KEYWORD);
export const PAYMENT_STATUS = defineSearchAttributeKey('ImaraPaymentStatus', SearchAttributeType.KEYWORD);
export const EXTERNAL_REFERENCE = defineSearchAttributeKey('ImaraExternalReference', SearchAttributeType.KEYWORD);
export const ENVIRONMENT = defineSearchAttributeKey('ImaraEnvironment', SearchAttributeType.KEYWORD);
/** `conflict` once M-Pesa sent evidence that disagrees with what the payment recorded (payments.evidence_conflicts). */
export const EVIDENCE = defineSearchAttributeKey('ImaraEvidence', SearchAttributeType.KEYWORD);

/** `Name=Type` pairs, the form `temporal server start-dev --search-attribute` and `temporal operator` take. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: readonly string[] = [
  MERCHANT_ID,
  TRANSACTION_ID,
  CHECKOUT_REQUEST_ID,
  PAYMENT_STATUS,
  EXTERNAL_REFERENCE,
  ENVIRONMENT,
  EVIDENCE,
].map((key) => `${key.name}=Keyword`);
