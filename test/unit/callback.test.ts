import { parseStkCallback } from '../../domain/callback';

const success = {
  Body: {
    stkCallback: {
      MerchantRequestID: '29115-34620561-1',
      CheckoutRequestID: 'ws_CO_191220191020363925',
      ResultCode: 0,
      ResultDesc: 'The service request is processed successfully.',
      CallbackMetadata: {
        Item: [
          { Name: 'PhoneNumber', Value: 254708374149 },
          { Name: 'Balance' },
          { Name: 'TransactionDate', Value: 20191219102115 },
          { Name: 'MpesaReceiptNumber', Value: 'NLJ7RT61SV' },
          { Name: 'Amount', Value: 1.0 },
        ],
      },
    },
  },
};

describe('parseStkCallback', () => {
  it('When items arrive in any order and Balance has no Value, then each is read by name', () => {
    expect(parseStkCallback(success)).toEqual({
      checkoutRequestId: 'ws_CO_191220191020363925',
      merchantRequestId: '29115-34620561-1',
      resultCode: '0',
      resultDesc: 'The service request is processed successfully.',
      receipt: 'NLJ7RT61SV',
      amount: 1,
      phoneNumber: '254708374149',
      transactionDate: '20191219102115',
      problems: [],
      unusable: null,
    });
  });

  it('When Amount is a decimal string, then it becomes whole KES', () => {
    const body = structuredClone(success);
    body.Body.stkCallback.CallbackMetadata.Item[4] = { Name: 'Amount', Value: '500.00' as unknown as number };
    expect(parseStkCallback(body)?.amount).toBe(500);
  });

  it('When the result is a failure, then there is no metadata and the code is text', () => {
    const body = {
      Body: {
        stkCallback: {
          MerchantRequestID: 'm',
          CheckoutRequestID: 'ws_CO_1',
          ResultCode: 1032,
          ResultDesc: 'Request cancelled by user',
        },
      },
    };
    expect(parseStkCallback(body)).toMatchObject({ resultCode: '1032', receipt: null, amount: null });
  });

  it('When ResultCode is a string code, then it is kept as given', () => {
    const body = { Body: { stkCallback: { CheckoutRequestID: 'ws_CO_1', ResultCode: 'SFC_IC0003', ResultDesc: 'x' } } };
    expect(parseStkCallback(body)?.resultCode).toBe('SFC_IC0003');
  });

  it.each([null, {}, { Body: {} }, { Body: { stkCallback: { ResultDesc: 'no code' } } }, 'text'])(
    'When the body is %p, then it is not a callback',
    (body) => {
      expect(parseStkCallback(body)).toBeNull();
    },
  );
});

describe('parseStkCallback bounds every value where it enters', () => {
  const withItem = (name: string, value: unknown) => {
    const body = structuredClone(success) as {
      Body: { stkCallback: { CallbackMetadata: { Item: Array<{ Name: string; Value?: unknown }> } } };
    };
    body.Body.stkCallback.CallbackMetadata.Item = body.Body.stkCallback.CallbackMetadata.Item.filter(
      (i) => i.Name !== name,
    ).concat({ Name: name, Value: value });
    return body;
  };
  const withField = (name: string, value: unknown) => {
    const body = structuredClone(success) as unknown as { Body: { stkCallback: Record<string, unknown> } };
    body.Body.stkCallback[name] = value;
    return body;
  };

  it.each([
    ['longer than any receipt', 'NLJ7RT61SV'.repeat(5)],
    ['with lower-case and punctuation', "nlj7'rt61sv"],
    ['an object', { x: 1 }],
    ['with a NUL', 'NLJ7\u0000RT61SV'],
  ])('When MpesaReceiptNumber is %s, then it is dropped and named as a problem', (_label, value) => {
    expect(parseStkCallback(withItem('MpesaReceiptNumber', value))).toMatchObject({
      receipt: null,
      problems: ['MpesaReceiptNumber is not valid'],
      unusable: null,
    });
  });

  it.each([
    ['a fraction', 1.5],
    ['zero', 0],
    ["over M-Pesa's limit", 250_001],
    ['text', 'ten'],
    ['negative', -5],
  ])('When Amount is %s, then it is dropped and named as a problem', (_label, value) => {
    expect(parseStkCallback(withItem('Amount', value))).toMatchObject({
      amount: null,
      problems: ['Amount is not valid'],
    });
  });

  it('When PhoneNumber or TransactionDate is odd, then it is dropped without escalating (informative only)', () => {
    expect(parseStkCallback(withItem('PhoneNumber', 'x'.repeat(100)))).toMatchObject({
      phoneNumber: null,
      problems: [],
    });
    expect(parseStkCallback(withItem('TransactionDate', 99999999999999))).toMatchObject({
      transactionDate: null,
      problems: [],
    });
    expect(parseStkCallback(withItem('PhoneNumber', '25470****149'))).toMatchObject({ phoneNumber: '25470****149' });
  });

  it.each([
    ['ResultCode', 'X'.repeat(21), 'ResultCode is not a Daraja result code'],
    ['ResultCode', 'a b', 'ResultCode is not a Daraja result code'],
    ['CheckoutRequestID', `ws_CO_${'9'.repeat(60)}`, 'CheckoutRequestID is not a Daraja request id'],
    ['CheckoutRequestID', 'ws_CO_\u00001', 'CheckoutRequestID is not a Daraja request id'],
    ['MerchantRequestID', 'm'.repeat(65), 'MerchantRequestID is not a Daraja request id'],
  ])('When %s is %j, then the callback is unusable and no id or code is kept from it', (field, value, reason) => {
    expect(parseStkCallback(withField(field, value))).toMatchObject({
      unusable: reason,
      checkoutRequestId: null,
      merchantRequestId: null,
    });
  });

  it('When ResultDesc is long and holds control characters, then it is bounded and cleaned', () => {
    const parsed = parseStkCallback(withField('ResultDesc', `a\u0000b${'x'.repeat(1000)}`))!;
    expect(parsed.resultDesc).toHaveLength(500);
    expect(parsed.resultDesc.startsWith('a b')).toBe(true);
  });

  it.each([
    ['null', null],
    ['true', true],
    ['a number', 191220191020363925],
    ['an array', ['ws_CO_191220191020363925']],
    ['an object', { $eq: 'ws_CO_191220191020363925' }],
    ['empty text', ''],
  ])('When CheckoutRequestID is %s, then the callback is unusable and decides nothing (issue 17)', (_label, value) => {
    expect(parseStkCallback(withField('CheckoutRequestID', value))).toMatchObject({
      unusable: 'CheckoutRequestID is not a Daraja request id',
      checkoutRequestId: null,
    });
  });

  it.each([
    ['null', null],
    ['an array', ['29115-34620561-1']],
    ['an object', { $ne: null }],
  ])('When MerchantRequestID is %s, then the callback is unusable', (_label, value) => {
    expect(parseStkCallback(withField('MerchantRequestID', value))).toMatchObject({
      unusable: 'MerchantRequestID is not a Daraja request id',
    });
  });

  it.each([
    ['a fraction', 0.5],
    ['negative', -1],
  ])('When ResultCode is %s, then the callback is unusable', (_label, value) => {
    expect(parseStkCallback(withField('ResultCode', value))).toMatchObject({
      unusable: 'ResultCode is not a Daraja result code',
    });
  });

  it.each([
    ['true', true],
    ['an array', [0]],
    ['an object', { code: 0 }],
    ['null', null],
  ])('When ResultCode is %s, then the body is not a Daraja callback', (_label, value) => {
    expect(parseStkCallback(withField('ResultCode', value))).toBeNull();
  });

  it('When CheckoutRequestID is absent, then the callback is usable but names no id (it can only match a push that has none)', () => {
    const body = structuredClone(success) as unknown as { Body: { stkCallback: Record<string, unknown> } };
    delete body.Body.stkCallback.CheckoutRequestID;
    expect(parseStkCallback(body)).toMatchObject({ unusable: null, checkoutRequestId: null, amount: 1 });
  });

  it('When a success lacks its Amount or MpesaReceiptNumber, then each absence is named as a problem', () => {
    const body = structuredClone(success);
    body.Body.stkCallback.CallbackMetadata.Item = body.Body.stkCallback.CallbackMetadata.Item.filter(
      (i) => i.Name !== 'Amount' && i.Name !== 'MpesaReceiptNumber',
    );
    expect(parseStkCallback(body)?.problems).toEqual(['MpesaReceiptNumber is missing', 'Amount is missing']);
  });

  it('When Amount is given twice with different values, then it is dropped and named as a problem', () => {
    const body = withItem('Amount', 1);
    body.Body.stkCallback.CallbackMetadata.Item.push({ Name: 'Amount', Value: 321 });
    expect(parseStkCallback(body)).toMatchObject({
      amount: null,
      problems: ['Amount is given more than once with different values'],
    });
  });

  it.each([
    ['2026-12-07 20:30:00', '20261207203000'],
    ['2026-12-07T20:30:00', '20261207203000'],
    ['20261207203000', '20261207203000'],
    [20261207203000, '20261207203000'],
    ['2026-13-07 20:30:00', null],
  ])('When TransactionDate is %j, then it is kept as M-Pesa meant it: %j', (value, expected) => {
    expect(parseStkCallback(withItem('TransactionDate', value))?.transactionDate).toBe(expected);
  });
});
