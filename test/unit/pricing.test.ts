import { feeFor, validateTiers, type FeeTier } from '../../domain/pricing';

const tiers: FeeTier[] = [
  { min: 1, max: 100, fee: 1 },
  { min: 101, max: 500, fee: 6 },
  { min: 501, max: 1000, fee: 15 },
  { min: 1001, max: 10000, fee: 50 },
];

describe('feeFor', () => {
  it.each([
    [1, 1],
    [100, 1],
    [101, 6],
    [500, 6],
    [1000, 15],
    [10000, 50],
  ])('When the amount is %i, then the fee is %i (bounds inclusive)', (amount, fee) => {
    expect(feeFor(amount, tiers)).toBe(fee);
  });

  it('When no tier covers the amount, then there is no fee', () => {
    expect(feeFor(10001, tiers)).toBeUndefined();
    expect(feeFor(0, tiers)).toBeUndefined();
  });
});

describe('validateTiers', () => {
  it('When tiers start at 1 and touch, then they are valid', () => {
    expect(() => validateTiers(tiers)).not.toThrow();
  });

  it('When two tiers overlap, then the error names the overlap', () => {
    const overlapping = [tiers[0]!, { min: 100, max: 500, fee: 6 }];
    expect(() => validateTiers(overlapping)).toThrow(/overlaps the previous tier: it should start at 101/);
  });

  it('When tiers leave a gap, then the error names the gap', () => {
    expect(() => validateTiers([tiers[0]!, { min: 150, max: 500, fee: 6 }])).toThrow(/leaves a gap/);
  });

  it.each([
    [[], /At least one/],
    [[{ min: 2, max: 100, fee: 1 }], /should start at 1/],
    [[{ min: 1, max: 100, fee: -1 }], /cannot be negative/],
    [[{ min: 1, max: 100, fee: 1.5 }], /whole KES/],
    [[{ min: 10, max: 5, fee: 1 }], /min is above max/],
  ])('When the tiers are %p, then they are refused', (bad, message) => {
    expect(() => validateTiers(bad as FeeTier[])).toThrow(message);
  });
});
