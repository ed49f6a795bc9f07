import {
  callbackMatchesPush,
  contradictsDecision,
  decisionFromCallback,
  decisionFromQuery,
  decisiveCallback,
  failedDecision,
  successChangesRecord,
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

describe('Which callback decides a payment', () => {
  it('When a callback names the CheckoutRequestID the push got, or either side has none, then it matches the push', () => {
    expect(callbackMatchesPush({ checkoutRequestId: PUSHED }, PUSHED)).toBe(true);
    expect(callbackMatchesPush({ checkoutRequestId: PUSHED }, null)).toBe(true);
    expect(callbackMatchesPush({ checkoutRequestId: null }, PUSHED)).toBe(true);
  });

  it('When a callback names another CheckoutRequestID than the push got, then it does not match the push', () => {
    expect(callbackMatchesPush({ checkoutRequestId: 'ws_CO_OTHER' }, PUSHED)).toBe(false);
  });

  it('When a failure arrives before a success, then the success decides', () => {
    const failure = callback(1, '1032');
    const success = callback(2, '0');
    expect(decisiveCallback([failure, success], PUSHED)).toBe(success);
  });

  it('When only failures arrived, then the first decides', () => {
    const first = callback(1, '1032');
    expect(decisiveCallback([first, callback(2, '2001')], PUSHED)).toBe(first);
  });

  it('When a success names another CheckoutRequestID, then it never decides, even beside a matching failure', () => {
    const forged = callback(1, '0', { checkoutRequestId: 'ws_CO_OTHER' });
    const failure = callback(2, '1032');
    expect(decisiveCallback([forged], PUSHED)).toBeUndefined();
    expect(decisiveCallback([forged, failure], PUSHED)).toBe(failure);
  });

  it('When no callback arrived, then none decides', () => {
    expect(decisiveCallback([], PUSHED)).toBeUndefined();
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

describe('What a later success changes', () => {
  const success = callback(9, '0');

  it('When the payment failed, then a success completes it', () => {
    expect(successChangesRecord('failed', failedDecision('no_answer', 'silent'), success)).toBe(true);
  });

  it('When the query decided a success without a receipt, then a success callback brings it', () => {
    const byQuery = decisionFromQuery({ resultCode: '0', resultDesc: 'ok' });
    expect(successChangesRecord('completed', byQuery, success)).toBe(true);
    expect(successChangesRecord('completed', byQuery, callback(10, '0', { receipt: null }))).toBe(false);
  });

  it('When a callback already completed the payment, or it is in review, or the callback is a failure, then nothing changes', () => {
    expect(successChangesRecord('completed', decisionFromCallback(callback(1, '0')), success)).toBe(false);
    expect(successChangesRecord('needs_review', failedDecision('no_answer', 'silent'), success)).toBe(false);
    expect(successChangesRecord('failed', failedDecision('no_answer', 'silent'), callback(11, '1032'))).toBe(false);
  });

  it('When a further success has another receipt, another amount or broken items, then it contradicts the recorded success', () => {
    const recorded = decisionFromCallback(callback(1, '0', { receipt: 'FIRST' }));
    expect(contradictsDecision(recorded, callback(2, '0', { receipt: 'OTHER' }))).toBe(true);
    expect(contradictsDecision(recorded, callback(3, '0', { receipt: 'FIRST', amount: 499 }))).toBe(true);
    expect(
      contradictsDecision(recorded, callback(4, '0', { receipt: 'FIRST', problems: ['Amount: not a number'] })),
    ).toBe(true);
  });

  it('When a further callback repeats the recorded success, is the deciding one, or is a failure, then it does not contradict', () => {
    const recorded = decisionFromCallback(callback(1, '0', { receipt: 'FIRST' }));
    expect(contradictsDecision(recorded, callback(2, '0', { receipt: 'FIRST' }))).toBe(false);
    expect(contradictsDecision(recorded, callback(1, '0', { receipt: 'OTHER' }))).toBe(false);
    expect(contradictsDecision(recorded, callback(5, '1032'))).toBe(false);
  });

  it('When the query decided the success, then no callback contradicts it (the callback brings its receipt instead)', () => {
    expect(contradictsDecision(decisionFromQuery({ resultCode: '0', resultDesc: 'ok' }), success)).toBe(false);
  });
});
