import { AppError } from '../../domain/errors';
import { InvalidPhoneNumberError, maskMsisdn, normalizeMsisdn } from '../../domain/phone';

describe('normalizeMsisdn', () => {
  it.each([
    ['0712345678', '254712345678'],
    ['0112345678', '254112345678'],
    ['712345678', '254712345678'],
    ['112345678', '254112345678'],
    ['254712345678', '254712345678'],
    ['254112345678', '254112345678'],
    ['+254712345678', '254712345678'],
    ['+254 112 345 678', '254112345678'],
    ['0712-345-678', '254712345678'],
    [' 0712 345 678 ', '254712345678'],
    ['00254712345678', '254712345678'],
  ])('When the number is written as %p, then it becomes %p', (input, expected) => {
    expect(normalizeMsisdn(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['too short', '071234567'],
    ['too long', '07123456789'],
    ['a landline (020)', '0201234567'],
    ['another country', '+255712345678'],
    ['letters', '07123abc78'],
    ['a 254 number with its local 0 kept', '2540712345678'],
    ['plus without country code', '+0712345678'],
  ])('When the number is %s, then InvalidPhoneNumberError names the phone_number field', (_label, input) => {
    let thrown: unknown;
    try {
      normalizeMsisdn(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidPhoneNumberError);
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: 'validation_failed', details: { field: 'phone_number' } });
    expect((thrown as Error).message).toMatch(/Invalid phone number/);
  });

  it('When the number is rejected, then the message does not echo it (it would end up in logs)', () => {
    expect(() => normalizeMsisdn('0799999')).toThrow(InvalidPhoneNumberError);
    expect(() => normalizeMsisdn('0799999')).not.toThrow(/0799999/);
  });
});

describe('maskMsisdn', () => {
  it('When a normalised number is masked, then only the first and last four digits remain', () => {
    expect(maskMsisdn('254712345678')).toBe('2547****5678');
  });

  it('When a short value is masked, then nothing of it is shown', () => {
    expect(maskMsisdn('12345')).toBe('*****');
  });
});
