import {
  callbackMatchesPush,
  decisionFromCallback,
  decisionFromQuery,
  decisiveCallback,
  failedDecision,
  phoneAgrees,
  type CallbackOutcome,
} from '../../domain/payment';

const PUSHED = 'ws_CO_PUSHED';

function callback(callbackId: number, resultCode: string, fields: Partial<CallbackOutcome> = {}): CallbackOutcome {
  const success = resultCode === '0';
  return {
    callbackId,
    checkoutRequestId: PUSHED,
    resultCode,
    resultDesc: success ? 'The service request is processed successfully.' : 'Request cancelled by user',
    receipt: success ? `RCPT${callbackId}` : null,
    amount: success ? 500 : null,
    phoneNumber: success ? '254712345678' : null,
    transactionDate: success ? '20261130120000' : null,
    problems: [],
    ...fields,
  };
}

const PUSH = { checkoutRequestId: PUSHED, amount: 500 };
const NO_ID = { checkoutRequestId: null, amount: 500, phoneNumber: '254712345678' };

describe('Which callback decides a payment', () => {
  it('When a callback names the CheckoutRequestID the push got, then it matches the push', () => {
    expect(callbackMatchesPush(callback(1, '0'), PUSH)).toBe(true);
  });

  it('When a push has no id of its own (its answer timed out), then a callback naming an id matches it and gives it that id', () => {
    expect(callbackMatchesPush(callback(1, '0'), NO_ID)).toBe(true);
  });

  it('When a callback names another CheckoutRequestID than the push got, then it does not match the push', () => {
    expect(callbackMatchesPush(callback(1, '0', { checkoutRequestId: 'ws_CO_OTHER' }), PUSH)).toBe(false);
  });

  it('When a callback names no CheckoutRequestID and the push has one, then it never matches (issue 17: it completed every pending payment)', () => {
    expect(callbackMatchesPush(callback(1, '0', { checkoutRequestId: null }), PUSH)).toBe(false);
    expect(callbackMatchesPush(callback(2, '1032', { checkoutRequestId: null }), PUSH)).toBe(false);
    expect(decisiveCallback([callback(1, '0', { checkoutRequestId: null })], PUSH)).toBeUndefined();
  });

  it('When neither names an id, then the callback matches only with the pushed amount and a phone that agrees where unmasked', () => {
    const noId = (fields: Partial<CallbackOutcome>) => callback(1, '0', { checkoutRequestId: null, ...fields });
    expect(callbackMatchesPush(noId({}), NO_ID)).toBe(true);
    expect(callbackMatchesPush(noId({ phoneNumber: '25471****678' }), NO_ID)).toBe(true);
    expect(callbackMatchesPush(noId({ phoneNumber: null }), NO_ID)).toBe(true);
    expect(callbackMatchesPush(noId({ amount: 1 }), NO_ID)).toBe(false);
    expect(callbackMatchesPush(noId({ amount: null }), NO_ID)).toBe(false);
    expect(callbackMatchesPush(noId({ phoneNumber: '254799999999' }), NO_ID)).toBe(false);
    expect(callbackMatchesPush(noId({ phoneNumber: '25479****678' }), NO_ID)).toBe(false);
    // A failure carries no Amount, so it cannot show it is this push's.
    expect(callbackMatchesPush(callback(2, '1032', { checkoutRequestId: null }), NO_ID)).toBe(false);
  });

  it('When a phone is masked, then only its visible digits are compared, and an unknown phone refuses nothing', () => {
    expect(phoneAgrees('254712****78', '254712345678')).toBe(true);
    expect(phoneAgrees('************', '254712345678')).toBe(true);
    expect(phoneAgrees('254712****79', '254712345678')).toBe(false);
    expect(phoneAgrees('2547123456', '254712345678')).toBe(false);
    expect(phoneAgrees(null, '254712345678')).toBe(true);
  });

  it('When a failure arrives before a success, then the success decides', () => {
    const failure = callback(1, '1032');
    const success = callback(2, '0');
    expect(decisiveCallback([failure, success], PUSH)).toBe(success);
  });

  it('When only failures arrived, then the first decides', () => {
    const first = callback(1, '1032');
    expect(decisiveCallback([first, callback(2, '2001')], PUSH)).toBe(first);
  });

  it('When a success names another CheckoutRequestID, then it never decides, even beside a matching failure', () => {
    const forged = callback(1, '0', { checkoutRequestId: 'ws_CO_OTHER' });
    const failure = callback(2, '1032');
    expect(decisiveCallback([forged], PUSH)).toBeUndefined();
    expect(decisiveCallback([forged, failure], PUSH)).toBe(failure);
  });

  it('When no callback arrived, then none decides', () => {
    expect(decisiveCallback([], PUSH)).toBeUndefined();
  });
});

describe('Decisions', () => {
  it('When a success callback decides, then the payment is completed with its receipt and evidence', () => {
    expect(decisionFromCallback(callback(7, '0'))).toEqual({
      status: 'completed',
      resultCode: '0',
      resultDesc: 'The service request is processed successfully.',
      receipt: 'RCPT7',
      source: 'callback',
      evidence: {
        callbackId: 7,
        amount: 500,
        phoneNumber: '254712345678',
        transactionDate: '20261130120000',
        problems: [],
      },
    });
  });

  it('When a failure callback decides, then the payment is failed with its result code', () => {
    expect(decisionFromCallback(callback(3, '1032'))).toMatchObject({
      status: 'failed',
      resultCode: '1032',
      receipt: null,
      source: 'callback',
    });
  });

  it('When an older callback signal has no problems list, then its evidence has an empty one', () => {
    const older = callback(4, '0');
    delete older.problems;
    expect(decisionFromCallback(older).evidence?.problems).toEqual([]);
  });

  it('When the STK query answers a final result, then it decides without a receipt', () => {
    expect(decisionFromQuery({ resultCode: '0', resultDesc: 'ok' })).toEqual({
      status: 'completed',
      resultCode: '0',
      resultDesc: 'ok',
      receipt: null,
      source: 'query',
    });
    expect(decisionFromQuery({ resultCode: '1032', resultDesc: 'cancelled' })).toMatchObject({
      status: 'failed',
      resultCode: '1032',
      source: 'query',
    });
  });

  it('When nothing answered, then the failure has no result code', () => {
    expect(failedDecision('no_answer', 'silent')).toEqual({
      status: 'failed',
      resultCode: null,
      resultDesc: 'silent',
      receipt: null,
      source: 'no_answer',
    });
  });
});
