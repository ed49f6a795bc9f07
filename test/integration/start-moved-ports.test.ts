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
