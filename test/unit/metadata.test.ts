import { validateMetadata } from '../../domain/metadata';
import { AppError } from '../../domain/errors';

const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

function refusal(value: unknown): AppError {
  try {
    validateMetadata(value, 'metadata');
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected the metadata to be refused');
}

describe('validateMetadata', () => {
  it('When values are strings, integers, floats and booleans, then they are kept as given', () => {
    const value = { user_preference: 'dark_mode', last_login: 1640995200, account_balance: 1250.75, is_premium: true };
    expect(validateMetadata(value, 'metadata')).toEqual(value);
    expect(validateMetadata(undefined, 'metadata')).toEqual({});
  });

  it('When there are 50 pairs, then they pass; 51 are refused', () => {
    expect(Object.keys(validateMetadata(pairs(50), 'metadata'))).toHaveLength(50);
    expect(refusal(pairs(51)).message).toMatch(/at most 50/);
  });

  it('When a key has 40 characters, then it passes; 41 is refused naming the key', () => {
    expect(() => validateMetadata({ ['k'.repeat(40)]: 1 }, 'metadata')).not.toThrow();
    const err = refusal({ ['k'.repeat(41)]: 1 });
    expect(err.message).toContain('k'.repeat(41));
    expect(err.details).toEqual({ field: `metadata.${'k'.repeat(41)}` });
  });

  it('When a string value has 500 characters, then it passes; 501 is refused naming the key', () => {
    expect(() => validateMetadata({ note: 'x'.repeat(500) }, 'metadata')).not.toThrow();
    expect(refusal({ note: 'x'.repeat(501) }).details).toEqual({ field: 'metadata.note' });
  });

  it.each([
    [{ nested: { a: 1 } }, 'object'],
    [{ list: [1, 2] }, 'array'],
    [{ nothing: null }, 'null'],
    [{ huge: Number.POSITIVE_INFINITY }, 'finite'],
  ])('When a value is %p, then it is refused as an unsupported type', (value, word) => {
    expect(refusal(value).message).toContain(word);
  });

  it.each([[[1, 2]], ['text'], [42]])('When metadata is %p instead of an object, then it is refused', (value) => {
    expect(refusal(value).details).toEqual({ field: 'metadata' });
  });
});
