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
    });
  });

  it('When Amount is a decimal string, then it becomes whole KES', () => {
    const body = structuredClone(success);
    body.Body.stkCallback.CallbackMetadata.Item[4] = { Name: 'Amount', Value: '500.00' as unknown as number };
    expect(parseStkCallback(body)?.amount).toBe(500);
  });

  it('When the result is a failure, then there is no metadata and the code is text', () => {
    const body = { Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'ws_CO_1', ResultCode: 1032, ResultDesc: 'Request cancelled by user' } } };
    expect(parseStkCallback(body)).toMatchObject({ resultCode: '1032', receipt: null, amount: null });
  });

  it('When ResultCode is a string code, then it is kept as given', () => {
    const body = { Body: { stkCallback: { CheckoutRequestID: 'ws_CO_1', ResultCode: 'SFC_IC0003', ResultDesc: 'x' } } };
    expect(parseStkCallback(body)?.resultCode).toBe('SFC_IC0003');
  });

  it.each([null, {}, { Body: {} }, { Body: { stkCallback: { ResultDesc: 'no code' } } }, 'text'])('When the body is %p, then it is not a callback', (body) => {
    expect(parseStkCallback(body)).toBeNull();
  });
});
