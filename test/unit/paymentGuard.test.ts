import { AppError } from '../../domain/errors';
import type { FeeTier } from '../../domain/pricing';
import type { Channel } from '../../db/entities';
import { assertLiveAllowed, assertPayable, feeCovering } from '../../api/useCases/paymentGuard';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
};

const channel = (isActive: boolean) => ({ id: 7, isActive }) as Channel;

describe('assertLiveAllowed', () => {
  it('When a production payment comes and live payments are off, then it is forbidden', () => {
    expect(refusal(() => assertLiveAllowed('production', false)).code).toBe('forbidden');
  });

  it.each([
    ['sandbox', false],
    ['sandbox', true],
    ['production', true],
  ] as const)('When a %s payment comes and live is %s, then it may go on', (environment, liveEnabled) => {
    expect(() => assertLiveAllowed(environment, liveEnabled)).not.toThrow();
  });
});

describe('assertPayable', () => {
  it('When no channel of the caller has the id, then 404 names the request field', () => {
    expect(refusal(() => assertPayable(null, 7, 'accountId'))).toEqual({
      code: 'not_found',
      message: 'Payment channel 7 does not exist',
      details: { field: 'accountId' },
    });
  });

  it('When the channel is deactivated, then the payment is refused and the field named', () => {
    expect(refusal(() => assertPayable(channel(false), 7, 'account_id'))).toEqual({
      code: 'validation_failed',
      message: 'Payment channel 7 is deactivated',
      details: { field: 'account_id' },
    });
  });

  it('When the channel is active, then it is the one paid into', () => {
    const active = channel(true);
    expect(assertPayable(active, 7, 'account_id')).toBe(active);
  });
});

describe('feeCovering', () => {
  const tiers: FeeTier[] = [
    { min: 1, max: 100, fee: 0 },
    { min: 101, max: 1000, fee: 15 },
  ];

  it('When a tier covers the amount, then its fee is charged (a fee of 0 included)', () => {
    expect(feeCovering(100, tiers)).toBe(0);
    expect(feeCovering(101, tiers)).toBe(15);
  });

  it('When no tier covers the amount, then the amount field is refused', () => {
    expect(refusal(() => feeCovering(1001, tiers))).toEqual({
      code: 'validation_failed',
      message: 'No fee tier covers KES 1001',
      details: { field: 'amount' },
    });
  });
});
