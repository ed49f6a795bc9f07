import { Writable } from 'node:stream';
import { createLogger, logFormatOf } from '../../config/logger';

/** What a logger writes to a stream, as text. */
function capture(): { sink: Writable; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { sink, text: () => text };
}

describe('Log format', () => {
  it.each([
    [{}, true, 'pretty'],
    [{}, false, 'json'],
    [{ LOG_FORMAT: 'json' }, true, 'json'],
    [{ LOG_FORMAT: 'pretty' }, false, 'pretty'],
    [{ LOG_FORMAT: 'fancy' }, false, 'json'],
    [{ APP_ENV: 'production' }, true, 'json'],
    [{ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }, true, 'json'],
  ] as const)('When the environment is %j and stdout a terminal is %s, then logs are %s', (env, isTTY, expected) => {
    expect(logFormatOf(env, isTTY)).toBe(expected);
  });

  it('When logs are pretty, then each entry is one readable line, secrets still redacted', () => {
    const { sink, text } = capture();
    const logger = createLogger('info', sink, 'pretty').child({ component: 'api' });
    logger.info({ url: 'http://127.0.0.1:3000/api', body: { password: 'hunter2' } }, 'Payments API listening');
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO.*Payments API listening/);
    expect(lines[0]).toContain('http://127.0.0.1:3000/api');
    expect(lines[0]).not.toContain('hunter2');
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });

  it.each(['password', 'api_password', 'secret', 'token', 'passkey', 'authorization'])(
    'When a secret field %s is logged at the top level, then it is redacted',
    (field) => {
      const { sink, text } = capture();
      createLogger('info', sink).info({ [field]: 'hunter2' }, 'something happened');
      expect(JSON.parse(text())).toMatchObject({ [field]: '[redacted]' });
    },
  );

  it('When logs go to a given stream without a format, then they are JSON', () => {
    const { sink, text } = capture();
    createLogger('info', sink).info({ transaction_id: 42 }, 'payment settled');
    expect(JSON.parse(text())).toMatchObject({ level: 30, msg: 'payment settled', transaction_id: 42 });
  });
});
