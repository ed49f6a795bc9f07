import type { AxiosInstance } from 'axios';
import { nairobiTimestamp } from '../daraja/timestamp';

/** One item of CallbackMetadata; Balance comes with no Value, as Daraja sends it. */
export interface CallbackItem {
  Name: string;
  Value?: string | number;
}

/** The body Daraja POSTs to the CallBackURL. */
export interface StkCallbackBody {
  Body: {
    stkCallback: {
      MerchantRequestID: string;
      CheckoutRequestID: string;
      ResultCode: number | string;
      ResultDesc: string;
      CallbackMetadata?: { Item: CallbackItem[] };
    };
  };
}

export interface CallbackFacts {
  merchantRequestId: string;
  checkoutRequestId: string;
  resultCode: string;
  resultDesc: string;
  amount: number;
  receipt: string | null;
  phoneNumber: string;
  /** When the customer answered; becomes TransactionDate in Nairobi time. */
  answeredAt: Date;
}

/** Result codes go out as numbers where they are numeric, as strings otherwise ("SFC_IC0003"), like Daraja. */
const wireResultCode = (code: string): number | string => (/^\d+$/.test(code) ? Number(code) : code);

/** Builds the callback Daraja would send: metadata only on success, failures without CallbackMetadata. */
export function buildCallbackBody(facts: CallbackFacts): StkCallbackBody {
  const stkCallback: StkCallbackBody['Body']['stkCallback'] = {
    MerchantRequestID: facts.merchantRequestId,
    CheckoutRequestID: facts.checkoutRequestId,
    ResultCode: wireResultCode(facts.resultCode),
    ResultDesc: facts.resultDesc,
  };
  if (facts.resultCode === '0') {
    stkCallback.CallbackMetadata = {
      Item: [
        { Name: 'Amount', Value: facts.amount },
        { Name: 'MpesaReceiptNumber', Value: facts.receipt ?? '' },
        { Name: 'Balance' },
        { Name: 'TransactionDate', Value: Number(nairobiTimestamp(facts.answeredAt)) },
        { Name: 'PhoneNumber', Value: Number(facts.phoneNumber) },
      ],
    };
  }
  return { Body: { stkCallback } };
}

/** What happened to one delivery attempt; recorded on the push for the control API. */
export interface CallbackDelivery {
  at: string;
  /** The receiver's HTTP status; null when nothing answered. */
  status: number | null;
  error: string | null;
}

/** POSTs one callback. Never throws: a broken receiver is the merchant's problem, not the simulator's. */
export async function deliverCallback(
  http: AxiosInstance,
  url: string,
  body: StkCallbackBody,
  timeoutMs: number,
  at: Date,
): Promise<CallbackDelivery> {
  try {
    const response = await http.post(url, body, {
      timeout: timeoutMs,
      headers: { 'Content-Type': 'application/json' },
      // Any answer counts as delivered (and is recorded); Daraja does not read the receiver's reply.
      validateStatus: () => true,
    });
    return { at: at.toISOString(), status: response.status, error: null };
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const message = error instanceof Error ? error.message : String(error);
    return { at: at.toISOString(), status: null, error: code ? `${code}: ${message}` : message };
  }
}
