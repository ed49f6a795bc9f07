import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  body: any;
  /** The exact bytes received, as text: what the signature covers. */
  rawBody: string;
  answeredWith: number;
}

/**
 * A merchant's webhook endpoint. `script` is either the statuses of the first requests (then 200 for ever)
 * or a function choosing the status from the event header.
 */
export async function startWebhookReceiver(
  script: number[] | ((event: string) => number) = [],
): Promise<{ url: string; received: ReceivedWebhook[]; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const server: Server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status =
        typeof script === 'function'
          ? script(String(req.headers['x-imarapay-event']))
          : (script[received.length] ?? 200);
      const rawBody = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body: JSON.parse(rawBody), rawBody, answeredWith: status });
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { ok: true } : { error: 'receiver is down' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/payment/callback`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A merchant's receiver that takes its time: it records each webhook (and its delivery id) the
 * moment the request arrives, i.e. the moment it accepts it, and answers 200 only `answerAfterMs` later.
 */
export async function startSlowReceiver(answerAfterMs: number) {
  const received: { deliveryId: string; event: string }[] = [];
  const server: Server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const header = (name: string) => String(req.headers[name]);
      received.push({ deliveryId: header('x-imarapay-delivery'), event: header('x-imarapay-event') });
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"ok":true}');
      }, answerAfterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/payment/callback`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
