import { randomInt } from 'node:crypto';
import { nairobiTimestamp } from '../daraja/timestamp';

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM_UPPER = LETTERS + DIGITS;
const ALNUM = ALNUM_UPPER + 'abcdefghijklmnopqrstuvwxyz';

const pick = (alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

/** `ws_CO_` + ddMMyyyyHHmmss (Nairobi time) + random digits, the shape Daraja's ids have. */
export function newCheckoutRequestId(at: Date): string {
  const t = nairobiTimestamp(at); // yyyyMMddHHmmss
  const ddmmyyyy = t.slice(6, 8) + t.slice(4, 6) + t.slice(0, 4);
  return `ws_CO_${ddmmyyyy}${t.slice(8)}${pick(DIGITS, 8)}`;
}

/** Like Daraja's `29115-34620561-1`. */
export function newMerchantRequestId(): string {
  return `${randomInt(10_000, 99_999)}-${randomInt(10_000_000, 99_999_999)}-1`;
}

/** Daraja's requestId on error bodies, e.g. `16813-1590513-1`. */
export function newRequestId(): string {
  return `${randomInt(10_000, 99_999)}-${randomInt(1_000_000, 9_999_999)}-1`;
}

/** An M-Pesa receipt: 10 uppercase letters and digits, starting with a letter (e.g. `NLJ7RT61SV`). */
export function newReceiptNumber(): string {
  return pick(LETTERS, 1) + pick(ALNUM_UPPER, 9);
}

export function newAccessToken(): string {
  return pick(ALNUM, 28);
}
