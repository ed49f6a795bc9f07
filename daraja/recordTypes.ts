import type { PulledTransaction } from '../domain/mpesaRecordMatch';

export type { PulledTransaction };

/**
 * Types of Daraja's two "M-Pesa's own record" APIs: Transaction Status and Pull Transactions.
 * Field names on the wire are Daraja's; these are the shapes ImaraPay works with.
 */

/** The initiator (an API operator of the shortcode, made on the M-Pesa org portal) and its SecurityCredential. */
export interface Initiator {
  name: string;
  /** base64(RSA PKCS#1 v1.5(password, M-Pesa's certificate)); see securityCredential(). */
  securityCredential: string;
}

/**
 * Asks M-Pesa about one transaction (`POST /mpesa/transactionstatus/v1/query`). Give the M-Pesa receipt
 * (`transactionId`) when known; else the ConversationID/OriginatorConversationID of the original
 * request (`originalConversationId`). For an STK push M-Pesa knows neither until it has a receipt, so
 * without a receipt Pull Transactions is the way to find a payment.
 */
export interface TransactionStatusRequest {
  initiator: Initiator;
  transactionId: string | null;
  originalConversationId?: string | null;
  /** The shortcode the transaction went to (till or paybill). */
  partyA: string;
  /** Daraja IdentifierType of partyA: "4" organisation shortcode (paybill), "2" till number. */
  identifierType: '2' | '4';
  resultUrl: string;
  queueTimeOutUrl: string;
  /** At most 100 characters; Daraja requires it. */
  remarks: string;
  occasion?: string;
}

/** Daraja's synchronous acknowledgement of an asynchronous request: the outcome comes to ResultURL later. */
export interface AsyncAccepted {
  conversationId: string;
  originatorConversationId: string;
  responseDescription: string;
}

/** Registers a shortcode for Pull Transactions (`POST /pulltransactions/v1/register`), once per shortcode. */
export interface PullRegisterRequest {
  shortcode: string;
  /** The Safaricom number M-Pesa sends the registration's notices to (2547XXXXXXXX). */
  nominatedNumber: string;
  callbackUrl: string;
}

export interface PullRegistered {
  /** Daraja's ResponseStatus / ResponseCode, as sent. */
  responseCode: string;
  responseDescription: string;
}

/** One page of credits to a shortcode (`POST /pulltransactions/v1/query`). M-Pesa keeps 48 hours. */
export interface PullQueryRequest {
  shortcode: string;
  startDate: Date;
  endDate: Date;
  /** Rows already read (Daraja's OffSetValue); 0 for the first page. */
  offset: number;
}

export interface PullPage {
  responseCode: string;
  responseMessage: string;
  transactions: PulledTransaction[];
  /** Rows of the answer that could not be read (no receipt, unreadable amount): kept out of `transactions`. */
  unreadable: number;
}

/** The Daraja calls that read M-Pesa's own record. */
export interface MpesaRecordClient {
  transactionStatus(request: TransactionStatusRequest): Promise<AsyncAccepted>;
  registerPull(request: PullRegisterRequest): Promise<PullRegistered>;
  pullTransactions(request: PullQueryRequest): Promise<PullPage>;
}
