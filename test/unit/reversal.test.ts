import { classifyDarajaFailure } from '../../daraja/errors';
import { InvalidPushRequestError } from '../../daraja/requestBuilder';
import { buildReversalBody, parseReversalResult, type ReversalRequest } from '../../daraja/reversal';
import { reversalRefusal, reversalStatusOf, reversalVerdictFromRecord } from '../../domain/reversal';
import { buildReversalPayload } from '../../domain/webhookPayload';
import { reversalOutcomeFor, validateReversal } from '../../simulator/reversals';

const request: ReversalRequest = {
  initiator: { name: 'testapi', securityCredential: 'c2VjcmV0' },
  transactionId: 'SLK4H7QX2P',
  amount: 500,
  receiverParty: '5123456',
  resultUrl: 'https://example.test/hooks/r/result',
  queueTimeOutUrl: 'https://example.test/hooks/r/timeout',
  remarks: 'Customer paid twice',
};

describe('The Reversal request body', () => {
  it("When a reversal is built, then it carries Daraja's fields, the full amount as whole KES and RecieverIdentifierType 11", () => {
    expect(buildReversalBody(request)).toEqual({
      Initiator: 'testapi',
      SecurityCredential: 'c2VjcmV0',
      CommandID: 'TransactionReversal',
      TransactionID: 'SLK4H7QX2P',
      Amount: '500',
      ReceiverParty: '5123456',
      RecieverIdentifierType: '11',
      ResultURL: 'https://example.test/hooks/r/result',
      QueueTimeOutURL: 'https://example.test/hooks/r/timeout',
      Remarks: 'Customer paid twice',
      Occasion: 'Reversal',
    });
  });

  it.each([
    ['transaction_id', { transactionId: 'not-a-receipt' }],
    ['amount', { amount: 10.5 }],
    ['amount', { amount: 0 }],
    ['receiver_party', { receiverParty: '12' }],
    ['remarks', { remarks: 'x'.repeat(101) }],
    ['result_url', { resultUrl: 'ftp://example.test/r' }],
  ])('When %s breaks Daraja’s rules, then the body is refused before sending', (field, change) => {
    expect(() => buildReversalBody({ ...request, ...change })).toThrow(InvalidPushRequestError);
    try {
      buildReversalBody({ ...request, ...change });
    } catch (error) {
      expect((error as InvalidPushRequestError).field).toBe(field);
    }
  });

  it('When the simulator checks a body without RecieverIdentifierType 11, then it refuses it naming the field', () => {
    const body = { ...buildReversalBody(request), RecieverIdentifierType: '4' };
    expect(validateReversal(body)).toEqual({
      ok: false,
      errorCode: '400.002.02',
      errorMessage: 'Bad Request - Invalid RecieverIdentifierType',
    });
    expect(validateReversal(buildReversalBody(request)).ok).toBe(true);
    expect(validateReversal({ ...buildReversalBody(request), Amount: '10.50' }).ok).toBe(false);
  });

  it('When the original amount is magic, then the simulator picks its reversal outcome', () => {
    expect([9921, 9922, 9923, 9924, 9925, 9926, 500].map(reversalOutcomeFor)).toEqual([
      'insufficient_funds',
      'initiator_refused',
      'already_reversed',
      'queue_timeout',
      'late_result',
      'result_lost',
      'reversed',
    ]);
  });
});

const result = (code: number | string, extra: Record<string, unknown> = {}) => ({
  Result: {
    ResultType: 0,
    ResultCode: code,
    ResultDesc: 'desc',
    OriginatorConversationID: '10571-7910404-1',
    ConversationID: 'AG_20261208_0000',
    TransactionID: 'SLL0000001',
    ...extra,
  },
});

describe('Reading a reversal result', () => {
  it('When M-Pesa reports success, then it is reversed with the reversal’s own transaction id and the original named', () => {
    const parsed = parseReversalResult(
      result(0, {
        ResultParameters: {
          ResultParameter: [
            { Key: 'Amount', Value: '500.00' },
            { Key: 'OriginalTransactionID', Value: 'SLK4H7QX2P' },
            { Key: 'TransCompletedTime', Value: 20261208120000 },
          ],
        },
      }),
    );
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        outcome: 'reversed',
        reversalReceipt: 'SLL0000001',
        originalReceipt: 'SLK4H7QX2P',
        amount: 500,
        completedAt: '2026-12-08T09:00:00.000Z',
      },
    });
  });

  it.each([
    ['R000001', 'already_reversed'],
    ['1', 'failed'],
    [2001, 'failed'],
    ['R000002', 'failed'],
  ])('When ResultCode is %s, then the outcome is %s', (code, outcome) => {
    const parsed = parseReversalResult(result(code));
    expect(parsed.ok && parsed.value.outcome).toBe(outcome);
    expect(parsed.ok && parsed.value.reversalReceipt).toBeNull();
  });

  it.each([
    ['no Result', {}],
    ['no ResultCode', { Result: { ConversationID: 'AG_1' } }],
    ['no ids', { Result: { ResultCode: 0 } }],
    ['broken parameters', result(0, { ResultParameters: { ResultParameter: ['x'] } })],
  ])('When the body has %s, then it is malformed and decides nothing', (_what, body) => {
    expect(parseReversalResult(body).ok).toBe(false);
  });

  it("When M-Pesa's record shows the reversal completed or the payment reversed, then it is reversed; the payment completed or anything else says nothing", () => {
    const about = (aboutOriginal: boolean, resultCode: string, transactionStatus: string | null) =>
      reversalVerdictFromRecord({ resultCode, transactionStatus, aboutOriginal });
    expect(about(false, '0', 'Completed')).toBe('reversed');
    expect(about(true, '0', 'Reversed')).toBe('reversed');
    // Asked by the payment's receipt, "Completed" is the payment itself, not its reversal.
    expect(about(true, '0', 'Completed')).toBe('unknown');
    expect(about(false, '0', 'Failed')).toBe('unknown');
    expect(about(false, 'R000002', null)).toBe('unknown');
  });
});

describe('Which payments may be reversed', () => {
  const completed = {
    status: 'completed',
    purpose: 'payment',
    mpesaReceipt: 'SLK4H7QX2P',
    channel: 3,
    reversalStatus: null,
  };

  it('When a customer payment completed with a receipt, then it may be reversed', () => {
    expect(reversalRefusal(completed)).toBeNull();
  });

  it.each([
    ['failed', { status: 'failed' }],
    ['pending', { status: 'pending' }],
    ['needs_review', { status: 'needs_review' }],
    ['without a receipt', { mpesaReceipt: null }],
    ['a wallet top-up', { purpose: 'wallet_top_up', channel: null }],
  ])('When it is %s, then it is not reversible', (_what, change) => {
    expect(reversalRefusal({ ...completed, ...change })?.code).toBe('not_reversible');
  });

  it('When the workflow is between request and result, then the payment shows requested', () => {
    expect(
      ['requested', 'sending', 'accepted', 'reversed', 'failed', 'in_doubt'].map((s) => reversalStatusOf(s as never)),
    ).toEqual(['requested', 'requested', 'requested', 'reversed', 'failed', 'in_doubt']);
  });
});

describe('The reversal webhook', () => {
  it('When a reversal succeeds, then its body has no Daraja Body and says the fee is kept', () => {
    const body = buildReversalPayload({
      event: 'reversal.succeeded',
      transactionId: 42,
      reversalId: 7,
      amount: 500,
      fee: 6,
      mpesaReceipt: 'SLK4H7QX2P',
      reversalReceipt: 'SLL0000001',
      resultCode: '0',
      resultDesc: 'ok',
      decidedBy: 'result',
      externalReference: 'INV-1',
      environment: 'sandbox',
      completedAt: new Date('2026-12-08T09:00:00Z'),
    });
    expect(body).not.toHaveProperty('Body');
    expect(body.ImaraPay).toMatchObject({
      event: 'reversal.succeeded',
      status: 'reversed',
      fee_charged: 6,
      fee_refunded: 0,
    });
  });
});

describe('Classifying a failed reversal call', () => {
  it('When a reversal times out after it left, then its outcome is unknown (indeterminate), as for a push; a query is only retried', () => {
    const timeout = { type: 'transport', code: 'ECONNABORTED', message: 'timeout of 1500ms exceeded' } as const;
    expect(classifyDarajaFailure('reversal', timeout).kind).toBe('indeterminate');
    expect(classifyDarajaFailure('transaction_status', timeout).kind).toBe('retryable');
  });

  it('When a reversal never left (connection refused) or was spike-arrested, then it may be sent again', () => {
    expect(
      classifyDarajaFailure('reversal', { type: 'transport', code: 'ECONNREFUSED', message: 'refused' }).kind,
    ).toBe('retryable');
    const spike = { errorCode: '500.003.02', errorMessage: 'Spike arrest violation', requestId: '1' };
    expect(classifyDarajaFailure('reversal', { type: 'response', status: 500, body: spike }).kind).toBe('retryable');
    expect(classifyDarajaFailure('reversal', { type: 'response', status: 504, body: '' }).kind).toBe('indeterminate');
  });
});
