import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** How the merchant's webhook endpoint behaves right now. */
export type ReceiverMode = { kind: 'ok' } | { kind: 'failing' } | { kind: 'slow'; delayMs: number };

/** One webhook the receiver accepted (answered 2xx to). */
export interface AcceptedWebhook {
  transactionId: number;
  event: string;
  deliveryId: string;
  at: number;
}

/**
 * The merchants' webhook endpoint during a chaos run. It records every delivery it accepted, so
 * "one accepted webhook per event" can be checked; failing answers 500, slow answers 200 after a
 * delay (a worker that dies meanwhile never learns it was accepted).
 */
export interface WebhookReceiver {
  url: string;
  accepted: AcceptedWebhook[];
  /** Deliveries answered 500 while failing. */
  refused: number;
  setMode(mode: ReceiverMode): void;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let mode: ReceiverMode = { kind: 'ok' };
  const state = { refused: 0 };
  const accepted: AcceptedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const now = mode;
        if (now.kind === 'failing') {
          state.refused += 1;
          res.writeHead(500).end('receiver failing on purpose');
          return;
        }
        if (now.kind === 'slow') await sleep(now.delayMs);
        let transactionId = NaN;
        try {
          transactionId = Number(
            (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ImaraPay?: { transaction_id?: unknown } }).ImaraPay
              ?.transaction_id,
          );
        } catch {
          // recorded with NaN: a body the checks cannot attribute shows up as a finding
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        // Counted once the answer is out: the sender may still miss it (a killed worker).
        res.end('{"ok":true}', () =>
          accepted.push({
            transactionId,
            event: String(req.headers['x-imarapay-event'] ?? ''),
            deliveryId: String(req.headers['x-imarapay-delivery'] ?? ''),
            at: Date.now(),
          }),
        );
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/imarapay`,
    accepted,
    get refused() {
      return state.refused;
    },
    setMode: (next) => (mode = next),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
