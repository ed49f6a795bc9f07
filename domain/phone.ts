import { AppError } from './errors';

/**
 * Kenyan mobile numbers as Daraja wants them: 254 followed by nine digits starting with 7 or 1.
 * Safaricom also issues 011x numbers, so 2541… is as valid as 2547…; home-made validators that
 * accept only 07… are a well-known source of lost payments.
 */
const MSISDN = /^254[71]\d{8}$/;

/** 07…/01… (local), 7…/1… (nine digits), 2547…/2541…, +254… and 00254… forms, once separators are removed. */
const ACCEPTED = /^(?:\+254|00254|254|0)?([71]\d{8})$/;

/** Spaces, dashes, dots and brackets people type between digit groups. */
const SEPARATORS = /[\s\-.()]/g;

export class InvalidPhoneNumberError extends AppError {
  constructor() {
    // The number itself stays out of the message: messages end up in logs, and numbers are personal data.
    super(
      'validation_failed',
      'Invalid phone number: expected a Kenyan mobile number such as 0712345678, 0112345678, +254712345678 or 254712345678.',
      { field: 'phone_number' },
    );
    this.name = 'InvalidPhoneNumberError';
  }
}

/** Returns the number as 2547XXXXXXXX or 2541XXXXXXXX; throws InvalidPhoneNumberError for anything else. */
export function normalizeMsisdn(input: string): string {
  if (typeof input !== 'string') throw new InvalidPhoneNumberError();
  const compact = input.replace(SEPARATORS, '');
  const match = ACCEPTED.exec(compact);
  if (!match) throw new InvalidPhoneNumberError();
  return `254${match[1]}`;
}

export function isMsisdn(value: string): boolean {
  return MSISDN.test(value);
}

/** Hides the middle of a number for logs: 254712345678 → 2547****5678. */
export function maskMsisdn(msisdn: string): string {
  const digits = String(msisdn);
  if (digits.length <= 8) return '*'.repeat(digits.length);
  return `${digits.slice(0, 4)}${'*'.repeat(digits.length - 8)}${digits.slice(-4)}`;
}
