import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { createWebhookActivities } from '../../activities/webhooks';
import { workerDatabase } from '../../db/workerDatabase';
import { webhookAttemptCounts } from '../../db/gaugeReads';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { startSlowReceiver, startWebhookReceiver } from '../support/webhookReceiver';

quietTemporalRuntime();

const HTTP_TIMEOUT_MS = 1500;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A receiver whose requests are answered by `answer`; it closes every open connection when closed. */
async function startReceiver(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const server: Server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/payment/callback`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type AttemptRow = { attempt_no: number; status: string; status_code: number | null; error: string | null };

const attemptsOf = (deliveryId: number) =>
  stack.orm.em
    .fork()
    .getConnection()
    .execute<AttemptRow[]>(
      'select attempt_no, status, status_code, error from webhook_attempts where delivery_id = ? order by attempt_no',
      [deliveryId],
    );

const activities = () =>
  createWebhookActivities({
    webhookDb: workerDatabase(stack.orm).webhooks,
    presence: workerDatabase(stack.orm).presence,
    http: axios.create(),
    timeoutMs: HTTP_TIMEOUT_MS,
    secretKey: stack.config.WEBHOOK_SECRET_KEY,
    publicUrlsOnly: false,
    httpsOnly: false,
  });

/** A merchant whose payment's webhook was delivered; its callback URL then moves to `url`. Returns the delivery id. */
async function deliveredDeliveryMovingTo(url: string): Promise<number> {
  const first = await startWebhookReceiver();
  try {
    const merchant = await createMerchantFixture(stack, { callbackUrl: first.url });
    const res = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(res.status).toBe(200);
    const connection = stack.orm.em.fork().getConnection();
    const deliveryId = await eventually(async () => {
      const rows = await connection.execute<{ id: number }[]>(
        "select id from webhook_deliveries where transaction_id = ? and status = 'delivered'",
        [res.data.transaction_id],
      );
      return rows[0]?.id;
    });
    await connection.execute('update merchants set callback_url = ? where id = ?', [url, merchant.merchantId]);
    return deliveryId;
  } finally {
    await first.close();
  }
}

/** Settles with the promise, or rejects after a bound far beyond any healthy attempt. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

describe('Webhook receivers that misbehave', () => {
  it('When a receiver answers 200 then trickles its body for ever, then the attempt ends in time, its outcome unknown', async () => {
    let trickling: NodeJS.Timeout | undefined;
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      trickling = setInterval(() => res.write('.'), 200);
      res.on('close', () => clearInterval(trickling));
    });
    try {
      const deliveryId = await deliveredDeliveryMovingTo(receiver.url);
      const outcome = await within(
        activities()
          .redeliverWebhook({ deliveryId, requestedAt: Date.now() })
          .then(
            () => 'accepted',
            () => 'rejected',
          ),
        30_000,
      );
      expect(outcome).toBe('rejected');
      const last = (await attemptsOf(deliveryId)).at(-1)!;
      // The request was written and no complete answer came: the receiver may have it.
      expect(last.status).toBe('unknown');
      expect(last.status_code).toBeNull();
    } finally {
      clearInterval(trickling);
      await receiver.close();
    }
  }, 60_000);

  it('When a receiver answers 200 with a huge body, then only its start is read and the 2xx is accepted', async () => {
    const TOTAL = 200 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    let finished = false;
    const receiver = await startReceiver((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const pump = () => {
        while (written < TOTAL && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) {
          finished = true;
          res.end();
        }
      };
      pump();
    });
    try {
      const deliveryId = await deliveredDeliveryMovingTo(receiver.url);
      const result = await activities().redeliverWebhook({ deliveryId, requestedAt: Date.now() });
      expect(result.delivered).toBe(true);
      const last = (await attemptsOf(deliveryId)).at(-1)!;
      expect(last).toMatchObject({ status: 'accepted', status_code: 200 });
      // The worker hung up long before the answer's end.
      expect(finished).toBe(false);
      expect(written).toBeLessThan(TOTAL / 2);
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('When the same delivery is redelivered by two activities at once, then the receiver gets one POST', async () => {
    const receiver = await startSlowReceiver(300);
    try {
      const deliveryId = await deliveredDeliveryMovingTo(receiver.url);
      const requestedAt = Date.now();
      const [a, b] = [activities(), activities()];
      const results = await Promise.all([
        a.redeliverWebhook({ deliveryId, requestedAt }),
        b.redeliverWebhook({ deliveryId, requestedAt }),
      ]);
      expect(results.map((r) => r.delivered)).toEqual([true, true]);
      expect(receiver.received).toHaveLength(1);
      expect((await attemptsOf(deliveryId)).filter((r) => r.status === 'accepted')).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('When an attempt awaits its answer, then the attempts gauge counts it as sending, not no_answer', async () => {
    const receiver = await startSlowReceiver(800);
    try {
      const deliveryId = await deliveredDeliveryMovingTo(receiver.url);
      const counts = async () =>
        Object.fromEntries((await webhookAttemptCounts(stack.runSql)).map((s) => [s.labels.result, s.value]));
      const before = await counts();
      const sending = activities().redeliverWebhook({ deliveryId, requestedAt: Date.now() });
      await eventually(async () => (receiver.received.length === 1 ? true : undefined));
      const during = await counts();
      await sending;
      expect(during.sending).toBe((before.sending ?? 0) + 1);
      expect(during.no_answer ?? 0).toBe(before.no_answer ?? 0);
    } finally {
      await receiver.close();
    }
  }, 60_000);
});
