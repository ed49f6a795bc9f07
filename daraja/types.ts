import type { ChannelType } from '../domain/payment';

/** One set of Daraja app credentials and the shortcode they push from. */
export interface DarajaCredentials {
  baseUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** Lipa Na M-Pesa Online shortcode: the paybill, or the store number for tills. */
  shortcode: string;
  passkey: string;
}

/** The ImaraPay channel a payment is deposited into. */
export interface PushChannel {
  type: ChannelType;
  /** Till number, paybill number, or the bank's paybill for bank channels. */
  partyB: string;
  /** Shown to the customer; the bank account number for bank channels. At most 12 characters. */
  accountReference: string;
}

export interface StkPushRequest {
  channel: PushChannel;
  /** Any accepted format; the client normalises to 2547XXXXXXXX / 2541XXXXXXXX. */
  phoneNumber: string;
  /** Whole KES, 1 to 250,000. */
  amount: number;
  /** At most 13 characters. */
  description: string;
  callbackUrl: string;
}

export interface StkPushAccepted {
  merchantRequestId: string;
  checkoutRequestId: string;
  customerMessage: string;
}

/** What an STK query says: still pending, or a final result code. */
export type StkQueryResult =
  { state: 'pending'; description: string } | { state: 'final'; resultCode: string; resultDesc: string };

/**
 * How a Daraja failure must be handled:
 * - retryable: nothing happened at Safaricom; the same call may be sent again (spike arrest, 5xx before processing, connection refused).
 * - terminal: Safaricom refused the request; sending it again will not help (invalid field, wrong credentials).
 * - indeterminate: the request may have reached the customer's phone (timeout after sending); never push again blindly.
 */
export type DarajaErrorKind = 'retryable' | 'terminal' | 'indeterminate';

export class DarajaError extends Error {
  constructor(
    readonly kind: DarajaErrorKind,
    message: string,
    /** Daraja's errorCode (e.g. "500.003.02") or a transport code (e.g. "ETIMEDOUT"). */
    readonly errorCode: string | null,
    readonly httpStatus: number | null,
  ) {
    super(message);
    this.name = 'DarajaError';
  }
}

export interface DarajaClient {
  stkPush(request: StkPushRequest): Promise<StkPushAccepted>;
  stkQuery(checkoutRequestId: string): Promise<StkQueryResult>;
}
