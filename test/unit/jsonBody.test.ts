import { nestsDeeperThan } from '../../api/jsonBody';

describe('Nesting depth, measured before JSON.parse builds anything', () => {
  it('When arrays and objects nest exactly to the limit, then it passes; one level more is refused', () => {
    const nested = (depth: number) => '['.repeat(depth - 1) + '{"a":1}' + ']'.repeat(depth - 1);
    expect(nestsDeeperThan(nested(32), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33), 32)).toBe(true);
  });

  it('When brackets sit inside strings (escaped quotes too), then they do not count', () => {
    const inString = JSON.stringify({ text: '[[[[[[[[[[ \\" [[[[[[ {{{{{{', quote: '"[[[[' });
    expect(nestsDeeperThan(inString, 2)).toBe(false);
  });

  it('When a body is a million opening brackets, then it is refused at the first one past the limit', () => {
    expect(nestsDeeperThan('['.repeat(1_000_000), 32)).toBe(true);
  });

  it('When many containers sit side by side, then only their depth counts, not their number', () => {
    expect(nestsDeeperThan(`[${'[[]],'.repeat(10_000)}[]]`, 3)).toBe(false);
  });
});
