import { Writable } from 'node:stream';
import { freePort } from '../../scripts/net';
import { createLogger } from '../../config/logger';
import { createMetricsRegistry, openOpsListener } from '../../observability';

/** The ops listener's start-up line, written through the real logger (with its redaction). */
async function listeningLine(token: string | undefined): Promise<Record<string, unknown>> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger('info', sink);
  const ops = await openOpsListener(
    { METRICS_HOST: '127.0.0.1', METRICS_PORT: await freePort(), METRICS_TOKEN: token },
    { registry: createMetricsRegistry('api'), logger },
  );
  await ops?.close();
  return JSON.parse(lines.find((l) => l.includes('metrics listening')) ?? '{}') as Record<string, unknown>;
}

describe('The metrics listener’s start-up log', () => {
  it('When a token is or is not configured, then the log says whether one is required, not "[redacted]"', async () => {
    expect(await listeningLine('a-metrics-token-of-32-characters')).toMatchObject({ tokenRequired: true });
    expect(await listeningLine(undefined)).toMatchObject({ tokenRequired: false });
  });
});
