import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The bench merchant's webhook endpoint: answers 200 and remembers when each payment's result arrived. */
export interface WebhookReceiver {
  url: string;
  /** transaction_id → epoch ms of its first `payment.completed` delivery. */
  completedAt: Map<number, number>;
  /** Deliveries that were not `payment.completed` (none are expected in the bench). */
  others: number;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const completedAt = new Map<number, number>();
  const receiver = { others: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ImaraPay?: { transaction_id?: number } };
        const id = body.ImaraPay?.transaction_id;
        if (req.headers['x-imarapay-event'] === 'payment.completed' && typeof id === 'number') {
          if (!completedAt.has(id)) completedAt.set(id, at);
        } else {
          receiver.others += 1;
        }
      } catch {
        receiver.others += 1;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/imarapay`,
    completedAt,
    get others() {
      return receiver.others;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
