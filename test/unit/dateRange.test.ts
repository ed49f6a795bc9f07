import { AppError } from '../../domain/errors';
import { parseDateRange } from '../../domain/dateRange';

function refusal(from?: string, to?: string): AppError {
  try {
    parseDateRange(from, to);
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected the range to be refused');
}

describe('parseDateRange', () => {
  it('When bare dates are given, then they are whole days in East Africa Time (UTC+3), the end day included', () => {
    const range = parseDateRange('2024-06-15', '2024-06-15');
    expect(range.from?.toISOString()).toBe('2024-06-14T21:00:00.000Z');
    expect(range.to).toEqual({ at: new Date('2024-06-15T21:00:00.000Z'), inclusive: false });
  });

  it('When timestamps with a zone are given, then they are taken exactly and the end is inclusive', () => {
    const range = parseDateRange('2024-06-15T10:00:00Z', '2024-06-15T13:30:00.123456+03:00');
    expect(range.from?.toISOString()).toBe('2024-06-15T10:00:00.000Z');
    expect(range.to).toEqual({ at: new Date('2024-06-15T10:30:00.123Z'), inclusive: true });
    expect(parseDateRange('2024-06-15T10:00:00Z', '2024-06-15T10:00:00Z').to?.inclusive).toBe(true);
  });

  it('When neither bound is given, then the range is open', () => {
    expect(parseDateRange(undefined, undefined)).toEqual({ from: null, to: null });
  });

  it.each([
    ['yesterday', undefined, 'from'],
    ['2024-02-30', undefined, 'from'],
    ['2024-13-01', undefined, 'from'],
    ['2024-02-30T10:00:00Z', undefined, 'from'],
    ['2024-06-15T25:00:00Z', undefined, 'from'],
    [undefined, '2024-06-15T10:00:00', 'to'],
    [undefined, '15/06/2024', 'to'],
    ['2024-06-16', '2024-06-15', 'to'],
    ['2024-06-15T10:00:01Z', '2024-06-15T10:00:00Z', 'to'],
    ['0000-01-01', undefined, 'from'],
    ['1899-12-31T20:59:59Z', undefined, 'from'],
    [undefined, '0000-01-01', 'to'],
    [undefined, '9999-12-31T23:00:00-05:00', 'to'],
  ])('When from=%p and to=%p, then 400 names %s', (from, to, field) => {
    const err = refusal(from, to);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual({ field });
  });

  it('When the range is as wide as allowed, then 1900-01-01 to 9999-12-31 (whole days in EAT) is accepted', () => {
    const range = parseDateRange('1900-01-01', '9999-12-31');
    expect(range.from?.toISOString()).toBe('1899-12-31T21:00:00.000Z');
    expect(range.to).toEqual({ at: new Date('9999-12-31T21:00:00.000Z'), inclusive: false });
  });
});
