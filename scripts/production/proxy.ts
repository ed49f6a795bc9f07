import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny round-robin HTTP proxy in front of the API instances, standing in for the load balancer of
 * a real deployment. A request goes to the next instance; when that instance refuses the
 * connection (it is down, so nothing was sent), the next one is tried. Any other failure is
 * answered 502: the request may have reached an instance, and only the client may decide to retry.
 */
export interface RoundRobinProxy {
  url: string;
  stop(): Promise<void>;
}

export interface ProxyOptions {
  /** Base URLs of the instances, e.g. http://127.0.0.1:3001. */
  targets: string[];
  host?: string;
  port?: number;
}

export async function startRoundRobinProxy({
  targets,
  host = '127.0.0.1',
  port = 0,
}: ProxyOptions): Promise<RoundRobinProxy> {
  if (targets.length === 0) throw new Error('the proxy needs at least one target');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const first = next;
      next = (next + 1) % targets.length;
      const attempt = (tried: number) => {
        const target = new URL(req.url ?? '/', targets[(first + tried) % targets.length]);
        const upstream = http.request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'ECONNREFUSED' && tried + 1 < targets.length) return attempt(tried + 1);
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'upstream failed', code: 'bad_gateway' }));
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    async stop() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
