import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { freePort } from '../../scripts/net';

/**
 * `npm start`'s supervisor (scripts/start.ts) with every port moved: a payment must complete, so the
 * worker reaches the simulator on its moved port (not 4010), Daraja's callback reaches the API on its
 * moved port, and the embedded Postgres listens on POSTGRES_PORT. State goes to a folder of its own.
 */

jest.setTimeout(600_000);

const REPO = join(__dirname, '..', '..');
let dataDir: string;
let stack: ChildProcess | undefined;
let output = '';
/** The running stack's ports and demo merchant, for the tests after the first. */
let started: { ports: Record<string, number>; demo: Record<string, string | number> } | undefined;

afterAll(async () => {
  if (stack && stack.exitCode === null && stack.signalCode === null) {
    const exited = new Promise((resolve) => stack!.once('exit', resolve));
    stack.kill('SIGTERM'); // the supervisor stops API, worker, simulator, Temporal and Postgres in order
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 90_000)))]);
    clearTimeout(timer);
    if (stack.exitCode === null) stack.kill('SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (stack?.exitCode !== null && stack?.exitCode !== undefined) throw new Error(`npm start exited:\n${output}`);
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen within ${timeoutMs} ms:\n${output.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Every port `npm start` opens, each moved to a port that is free right now. */
async function movedPorts() {
  return {
    API_PORT: await freePort(),
    SIMULATOR_PORT: await freePort(),
    TEMPORAL_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    POSTGRES_PORT: await freePort(),
    API_METRICS_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
  };
}

/** Runs scripts/start.ts on `ports` and resolves with the demo merchant it wrote once it is ready. */
async function startStack(ports: Record<string, number>) {
  const env: NodeJS.ProcessEnv = { ...process.env, IMARAPAY_DATA_DIR: dataDir, LOG_FORMAT: 'json' };
  // Only the ports are given: every URL that names one must be derived from them.
  for (const derived of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'PUBLIC_BASE_URL', 'DARAJA_BASE_URL', 'TEMPORAL_UI_URL']) {
    delete env[derived];
  }
  for (const [name, port] of Object.entries(ports)) env[name] = String(port);
  env.SHUTDOWN_GRACE_SECONDS = '5';
  // The reconciliation runs often and takes payments at once, so that it asks M-Pesa within the test.
  env.RECONCILIATION_INTERVAL_SECONDS = '3';
  env.RECONCILIATION_ORPHAN_GRACE_SECONDS = '2';
  delete env.DARAJA_CERTIFICATE_PATH;

  output = '';
  stack = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  stack.stderr!.on('data', (d: Buffer) => (output += d.toString()));

  const demoFile = join(dataDir, 'demo-merchant.json');
  return waitFor(
    'the demo merchant file',
    () =>
      existsSync(demoFile) && output.includes('ImaraPay is running')
        ? (JSON.parse(readFileSync(demoFile, 'utf8')) as Record<string, string | number>)
        : undefined,
    420_000,
  );
}

it('When npm start runs with every port moved, then a payment completes through the moved simulator and API', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'imarapay-start-'));
  chmodSync(dataDir, 0o755); // as root, the embedded Postgres runs as user postgres and must reach its folder
  // On a shared machine a port found free can be taken before the stack binds it: try afresh then.
  let ports = await movedPorts();
  let demo: Record<string, string | number> | undefined;
  for (let attempt = 1; !demo; attempt += 1) {
    try {
      demo = await startStack(ports);
    } catch (err) {
      if (attempt >= 3 || !/already in use|EADDRINUSE/.test(output)) throw err;
      if (stack!.exitCode === null && stack!.signalCode === null) await new Promise((r) => stack!.once('exit', r));
      ports = await movedPorts();
    }
  }
  started = { ports, demo };
  expect(demo.base_url).toBe(`http://127.0.0.1:${ports.API_PORT}/api`);
  expect(demo.temporal_ui_url).toBe(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`);

  const headers = {
    Authorization: 'Basic ' + Buffer.from(`${demo.api_username}:${demo.api_password}`).toString('base64'),
  };
  const push = await axios.post(
    `${demo.base_url}/stk-push`,
    { account_id: demo.account_id, phone_number: '0712345678', amount: 500, external_reference: 'PORTS-1' },
    { headers, validateStatus: () => true },
  );
  expect(push.status).toBe(200);
  const status = await waitFor(
    'the payment to complete',
    async () => {
      const res = await axios.get(`${demo.base_url}/transaction/status/${push.data.checkout_request_id}`, {
        headers,
        validateStatus: () => true,
      });
      return res.data.status === 'pending' ? undefined : (res.data as { status: string; mpesa_receipt?: string });
    },
    120_000,
  );
  expect(status.status).toBe('completed');
  expect(status.mpesa_receipt).toBeTruthy();

  // The simulator on its moved port is the one that took the push.
  const taken = await axios.get(
    `http://127.0.0.1:${ports.SIMULATOR_PORT}/__control/pushes/${push.data.checkout_request_id}`,
    { validateStatus: () => true },
  );
  expect(taken.status).toBe(200);
  // What npm start printed names the moved ports too.
  expect(output).toMatch(new RegExp(`Daraja simulator +http://127\\.0\\.0\\.1:${ports.SIMULATOR_PORT}\\b`));
  expect(output).toMatch(new RegExp(`Postgres +postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${ports.POSTGRES_PORT}/`));
});

it("When npm start runs, then the reconciliation asks M-Pesa's Transaction Status on the simulator with the saved certificate and the demo till's initiator", async () => {
  const { ports, demo } = started!;
  const simulator = `http://127.0.0.1:${ports.SIMULATOR_PORT}`;
  const saved = readFileSync(join(dataDir, 'simulator-certificate.pem'), 'utf8');
  expect(saved).toBe((await axios.get<string>(`${simulator}/__control/certificate`)).data);

  // A paid payment whose second callback names another receipt: in review, so the reconciliation
  // asks Transaction Status about its receipt.
  const headers = {
    Authorization: 'Basic ' + Buffer.from(`${demo.api_username}:${demo.api_password}`).toString('base64'),
  };
  const push = await axios.post(
    `${demo.base_url}/stk-push`,
    { account_id: demo.account_id, phone_number: '0712345679', amount: 9908, external_reference: 'PORTS-2' },
    { headers, validateStatus: () => true },
  );
  expect(push.status).toBe(200);
  const id = push.data.checkout_request_id as string;
  const paid = (await axios.post(`${simulator}/__control/pushes/${id}/complete`, { resultCode: 0 })).data as {
    callbackUrl: string;
    merchantRequestId: string;
    receipt: string;
  };
  const statusOf = async () =>
    (await axios.get(`${demo.base_url}/transaction/status/${id}`, { headers, validateStatus: () => true })).data as {
      status: string;
    };
  await waitFor(
    'the payment to complete',
    async () => ((await statusOf()).status === 'completed' ? true : undefined),
    60_000,
  );
  const secondReceipt = await axios.post(paid.callbackUrl, {
    Body: {
      stkCallback: {
        MerchantRequestID: paid.merchantRequestId,
        CheckoutRequestID: id,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: 9908 },
            { Name: 'MpesaReceiptNumber', Value: 'UL9SECOND1' },
            { Name: 'TransactionDate', Value: 20261208013000 },
            { Name: 'PhoneNumber', Value: 254712345679 },
          ],
        },
      },
    },
  });
  expect(secondReceipt.status).toBe(200);
  await waitFor(
    'the payment to enter review',
    async () => ((await statusOf()).status === 'needs_review' ? true : undefined),
    60_000,
  );

  const delivery = await waitFor(
    "Transaction Status's result to reach the API",
    async () => {
      const { deliveries } = (await axios.get(`${simulator}/__control/results`)).data as {
        deliveries: Array<{
          url: string;
          kind: string;
          status: number | null;
          body: { Result: { ResultCode: unknown; TransactionID: string } };
        }>;
      };
      return deliveries.find((d) => d.body.Result.TransactionID === paid.receipt);
    },
    90_000,
  );
  // 0: M-Pesa decrypted the SecurityCredential with its own key and knew the initiator (2001 otherwise).
  expect(delivery).toMatchObject({ kind: 'result', status: 200, body: { Result: { ResultCode: 0 } } });
  expect(delivery.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${ports.API_PORT}/hooks/daraja-results/`));
});
