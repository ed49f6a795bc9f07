import type { PulledTransaction } from '../../daraja/recordTypes';
import { matchPulledCredit } from '../../domain/mpesaRecordMatch';

const payment = {
  amount: 321,
  accountReference: 'SHOP-1',
  phoneNumber: '254712345678',
  createdAt: new Date('2026-12-07T17:00:00Z'),
};
const credit = (overrides: Partial<PulledTransaction> = {}): PulledTransaction => ({
  receipt: 'OEI2AK4Q16',
  occurredAt: '2026-12-07T17:00:20.000Z',
  msisdn: '254712345678',
  sender: null,
  transactionType: null,
  billReference: 'shop-1 ',
  amount: 321,
  organizationName: null,
  ...overrides,
});

describe('Matching a Pull Transactions credit to a payment', () => {
  it('When one credit has the reference, time and amount, then it matches', () => {
    expect(matchPulledCredit(payment, [credit(), credit({ receipt: 'X000000001', amount: 5 })], new Set())).toEqual({
      credit: credit(),
      amountDiffers: false,
    });
  });
  it('When the only candidate has another amount, then it matches as disagreeing', () => {
    expect(matchPulledCredit(payment, [credit({ amount: 320 })], new Set())?.amountDiffers).toBe(true);
  });
  it.each([
    ['its receipt belongs to another payment', [credit()], new Set(['OEI2AK4Q16'])],
    ['it is 20 minutes after the payment', [credit({ occurredAt: '2026-12-07T17:20:00.000Z' })], new Set<string>()],
    ['it is two minutes before the payment', [credit({ occurredAt: '2026-12-07T16:58:00.000Z' })], new Set<string>()],
    ['it has another reference', [credit({ billReference: 'SHOP-2' })], new Set<string>()],
    ['its unmasked number is another', [credit({ msisdn: '254700000000' })], new Set<string>()],
    [
      'two credits of the amount cannot be told apart',
      [credit(), credit({ receipt: 'OEI2AK4Q17' })],
      new Set<string>(),
    ],
    [
      'two candidates of other amounts cannot be told apart',
      [credit({ amount: 1 }), credit({ receipt: 'OEI2AK4Q17', amount: 2 })],
      new Set<string>(),
    ],
  ])('When %s, then nothing matches', (_label, credits, claimed) => {
    expect(matchPulledCredit(payment, credits, claimed)).toBeNull();
  });
  it('When the number is masked or hashed, then it is not used either way', () => {
    expect(matchPulledCredit(payment, [credit({ msisdn: '2547XX XXX 678' })], new Set())).not.toBeNull();
    expect(matchPulledCredit(payment, [credit({ msisdn: 'a'.repeat(64) })], new Set())).not.toBeNull();
  });
});
