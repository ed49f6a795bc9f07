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

/** Where M-Pesa posts answers about its own record: Transaction Status results, their queue timeouts, Pull registrations. */
export type MpesaResultKind = 'status' | 'timeout' | 'pull';

/** The path token of the result URLs: one HMAC under DARAJA_CALLBACK_TOKEN, apart from every payment's. */
export function resultToken(secret: string): string {
  return createHmac('sha256', secret).update('daraja-results').digest('hex').slice(0, 32);
}

export function isValidResultToken(secret: string, token: string): boolean {
  const expected = Buffer.from(resultToken(secret));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The ResultURL / QueueTimeOutURL / Pull CallBackURL handed to Daraja. Safaricom advises against words
 * like "mpesa" in such URLs (DARAJA.md), hence `daraja-results`.
 */
export function mpesaResultUrl(
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'DARAJA_CALLBACK_TOKEN'>,
  kind: MpesaResultKind,
): string {
  return `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/hooks/daraja-results/${resultToken(config.DARAJA_CALLBACK_TOKEN)}/${kind}`;
}

/** Where M-Pesa posts about one reversal: its result, its queue timeout, and Transaction Status answers about it. */
export type ReversalResultKind = 'result' | 'timeout' | 'status' | 'status_timeout';

/** The path token of one reversal's URLs: an HMAC of its id under DARAJA_CALLBACK_TOKEN, apart from every payment's. */
export function reversalToken(secret: string, reversalId: number): string {
  return createHmac('sha256', secret).update(`daraja-reversal:${reversalId}`).digest('hex').slice(0, 32);
}

export function isValidReversalToken(secret: string, reversalId: number, token: string): boolean {
  const expected = Buffer.from(reversalToken(secret, reversalId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The ResultURL / QueueTimeOutURL of one reversal (and of Transaction Status questions about it). It
 * carries the reversal's id, so a result is matched even when Daraja's acknowledgement was lost.
 */
export function reversalResultUrl(
  config: Pick<Config, 'PUBLIC_BASE_URL' | 'DARAJA_CALLBACK_TOKEN'>,
  reversalId: number,
  kind: ReversalResultKind,
): string {
  return `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/hooks/daraja-reversals/${reversalToken(config.DARAJA_CALLBACK_TOKEN, reversalId)}/${reversalId}/${kind}`;
}
