import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from './config';

/**
 * The path token of one payment's CallBackURL: an HMAC of the payment id under DARAJA_CALLBACK_TOKEN.
 * Daraja does not sign callbacks, so this is what proves a callback came through the URL we gave
 * out, and knowing one payment's URL tells nothing about another's.
 */
export function callbackToken(secret: string, transactionId: number): string {
  return createHmac('sha256', secret).update(`daraja-callback:${transactionId}`).digest('hex').slice(0, 32);
}

export function isValidCallbackToken(secret: string, transactionId: number, token: string): boolean {
  const expected = Buffer.from(callbackToken(secret, transactionId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The CallBackURL handed to Daraja for one payment; it carries the payment id so even a push whose answer was lost can be matched. */
export function darajaCallbackUrl(
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'DARAJA_CALLBACK_TOKEN'>,
  transactionId: number,
): string {
  return `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/hooks/daraja/${callbackToken(config.DARAJA_CALLBACK_TOKEN, transactionId)}/${transactionId}`;
}
