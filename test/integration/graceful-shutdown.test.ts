import { Agent } from 'node:http';
import axios from 'axios';
import { freePort, isPortOpen } from '../../scripts/net';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { killApiProcess, startApiProcess, type ApiProcess } from '../support/apiProcess';

/**
 * The API as a real process (api/main.ts) receiving SIGTERM while a slow STK push is in flight:
 * the KES 9907 push hangs at Daraja until the worker's Daraja timeout, then answers 202.
 */

quietTemporalRuntime();
jest.setTimeout(120_000);

let stack: Stack;
let api: ApiProcess | undefined;
beforeAll(async () => {
  stack = await startStack({ env: { DARAJA_HTTP_TIMEOUT_MS: '4000' }, simulator: { pushHangMs: 6000 } });
});
afterEach(async () => {
  await killApiProcess(api);
});
afterAll(async () => {
  await stack?.stop();
});

/** Starts a KES 9907 push on the API process and resolves once Daraja holds it (the request is in flight). */
async function slowPushInFlight(port: number) {
  const merchant = await createMerchantFixture(stack, { walletKes: 100 });
  const slowPushes = () => stack.simulator.control.pushes().filter((p) => p.amount === 9907).length;
  const before = slowPushes();
  const answer = axios
    .post(
      `http://127.0.0.1:${port}/api/stk-push`,
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 9907 },
      { headers: { Authorization: merchant.authorization }, validateStatus: () => true, timeout: 60_000 },
    )
    .then(
      (res) => ({ status: res.status, data: res.data as Record<string, unknown> }),
      (err: unknown) => ({ status: 0, data: { error: String(err) } }),
    );
  let settled = false;
  void answer.then(() => (settled = true));
  await eventually(async () => (slowPushes() > before ? true : undefined), { intervalMs: 50 });
  return { answer, settled: () => settled };
}

describe('Graceful shutdown of the API', () => {
  it('When SIGTERM arrives with SHUTDOWN_DELAY_SECONDS set, then new connections are still served, readiness is 503 draining, and the process exits 0 after', async () => {
    const port = await freePort();
    api = await startApiProcess(stack.config, {
      API_PORT: String(port),
      SHUTDOWN_GRACE_SECONDS: '5',
      SHUTDOWN_DELAY_SECONDS: '3',
    });
    // One connection per request: each ask is a new connection, as a load balancer's health check is.
    const fresh = axios.create({
      baseURL: `http://127.0.0.1:${port}/api`,
      validateStatus: () => true,
      httpAgent: new Agent({ keepAlive: false }),
    });
    expect((await fresh.get('/ready')).status).toBe(200);

    api.child.kill('SIGTERM');
    const ready = await eventually(
      async () => {
        const res = await fresh.get('/ready');
        return res.status === 503 ? res : undefined;
      },
      { intervalMs: 20 },
    );
    expect(ready.data).toEqual({ error: 'Shutting down', code: 'not_ready', draining: true });
    const health = await fresh.get('/health');
    expect([health.status, health.data]).toEqual([200, { status: 'ok' }]);

    expect(await api.exited).toBe(0);
    expect(await isPortOpen('127.0.0.1', port)).toBe(false);
  });

  it('When SIGTERM arrives while a push is in flight, then new connections are refused, the push gets its full answer, and the process exits 0', async () => {
    const port = await freePort();
    api = await startApiProcess(stack.config, {
      API_PORT: String(port),
      SHUTDOWN_GRACE_SECONDS: '60',
      SHUTDOWN_DELAY_SECONDS: '0',
    });
    const push = await slowPushInFlight(port);

    api.child.kill('SIGTERM');
    await eventually(async () => ((await isPortOpen('127.0.0.1', port)) ? undefined : true), { intervalMs: 50 });
    // Refused while the push was still being answered: it has not settled yet.
    expect(push.settled()).toBe(false);

    const { status, data } = await push.answer;
    expect(status).toBe(202);
    expect(data).toMatchObject({ success: true, transaction_id: expect.any(Number) });
    expect(await api.exited).toBe(0);
    expect(api.output()).toContain('Payments API stopped');
  });

  it('When a request outlasts SHUTDOWN_GRACE_SECONDS, then it is cut and the process still exits 0', async () => {
    const port = await freePort();
    api = await startApiProcess(stack.config, {
      API_PORT: String(port),
      SHUTDOWN_GRACE_SECONDS: '1',
      SHUTDOWN_DELAY_SECONDS: '0',
    });
    const push = await slowPushInFlight(port);

    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    const { status } = await push.answer;
    expect(status).toBe(0); // the connection was closed without an answer
    expect(api.output()).toContain('requests still running after the grace period were cut off');
  });
});
