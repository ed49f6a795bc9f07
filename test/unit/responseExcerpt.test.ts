import { RESPONSE_EXCERPT_LIMIT, responseExcerptOf } from '../../domain/responseExcerpt';

describe('responseExcerptOf', () => {
  it('When the answer is long, then at most 200 characters are kept', () => {
    expect(RESPONSE_EXCERPT_LIMIT).toBe(200);
    expect(responseExcerptOf('x'.repeat(5000))).toBe('x'.repeat(200));
  });

  it('When the answer holds control characters, escapes or line breaks, then only printable text is kept, whitespace folded', () => {
    expect(responseExcerptOf('SSH-2.0-OpenSSH_9.6\r\n\u0000\u0007\u001b[31mred\u001b[0m\u200b\tend')).toBe(
      'SSH-2.0-OpenSSH_9.6 [31mred[0m end',
    );
  });

  it('When the answer is ordinary JSON or non-Latin text, then it is kept as it is', () => {
    expect(responseExcerptOf('{"ok":true,"message":"Asante sana — 支払い"}')).toBe(
      '{"ok":true,"message":"Asante sana — 支払い"}',
    );
  });

  it('When nothing printable is left, then there is no excerpt', () => {
    expect(responseExcerptOf('')).toBeNull();
    expect(responseExcerptOf('\u0000\r\n\t')).toBeNull();
  });

  it('When characters outside the first plane fill the excerpt, then none is cut in half', () => {
    const excerpt = responseExcerptOf('😀'.repeat(300))!;
    expect(Array.from(excerpt)).toHaveLength(200);
    expect(excerpt).toBe('😀'.repeat(200));
  });
});
