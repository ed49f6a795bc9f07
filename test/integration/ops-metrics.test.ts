import axios from 'axios';
import type { Config } from '../../config/config';
import { freePort, isPortOpen } from '../../scripts/net';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { killHard, spawnWorkerProcess, waitForWorkerStarted } from '../support/workerProcess';
import { killApiProcess, startApiProcess, type ApiProcess } from '../support/apiProcess';
import { parseSamples, valueOf } from '../support/prometheusText';
import { startWebhookReceiver } from '../support/webhookReceiver';

/**
 * The API and the worker as real processes (api/main.ts, worker/main.ts), each with its ops
 * listener, scraped over HTTP before and after a real payment.
 */

quietTemporalRuntime();
jest.setTimeout(180_000);

const TOKEN = 'ops-metrics-test-token-0123456789';
const http = axios.create({ validateStatus: () => true, timeout: 30_000 });
const scrape = async (url: string) => {
  const res = await http.get<string>(`${url}/metrics`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
    responseType: 'text',
  });
  expect(res.status).toBe(200);
  return res.data;
};

let stack: Stack;
let api: ApiProcess | undefined;
let worker: ReturnType<typeof spawnWorkerProcess> | undefined;
let apiUrl: string;
let apiMetricsUrl: string;
let workerMetricsUrl: string;

beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
  const [apiPort, apiMetricsPort, workerMetricsPort] = [await freePort(), await freePort(), await freePort()];
  worker = spawnWorkerProcess({
    ...stack.config,
    METRICS_PORT: workerMetricsPort,
    METRICS_TOKEN: TOKEN,
    // Scrapes before and after one payment must both read the database.
    METRICS_GAUGE_CACHE_SECONDS: 0,
    TEMPORAL_WORKFLOW_BUNDLE: process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE,
  } as Config);
  api = await startApiProcess(stack.config, {
    API_PORT: String(apiPort),
    METRICS_PORT: String(apiMetricsPort),
    METRICS_TOKEN: TOKEN,
    METRICS_GAUGE_CACHE_SECONDS: '0',
  });
  await waitForWorkerStarted(worker);
  apiUrl = `http://127.0.0.1:${apiPort}/api`;
  apiMetricsUrl = `http://127.0.0.1:${apiMetricsPort}`;
  workerMetricsUrl = `http://127.0.0.1:${workerMetricsPort}`;
});
afterAll(async () => {
  await killApiProcess(api);
  if (worker) await killHard(worker.child);
  await stack?.stop();
});

describe('Metrics of the API and the worker', () => {
  it('When a KES 500 sandbox push completes, then both processes report it: payments, push latency, callbacks, webhooks, ledger, HTTP', async () => {
    // The merchant's receiver fails the first webhook, then accepts the retry.
    const receiver = await startWebhookReceiver([503]);
    const merchant = await createMerchantFixture(stack, { walletKes: 100, callbackUrl: receiver.url });
    const before = await scrape(apiMetricsUrl);
    const attempts = (text: string, result: string) => valueOf(text, 'imarapay_webhook_attempts', { result });
    const deliveredBefore = valueOf(before, 'imarapay_webhook_deliveries', { status: 'delivered' });
    const completedBefore = valueOf(before, 'imarapay_payments', { status: 'completed', decider: 'callback' });
    const pushesBefore = valueOf(before, 'imarapay_push_latency_seconds_count', {
      route: '/api/stk-push',
      outcome: 'accepted',
    });
    const capturesBefore = valueOf(before, 'imarapay_ledger_movements', { kind: 'fee_capture' });

    const push = await http.post(
      `${apiUrl}/stk-push`,
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(push.status).toBe(200);
    await eventually(async () => {
      const status = await http.get(`${apiUrl}/transaction/status/${push.data.checkout_request_id}`, {
        headers: { Authorization: merchant.authorization },
      });
      return status.data.status === 'completed' ? true : undefined;
    });

    await eventually(async () => (receiver.received.length >= 2 ? true : undefined));
    await receiver.close();
    const after = await eventually(async () => {
      const text = await scrape(apiMetricsUrl);
      return valueOf(text, 'imarapay_webhook_deliveries', { status: 'delivered' }) > deliveredBefore ? text : undefined;
    });
    expect(valueOf(after, 'imarapay_webhook_deliveries', { status: 'delivered' })).toBe(deliveredBefore + 1);
    expect(attempts(after, '5xx')).toBe(attempts(before, '5xx') + 1);
    expect(attempts(after, '2xx')).toBe(attempts(before, '2xx') + 1);
    expect(valueOf(after, 'imarapay_payments', { status: 'completed', decider: 'callback' })).toBe(completedBefore + 1);
    expect(valueOf(after, 'imarapay_push_latency_seconds_count', { route: '/api/stk-push', outcome: 'accepted' })).toBe(
      pushesBefore + 1,
    );
    expect(
      valueOf(after, 'imarapay_push_latency_seconds_sum', { route: '/api/stk-push', outcome: 'accepted' }),
    ).toBeGreaterThan(0);
    expect(valueOf(after, 'imarapay_ledger_movements', { kind: 'fee_capture' })).toBe(capturesBefore + 1);
    // The KES 500 tier's fee, reserved (−6) for this merchant and every earlier payment of the database.
    expect(valueOf(after, 'imarapay_ledger_movements_kes', { kind: 'fee_reserve' })).toBeLessThanOrEqual(-6);
    expect(valueOf(after, 'imarapay_callbacks', { disposition: 'signalled' })).toBeGreaterThanOrEqual(1);
    // Request durations are labelled by route template, never by a path carrying an id or a token.
    const durations = parseSamples(after).filter((s) => s.name === 'imarapay_http_request_duration_seconds_count');
    expect(durations.find((s) => s.labels.route === '/api/stk-push' && s.labels.method === 'POST')?.labels.status).toBe(
      '200',
    );
    const routes = [...new Set(durations.map((s) => s.labels.route))];
    expect(routes.filter((route) => /ws_CO|\d{4,}/.test(route ?? ''))).toEqual([]);
    for (const name of [
      'imarapay_webhook_backlog_oldest_seconds',
      'imarapay_callback_redrives',
      'imarapay_reconciliation_findings',
      'imarapay_process_resident_memory_bytes',
    ]) {
      expect([name, after]).toEqual([name, expect.stringContaining(`# TYPE ${name} `)]);
    }
    expect(valueOf(after, 'imarapay_scrape_errors', { gauge: 'imarapay_payments' })).toBe(0);

    // The worker reads the same database, and adds the Temporal SDK's runtime metrics.
    const fromWorker = await scrape(workerMetricsUrl);
    expect(valueOf(fromWorker, 'imarapay_payments', { status: 'completed', decider: 'callback' })).toBe(
      completedBefore + 1,
    );
    const temporalSamples = parseSamples(fromWorker).filter((s) => s.name.startsWith('temporal_'));
    expect(temporalSamples.length).toBeGreaterThan(0);
    expect(temporalSamples.some((s) => s.name === 'temporal_workflow_completed_total' && s.value >= 1)).toBe(true);
  });

  it.each([
    ['no credentials', undefined],
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a Basic header', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`],
  ])('When /metrics is asked with %s, then it is 401 JSON', async (_, authorization) => {
    for (const url of [apiMetricsUrl, workerMetricsUrl]) {
      const res = await http.get(`${url}/metrics`, { headers: authorization ? { Authorization: authorization } : {} });
      expect([url, res.status, res.data]).toEqual([
        url,
        401,
        { error: 'Missing or invalid metrics token', code: 'unauthorized' },
      ]);
    }
  });

  it('When another path of the ops listener is asked, then it is a JSON 404, and the API port serves no /metrics', async () => {
    for (const path of ['/', '/metrics/', '/api/health', '/Metrics']) {
      const res = await http.get(`${apiMetricsUrl}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect([path, res.status, res.data]).toEqual([path, 404, { error: 'Not found', code: 'not_found' }]);
    }
    const onApiPort = await http.get(`${apiUrl.replace(/\/api$/, '')}/metrics`, {
      headers: { Accept: 'application/json' },
    });
    expect(onApiPort.data).not.toEqual(expect.stringContaining('imarapay_'));
  });

  it('When the worker and the API get SIGTERM, then each closes its ops listener and exits 0', async () => {
    const exits = [worker!.child, api!.child].map(
      (child) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))),
    );
    worker!.child.kill('SIGTERM');
    api!.child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
    expect(worker!.output()).toContain('payment worker stopped');
    for (const url of [apiMetricsUrl, workerMetricsUrl]) {
      const { port } = new URL(url);
      expect([url, await isPortOpen('127.0.0.1', Number(port))]).toEqual([url, false]);
    }
  });
});
