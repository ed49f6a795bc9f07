import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A prefixed, unguessable public id (`trxn_…`, `cus_…`): 17 base62 characters, about 101 bits. */
export function newPublicId(prefix: 'trxn' | 'cus' | 'plink', length = 17): string {
  let id = `${prefix}_`;
  for (let i = 0; i < length; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/**
 * A secret token for a URL that grants something to whoever holds it (a payment link's checkout
 * page, one payment's status on it): 32 base62 characters, about 190 bits, so it cannot be guessed
 * or enumerated.
 */
export function newSecretToken(length = 32): string {
  let token = '';
  for (let i = 0; i < length; i++) token += ALPHABET[randomInt(ALPHABET.length)];
  return token;
}
