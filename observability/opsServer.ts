import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../config/logger';
import { metricsCallerAccepted } from './opsAccess';

export interface OpsServerOptions {
  host: string;
  /** 0 picks a free port (tests); the caller decides whether the listener runs at all. */
  port: number;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  token?: string;
  registry: Registry;
  /** More exposition text appended to the registry's (the Temporal SDK's runtime metrics). */
  extraMetrics?: () => Promise<string>;
  logger: Logger;
}

export interface OpsServer {
  /** e.g. http://127.0.0.1:9464 */
  url: string;
  close(): Promise<void>;
}

/**
 * The ops listener, apart from the public API: `GET /metrics` in Prometheus' text format, nothing
 * else (every other path or method is a JSON 404 or 405). The same module serves the API's and the
 * worker's metrics. Resolves once listening; rejects when the address cannot be bound.
 */
export function startOpsServer({
  host,
  port,
  token,
  registry,
  extraMetrics,
  logger,
}: OpsServerOptions): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    void answer(req, res).catch((err: unknown) => {
      logger.error({ err }, 'metrics scrape failed');
      if (!res.headersSent) json(res, 500, { error: 'Metrics could not be collected', code: 'internal' });
      else res.destroy();
    });
  });
  const answer = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return json(res, 404, { error: 'Not found', code: 'not_found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return json(res, 405, { error: `${req.method} is not allowed here; allowed: GET`, code: 'method_not_allowed' });
    }
    if (!metricsCallerAccepted(req.headers.authorization, token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return json(res, 401, { error: 'Missing or invalid metrics token', code: 'unauthorized' });
    }
    const own = await registry.metrics();
    const extra = extraMetrics ? await extraMetrics() : '';
    res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : own + (extra ? `\n${extra}` : ''));
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function json(res: http.ServerResponse, status: number, body: { error: string; code: string }): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The process's ops listener as configured: METRICS_HOST:METRICS_PORT, METRICS_TOKEN; `null` when
 * METRICS_PORT is 0 (off). Fails when the port is taken: metrics that were asked for do not
 * silently go missing.
 */
export async function openOpsListener(
  config: { METRICS_HOST: string; METRICS_PORT: number; METRICS_TOKEN?: string },
  options: Pick<OpsServerOptions, 'registry' | 'extraMetrics' | 'logger'>,
): Promise<OpsServer | null> {
  if (config.METRICS_PORT === 0) return null;
  const server = await startOpsServer({
    ...options,
    host: config.METRICS_HOST,
    port: config.METRICS_PORT,
    token: config.METRICS_TOKEN,
  });
  options.logger.info(
    { url: `${server.url}/metrics`, tokenRequired: Boolean(config.METRICS_TOKEN) },
    'metrics listening',
  );
  return server;
}
