import { InvalidPhoneNumberError } from '../../domain/phone';
import {
  InvalidPushRequestError,
  buildStkPushBody,
  buildStkQueryBody,
  transactionTypeFor,
} from '../../daraja/requestBuilder';
import { stkPassword } from '../../daraja/timestamp';
import type { StkPushRequest } from '../../daraja/types';

const credentials = { shortcode: '174379', passkey: 'test-passkey' };
const timestamp = '20240201003005';

const request = (
  overrides: Partial<StkPushRequest> = {},
  channel: Partial<StkPushRequest['channel']> = {},
): StkPushRequest => ({
  channel: { type: 'paybill', partyB: '600100', accountReference: 'INV-0042', ...channel },
  phoneNumber: '0712 345 678',
  amount: 1500,
  description: 'Order 42',
  callbackUrl: 'https://pay.example.com/callbacks/daraja/token123',
  ...overrides,
});

const thrownBy = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('buildStkPushBody', () => {
  it('When a paybill push is built, then every Daraja field is set from the request, credentials and timestamp', () => {
    expect(buildStkPushBody({ request: request(), credentials, timestamp })).toEqual({
      BusinessShortCode: '174379',
      Password: stkPassword('174379', 'test-passkey', timestamp),
      Timestamp: timestamp,
      TransactionType: 'CustomerPayBillOnline',
      Amount: 1500,
      PartyA: '254712345678',
      PartyB: '600100',
      PhoneNumber: '254712345678',
      CallBackURL: 'https://pay.example.com/callbacks/daraja/token123',
      AccountReference: 'INV-0042',
      TransactionDesc: 'Order 42',
    });
  });

  it('When the channel is a till, then the push is Buy Goods to the till from the store shortcode', () => {
    const body = buildStkPushBody({
      request: request({}, { type: 'till', partyB: '5123456' }),
      credentials,
      timestamp,
    });
    expect(body).toMatchObject({
      TransactionType: 'CustomerBuyGoodsOnline',
      BusinessShortCode: '174379',
      PartyB: '5123456',
    });
  });

  it('When the channel is a bank, then the push is Pay Bill to the bank paybill with the account number as reference', () => {
    const body = buildStkPushBody({
      request: request({}, { type: 'bank', partyB: '247247', accountReference: '0123456789' }),
      credentials,
      timestamp,
    });
    expect(body).toMatchObject({
      TransactionType: 'CustomerPayBillOnline',
      PartyB: '247247',
      AccountReference: '0123456789',
    });
  });

  it('When the number is 011x, then PartyA and PhoneNumber are 2541…', () => {
    const body = buildStkPushBody({ request: request({ phoneNumber: '+254 110 000 001' }), credentials, timestamp });
    expect(body.PartyA).toBe('254110000001');
    expect(body.PhoneNumber).toBe('254110000001');
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['a decimal', 10.5],
    ['above 250,000', 250_001],
    ['not a number', Number.NaN],
  ])('When the amount is %s, then the push is refused on the amount field', (_label, amount) => {
    const error = thrownBy(() => buildStkPushBody({ request: request({ amount }), credentials, timestamp }));
    expect(error).toBeInstanceOf(InvalidPushRequestError);
    expect(error).toMatchObject({ code: 'validation_failed', field: 'amount', details: { field: 'amount' } });
  });

  it.each([1, 250_000])('When the amount is the limit %p, then it is accepted', (amount) => {
    expect(buildStkPushBody({ request: request({ amount }), credentials, timestamp }).Amount).toBe(amount);
  });

  it('When AccountReference has 13 characters, then the push is refused rather than truncated', () => {
    const error = thrownBy(() =>
      buildStkPushBody({ request: request({}, { accountReference: 'ABCDEFGHIJKLM' }), credentials, timestamp }),
    );
    expect(error).toMatchObject({ field: 'account_reference' });
    expect((error as Error).message).toContain('at most 12');
  });

  it('When AccountReference has exactly 12 characters, then it is sent unchanged', () => {
    const body = buildStkPushBody({
      request: request({}, { accountReference: 'ABCDEFGHIJKL' }),
      credentials,
      timestamp,
    });
    expect(body.AccountReference).toBe('ABCDEFGHIJKL');
  });

  it('When TransactionDesc has 14 characters, then the push is refused on the description field', () => {
    const error = thrownBy(() =>
      buildStkPushBody({ request: request({ description: 'Fourteen chars' }), credentials, timestamp }),
    );
    expect(error).toBeInstanceOf(InvalidPushRequestError);
    expect(error).toMatchObject({ field: 'description' });
    expect((error as Error).message).toContain('at most 13');
  });

  it('When AccountReference holds characters that break prompts, then the push is refused', () => {
    const error = thrownBy(() =>
      buildStkPushBody({ request: request({}, { accountReference: 'A&B<C>' }), credentials, timestamp }),
    );
    expect(error).toMatchObject({ field: 'account_reference' });
  });

  it.each(['ftp://example.com/cb', 'https://example.com/call back', 'not a url'])(
    'When the CallBackURL is %p, then the push is refused on callback_url',
    (callbackUrl) => {
      const error = thrownBy(() => buildStkPushBody({ request: request({ callbackUrl }), credentials, timestamp }));
      expect(error).toMatchObject({ field: 'callback_url' });
    },
  );

  it('When PartyB is not a shortcode, then the push is refused on party_b', () => {
    const error = thrownBy(() => buildStkPushBody({ request: request({}, { partyB: '12' }), credentials, timestamp }));
    expect(error).toMatchObject({ field: 'party_b' });
  });

  it('When the phone number is invalid, then InvalidPhoneNumberError is thrown', () => {
    expect(() => buildStkPushBody({ request: request({ phoneNumber: '0201234567' }), credentials, timestamp })).toThrow(
      InvalidPhoneNumberError,
    );
  });
});

describe('transactionTypeFor', () => {
  it('When each channel type is mapped, then only tills are Buy Goods', () => {
    expect([transactionTypeFor('till'), transactionTypeFor('paybill'), transactionTypeFor('bank')]).toEqual([
      'CustomerBuyGoodsOnline',
      'CustomerPayBillOnline',
      'CustomerPayBillOnline',
    ]);
  });
});

describe('buildStkQueryBody', () => {
  it('When a query is built, then it carries the shortcode, a matching password and the CheckoutRequestID', () => {
    expect(buildStkQueryBody({ checkoutRequestId: 'ws_CO_123', credentials, timestamp })).toEqual({
      BusinessShortCode: '174379',
      Password: stkPassword('174379', 'test-passkey', timestamp),
      Timestamp: timestamp,
      CheckoutRequestID: 'ws_CO_123',
    });
  });
});
