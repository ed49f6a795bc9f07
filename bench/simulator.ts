/**
 * The Daraja simulator as the bench runs it: simulator/app.ts with a short answer delay, callbacks
 * posted over at most BENCH_CALLBACK_SOCKETS connections at once (as a real sender would, rather
 * than 10,000 at once), and three bench-only routes next to the simulator's own control API:
 *
 *   GET  /__bench/open           how many `awaits_control` (9908) prompts are still open
 *   POST /__bench/complete-open  answers all of them with ResultCode 0, in one call
 *   GET  /__bench/pushes         per push: when it was received, answered and its callback sent
 *
 * Started as a child process by bench/stack.ts.
 */
import http from 'node:http';
import Router from '@koa/router';
import axios from 'axios';
import pino from 'pino';
import { loadConfig } from '../config/config';
import { createSimulator } from '../simulator/app';
import { requiredEnv } from './workerRuntime';

async function main(): Promise<void> {
  const config = loadConfig();
  const callbackSockets = Number(process.env.BENCH_CALLBACK_SOCKETS ?? 64);
  const simulator = createSimulator({
    credentials: {
      consumerKey: config.DARAJA_CONSUMER_KEY,
      consumerSecret: config.DARAJA_CONSUMER_SECRET,
      passkeys: { [config.DARAJA_SHORTCODE]: config.DARAJA_PASSKEY },
    },
    callbackDelayMs: Number(requiredEnv('BENCH_CALLBACK_DELAY_MS')),
    // Queued callbacks wait for a socket; the timeout only starts once one is free.
    callbackTimeoutMs: 60_000,
    // A new connection per callback, as Daraja's come from the internet. Reused keep-alive sockets
    // race the API's 5 s keep-alive timeout under load, and the simulator, like Daraja, never retries.
    http: axios.create({ httpAgent: new http.Agent({ keepAlive: false, maxSockets: callbackSockets }) }),
    logger: pino({ level: 'warn' }),
  });

  const { control } = simulator;
  const open = () => control.pushes().filter((p) => p.outcome === 'awaits_control' && p.result === null);
  const bench = new Router({ prefix: '/__bench' });
  bench.get('/open', (ctx) => {
    ctx.body = { open: open().length };
  });
  bench.post('/complete-open', (ctx) => {
    const ids = open().map((p) => p.checkoutRequestId);
    for (const id of ids) control.complete(id, { resultCode: 0 });
    ctx.body = { completed: ids.length };
  });
  bench.get('/pushes', (ctx) => {
    ctx.body = control.pushes().map((p) => ({
      checkoutRequestId: p.checkoutRequestId,
      receivedAt: Date.parse(p.receivedAt),
      answeredAt: p.answeredAt ? Date.parse(p.answeredAt) : null,
      callbackSentAt: p.callbacks[0] ? Date.parse(p.callbacks[0].at) : null,
      callbackStatus: p.callbacks[0]?.status ?? null,
    }));
  });
  simulator.app.use(bench.routes());

  await simulator.start(Number(requiredEnv('SIMULATOR_PORT')), '127.0.0.1');
  const stop = () => {
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
