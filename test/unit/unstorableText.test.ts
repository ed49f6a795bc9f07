import { findUnstorableText, MAX_NESTING_DEPTH } from '../../domain/controlCharacters';

describe('findUnstorableText', () => {
  it('When strings hold only text (tabs and new lines included), then nothing is found', () => {
    expect(findUnstorableText({ a: 'Café ☕ 🇰🇪', b: ['line\none\ttab\r'], c: 1, d: null, e: true })).toBeNull();
  });

  it('When a value or a key holds a control character, then its place and the character are named', () => {
    expect(findUnstorableText({ a: { b: ['ok', 'x\u0000'] } })).toEqual({
      path: ['a', 'b', 1],
      problem: 'contains a control character (U+0000)',
    });
    expect(findUnstorableText({ meta: { ['k\u0085']: 'v' } })).toEqual({
      path: ['meta'],
      problem: 'has a key that contains a control character (U+0085)',
    });
  });

  it('When a string holds an unpaired surrogate, then it is refused; a paired one is text', () => {
    expect(findUnstorableText({ k: 'a\ud800' })?.problem).toMatch(/unpaired UTF-16 surrogate/);
    expect(findUnstorableText({ k: '\udc00b' })?.problem).toMatch(/unpaired UTF-16 surrogate/);
    expect(findUnstorableText({ k: '\ud83d\ude00' })).toBeNull();
  });

  it('When the first problem comes first in the document, then it is the one reported', () => {
    expect(findUnstorableText(['\u0001', '\u0002'])?.path).toEqual([0]);
  });

  it('When values nest deeper than the limit, then that is reported, however deep they go (no recursion)', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(findUnstorableText(deep)?.problem).toBe(`nests deeper than ${MAX_NESTING_DEPTH} levels`);
    let allowed: unknown = 'leaf';
    for (let i = 0; i < MAX_NESTING_DEPTH; i += 1) allowed = [allowed];
    expect(findUnstorableText(allowed)).toBeNull();
  });
});
