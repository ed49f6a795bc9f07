import { stkPassword } from '../../daraja/timestamp';
import { validatePush, validateQuery } from '../../simulator/validation';

const passkeys = { '174379': 'sandbox-passkey' };
const timestamp = '20240201003005';

const validBody = (): Record<string, unknown> => ({
  BusinessShortCode: '174379',
  Password: stkPassword('174379', 'sandbox-passkey', timestamp),
  Timestamp: timestamp,
  TransactionType: 'CustomerPayBillOnline',
  Amount: 100,
  PartyA: '254708374149',
  PartyB: '174379',
  PhoneNumber: '254708374149',
  CallBackURL: 'https://merchant.example.com/callback',
  AccountReference: 'INV-1',
  TransactionDesc: 'Payment',
});

describe('the simulator validates a push like Daraja', () => {
  it('When every field is valid, then the push is accepted with its fields read', () => {
    const checked = validatePush(validBody(), passkeys);
    expect(checked).toMatchObject({
      ok: true,
      value: {
        shortcode: '174379',
        amount: 100,
        phoneNumber: '254708374149',
        transactionType: 'CustomerPayBillOnline',
      },
    });
  });

  it('When numbers arrive as JSON numbers, then they are accepted as Daraja does', () => {
    const body = {
      ...validBody(),
      BusinessShortCode: 174379,
      PartyA: 254708374149,
      PhoneNumber: 254708374149,
      Amount: '100',
    };
    expect(validatePush(body, passkeys).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['BusinessShortCode', { BusinessShortCode: 'abc' }],
    ['Password', { Password: '' }],
    ['Timestamp', { Timestamp: '2024-02-01 00:30' }],
    ['Timestamp', { Timestamp: '20240230120000' }],
    ['TransactionType', { TransactionType: 'CustomerPayBill' }],
    ['Amount', { Amount: 0 }],
    ['Amount', { Amount: 10.5 }],
    ['Amount', { Amount: 250_001 }],
    ['PartyA', { PartyA: '0708374149' }],
    ['PartyB', { PartyB: '12' }],
    ['PhoneNumber', { PhoneNumber: '255708374149' }],
    ['CallBackURL', { CallBackURL: 'https://merchant.example.com/call back' }],
    ['CallBackURL', { CallBackURL: 'merchant.example.com/callback' }],
    ['AccountReference', { AccountReference: 'ABCDEFGHIJKLM' }],
    ['TransactionDesc', { TransactionDesc: 'Fourteen chars' }],
  ])('When %s is invalid (%j), then Daraja answers 400.002.02 naming it', (field, change) => {
    expect(validatePush({ ...validBody(), ...change }, passkeys)).toEqual({
      ok: false,
      errorCode: '400.002.02',
      errorMessage: `Bad Request - Invalid ${field}`,
    });
  });

  it('When the password was built with another timestamp, then it is "Wrong credentials"', () => {
    const body = { ...validBody(), Password: stkPassword('174379', 'sandbox-passkey', '20240201003006') };
    expect(validatePush(body, passkeys)).toMatchObject({
      ok: false,
      errorCode: '500.001.1001',
      errorMessage: 'Wrong credentials',
    });
  });

  it('When the shortcode has no passkey here, then it is "Merchant does not exist"', () => {
    const body = { ...validBody(), BusinessShortCode: '600000' };
    expect(validatePush(body, passkeys)).toMatchObject({
      ok: false,
      errorCode: '500.001.1001',
      errorMessage: 'Merchant does not exist',
    });
  });

  it('When the query lacks a CheckoutRequestID, then it is refused as an invalid field', () => {
    const { BusinessShortCode, Password, Timestamp } = validBody();
    expect(validateQuery({ BusinessShortCode, Password, Timestamp }, passkeys)).toMatchObject({
      ok: false,
      errorMessage: 'Bad Request - Invalid CheckoutRequestID',
    });
  });
});
