import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A prefixed, unguessable public id (`trxn_…`, `cus_…`): 17 base62 characters, about 101 bits. */
export function newPublicId(prefix: 'trxn' | 'cus', length = 17): string {
  let id = `${prefix}_`;
  for (let i = 0; i < length; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}
