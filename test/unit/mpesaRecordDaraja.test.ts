import { generateKeyPairSync } from 'node:crypto';
import { InvalidPushRequestError } from '../../daraja/requestBuilder';
import { buildPullQueryBody, buildTransactionStatusBody, pullDate } from '../../daraja/recordRequests';
import { parsePullDate, parsePullQueryAnswer, parseTransactionStatusResult } from '../../daraja/recordResults';
import { SecurityCredentialError, securityCredential } from '../../daraja/securityCredential';
import { createSecurityKeys } from '../../simulator/securityKeys';

const statusRequest = {
  initiator: { name: 'testapi', securityCredential: 'abc=' },
  transactionId: 'NLJ7RT61SV',
  partyA: '600100',
  identifierType: '4' as const,
  resultUrl: 'https://pay.example.com/hooks/daraja/t/results/transaction-status',
  queueTimeOutUrl: 'https://pay.example.com/hooks/daraja/t/results/queue-timeout',
  remarks: 'Reconciliation',
};

const completed = (overrides: Record<string, unknown> = {}) => ({
  Result: {
    ResultType: 0,
    ResultCode: 0,
    ResultDesc: 'The service request is processed successfully.',
    OriginatorConversationID: '1236-7134259-1',
    ConversationID: 'AG_20261207_0000123',
    TransactionID: 'NLJ7RT61SV',
    ResultParameters: {
      ResultParameter: [
        { Key: 'DebitPartyName', Value: '254708374149 - JOHN DOE' },
        { Key: 'TransactionStatus', Value: 'Completed' },
        { Key: 'FinalisedTime', Value: 20261207203000 },
        { Key: 'Amount', Value: 321 },
        { Key: 'ReceiptNo', Value: 'NLJ7RT61SV' },
        { Key: 'ReasonType', Value: 'Pay Merchant Online' },
      ],
    },
    ...overrides,
  },
});

describe('Transaction Status request', () => {
  it('When a receipt is known, then the body carries Daraja field names and CommandID TransactionStatusQuery', () => {
    expect(buildTransactionStatusBody(statusRequest)).toEqual({
      Initiator: 'testapi',
      SecurityCredential: 'abc=',
      CommandID: 'TransactionStatusQuery',
      TransactionID: 'NLJ7RT61SV',
      PartyA: '600100',
      IdentifierType: '4',
      ResultURL: statusRequest.resultUrl,
      QueueTimeOutURL: statusRequest.queueTimeOutUrl,
      Remarks: 'Reconciliation',
      Occasion: 'Reconciliation',
    });
  });

  it.each([
    ['no receipt and no conversation id', { transactionId: null }],
    ['a receipt that is not 10 letters or digits', { transactionId: 'nlj7' }],
    ['a ResultURL with a space', { resultUrl: 'https://x.example/a b' }],
    ['a PartyA that is not a shortcode', { partyA: '12' }],
    ['empty remarks', { remarks: ' ' }],
  ])('When the request has %s, then it is refused before anything is sent', (_label, overrides) => {
    expect(() => buildTransactionStatusBody({ ...statusRequest, ...overrides })).toThrow(InvalidPushRequestError);
  });
});

describe('Pull Transactions query', () => {
  const now = new Date('2026-12-07T18:00:00Z');
  it('When asked for a window, then StartDate and EndDate are Nairobi wall-clock times', () => {
    expect(
      buildPullQueryBody(
        { shortcode: '600100', startDate: new Date('2026-12-07T17:00:00Z'), endDate: now, offset: 0 },
        now,
      ),
    ).toEqual({
      ShortCode: '600100',
      StartDate: '2026-12-07 20:00:00',
      EndDate: '2026-12-07 21:00:00',
      OffSetValue: '0',
    });
    expect(pullDate(new Date('2026-12-07T21:30:05Z'))).toBe('2026-12-08 00:30:05');
  });
  it('When the window starts more than 48 hours ago, then it is refused', () => {
    expect(() =>
      buildPullQueryBody(
        { shortcode: '600100', startDate: new Date('2026-12-05T17:00:00Z'), endDate: now, offset: 0 },
        now,
      ),
    ).toThrow(InvalidPushRequestError);
  });
  it('When the answer nests its rows one level deep, then every readable row is read and the rest counted', () => {
    const page = parsePullQueryAnswer({
      ResponseRefID: 'x',
      ResponseCode: '1000',
      ResponseMessage: 'Success',
      Response: [
        [
          {
            transactionId: 'OEI2AK4Q16',
            trxDate: '2026-12-07T20:30:00+03:00',
            msisdn: 254708374149,
            sender: 'JOHN',
            transactiontype: 'c2b-pay-bill-debit',
            billreference: 'INV-1',
            amount: '321.00',
            organizationname: 'SHOP',
          },
          { transactionId: 'bad', amount: '1' },
          { transactionId: 'OEI2AK4Q17', trxDate: 'x', amount: '10.50' },
        ],
      ],
    });
    expect(page.ok && page.value.transactions).toEqual([
      {
        receipt: 'OEI2AK4Q16',
        occurredAt: '2026-12-07T17:30:00.000Z',
        msisdn: '254708374149',
        sender: 'JOHN',
        transactionType: 'c2b-pay-bill-debit',
        billReference: 'INV-1',
        amount: 321,
        organizationName: 'SHOP',
      },
    ]);
    expect(page.ok && page.value.unreadable).toBe(2);
  });
  it.each([
    ['2026-12-07 20:30:00', '2026-12-07T17:30:00.000Z'],
    ['20261207203000', '2026-12-07T17:30:00.000Z'],
    ['2026-12-07T17:30:00Z', '2026-12-07T17:30:00.000Z'],
    ['yesterday', null],
    [42, null],
  ])('When trxDate is %p, then it reads as %p', (value, expected) => {
    expect(parsePullDate(value)).toBe(expected);
  });
});

describe('Transaction Status result', () => {
  it('When M-Pesa holds the payment as Completed, then the result is completed with receipt, amount and time', () => {
    const parsed = parseTransactionStatusResult(completed());
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({
        outcome: 'completed',
        receipt: 'NLJ7RT61SV',
        amount: 321,
        completedAt: '2026-12-07T17:30:00.000Z',
        payer: '254708374149 - JOHN DOE',
        originatorConversationId: '1236-7134259-1',
      }),
    });
  });
  it('When ResultCode is a string "0" and ResultParameter a single object, then it is still read', () => {
    const parsed = parseTransactionStatusResult(
      completed({
        ResultCode: '0',
        ResultParameters: { ResultParameter: { Key: 'TransactionStatus', Value: 'Failed' } },
      }),
    );
    expect(parsed.ok && parsed.value.outcome).toBe('failed');
  });
  it.each([
    ['2001', 'The initiator information is invalid.', 'refused'],
    ['8006', 'The security credential is locked.', 'refused'],
    ['R000002', 'The transaction receipt number does not exist.', 'not_found'],
    ['SFC_IC0003', 'Receiver party is invalid', 'refused'],
  ])('When ResultCode is %s (%s), then the outcome is %s', (code, desc, outcome) => {
    const parsed = parseTransactionStatusResult(
      completed({ ResultCode: code, ResultDesc: desc, ResultParameters: undefined }),
    );
    expect(parsed.ok && parsed.value.outcome).toBe(outcome);
  });
  it.each([
    ['no Result', {}],
    ['a Result that is a list', { Result: [] }],
    ['no ResultCode', { Result: { ConversationID: 'AG_1' } }],
    ['a ResultCode that is an object', completed({ ResultCode: { x: 1 } })],
    ['no ids', completed({ ConversationID: undefined, OriginatorConversationID: undefined })],
    ['parameters that are not Key/Value', completed({ ResultParameters: { ResultParameter: [1, 2] } })],
    [
      'a Completed record with a fractional amount',
      completed({
        ResultParameters: {
          ResultParameter: [
            { Key: 'TransactionStatus', Value: 'Completed' },
            { Key: 'Amount', Value: '10.50' },
            { Key: 'ReceiptNo', Value: 'NLJ7RT61SV' },
          ],
        },
      }),
    ],
    [
      'a Completed record without a receipt',
      completed({
        TransactionID: null,
        ResultParameters: {
          ResultParameter: [
            { Key: 'TransactionStatus', Value: 'Completed' },
            { Key: 'Amount', Value: 5 },
          ],
        },
      }),
    ],
  ])('When the body has %s, then it is malformed and decides nothing', (_label, body) => {
    expect(parseTransactionStatusResult(body).ok).toBe(false);
  });
});

describe('SecurityCredential', () => {
  it('When encrypted to the simulator certificate, then the simulator decrypts the initiator password; a wrong key does not', async () => {
    const keys = await createSecurityKeys();
    const credential = securityCredential('Safaricom999!*!', keys.certificatePem);
    expect(Buffer.from(credential, 'base64')).toHaveLength(256);
    expect(keys.decrypt(credential)).toBe('Safaricom999!*!');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(keys.decrypt(securityCredential('Safaricom999!*!', other.toString()))).toBeNull();
    expect(keys.decrypt('not base64 !')).toBeNull();
  });
  it('When the certificate is not a PEM, then a typed error says so', () => {
    expect(() => securityCredential('pw', 'garbage')).toThrow(SecurityCredentialError);
  });
});
