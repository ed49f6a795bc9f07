import type { Context } from 'koa';
import type { Logger } from '../../config/logger';
import { errorHandler } from '../../api/errors';

/** A logger that keeps each line's level and message. */
function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = [];
  const at =
    (level: string) =>
    (_fields: unknown, message: string): void => {
      lines.push({ level, message });
    };
  const logger = { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as unknown as Logger;
  return { logger, lines };
}

/** The parts of a Koa context the error middleware reads and writes. */
function fakeContext(requestComplete: boolean) {
  const headers = new Map<string, string>();
  return {
    method: 'POST',
    req: { complete: requestComplete },
    status: 404,
    body: undefined as unknown,
    set: (name: string, value: string) => headers.set(name, value),
    response: { get: (name: string) => headers.get(name) ?? '' },
    headers,
  };
}

describe('A client that abandons its upload', () => {
  it.each([
    ['raw-body', Object.assign(new Error('request aborted'), { type: 'request.aborted' })],
    ['the socket', Object.assign(new Error('aborted'), { code: 'ECONNRESET' })],
  ])(
    'When %s reports the abort before the body was read, then it is logged at info without a stack, not as an unexpected error',
    async (_source, abort) => {
      const { logger, lines } = recordingLogger();
      const ctx = fakeContext(false);
      await errorHandler(logger)(ctx as unknown as Context, () => Promise.reject(abort));
      expect(lines).toEqual([{ level: 'info', message: 'client aborted the request before sending all of it' }]);
      expect(ctx.status).toBe(400);
    },
  );

  it('When the same error comes after the whole request was read, then it is an unexpected error (500)', async () => {
    const { logger, lines } = recordingLogger();
    const ctx = fakeContext(true);
    await errorHandler(logger)(ctx as unknown as Context, () =>
      Promise.reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })),
    );
    expect(lines.map((l) => l.level)).toEqual(['error']);
    expect(ctx.status).toBe(500);
  });
});
