import type { Config } from './config';

/**
 * The CallBackURL handed to Daraja for one payment. Daraja does not sign callbacks, so the
 * secret path token is what proves a callback came through the URL we gave out; the payment id
 * lets a callback be matched even when the push's answer (and its CheckoutRequestID) was lost.
 */
export function darajaCallbackUrl(config: Pick<Config, 'PUBLIC_BASE_URL' | 'DARAJA_CALLBACK_TOKEN'>, transactionId: number): string {
  return `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/hooks/daraja/${config.DARAJA_CALLBACK_TOKEN}/${transactionId}`;
}
