/**
 * The one definition of M-Pesa's free-text push fields (TransactionDesc, AccountReference). Every
 * payment face (POST /api/stk-push, POST /api/v1/payments, wallet top-ups, channels'
 * account_reference) and the Daraja request builder read the same rule, so whatever the API accepts
 * the builder accepts too, and nothing is recorded for a request Daraja would refuse.
 *
 * Safaricom's STK push page gives the lengths (AccountReference ≤ 12, TransactionDesc ≤ 13); what
 * it does not give is the character set, and values outside plain letters, digits and a few marks
 * are a known cause of silent push failures (ResultCode 1025/9999) in integrators' reports.
 */

/** One free-text field as Daraja spells it, with its length limit in characters. */
export interface MpesaTextRule {
  /** Daraja's name, used in messages: `TransactionDesc`, `AccountReference`. */
  darajaName: string;
  max: number;
}

export const TRANSACTION_DESC: MpesaTextRule = { darajaName: 'TransactionDesc', max: 13 };
export const ACCOUNT_REFERENCE: MpesaTextRule = { darajaName: 'AccountReference', max: 12 };

/** Characters known to travel safely to the customer's prompt; all ASCII, so one character is one byte. */
const ALLOWED = /^[A-Za-z0-9 .,_#/-]*$/;
const NOT_ALLOWED = /[^A-Za-z0-9 .,_#/-]/u;
/** Combining marks left by NFKD decomposition: what turns `Café` into `Cafe`. */
const COMBINING_MARKS = /[\u0300-\u036f]/g;

export const ALLOWED_CHARACTERS_TEXT = 'letters, digits, spaces and . , _ # / -';

export type MpesaTextResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * Cleans and checks one M-Pesa free-text value.
 *
 * Cleaning (the value sent is the cleaned one): accented Latin letters are transliterated
 * (`Café` → `Cafe`, by Unicode NFKD with combining marks dropped) and leading and trailing spaces
 * are trimmed. Refused: a non-string, a value that is blank after trimming, a character outside
 * `A–Z a–z 0–9 space . , _ # / -` (emoji, `&`, quotes, `<>`, `%`, `:`, tabs and other control
 * characters), and a value longer than the rule's maximum, counted after cleaning.
 *
 * @param field the request's own name for the field (`description`, `account_reference`), for messages
 * @returns `{ ok: true, value }` with the cleaned text, or `{ ok: false, message }` saying what is wrong
 */
export function cleanMpesaText(field: string, rule: MpesaTextRule, input: unknown): MpesaTextResult {
  if (typeof input !== 'string') return { ok: false, message: `${field} must be a string` };
  const value = input
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .replace(/^ +| +$/g, '');
  if (value === '') return { ok: false, message: `${field} must be 1 to ${rule.max} characters; it cannot be blank` };
  if (!ALLOWED.test(value)) {
    const found = NOT_ALLOWED.exec(value)![0];
    return {
      ok: false,
      message: `${field} may contain only ${ALLOWED_CHARACTERS_TEXT} (M-Pesa's ${rule.darajaName}); found ${describe(found)}`,
    };
  }
  if (value.length > rule.max) {
    return {
      ok: false,
      message: `${field} must be 1 to ${rule.max} characters: at most ${rule.max} characters is M-Pesa's ${rule.darajaName} limit (got ${value.length})`,
    };
  }
  return { ok: true, value };
}

/** Names a refused character without echoing control characters into messages and logs. */
function describe(character: string): string {
  const code = character.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code < 0x20 || code === 0x7f ? hex : `"${character}" (${hex})`;
}
