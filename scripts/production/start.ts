/**
 * `npm run production:local`: ImaraPay in its production shape on this machine, as one supervised
 * process tree (see shape.ts): an embedded Postgres on its own port and data folder
 * (.data/production), the Temporal server on that Postgres with 4 history shards, the migrations,
 * the Daraja simulator, two API instances and two workers, and a round-robin proxy in front of the
 * APIs (Daraja's callbacks go through it too), each API and worker with its metrics on a loopback
 * ops listener. Ctrl-C stops it in reverse order.
 *
 * APP_ENV stays `development`: production demands an HTTPS PUBLIC_BASE_URL, which this machine
 * cannot serve. The secrets production checks are real ones all the same, generated once into
 * .data/production/secrets.json.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../config/config';
import { ensureDemoMerchant } from '../../db/demoMerchant';
import { prefixedLog } from '../log';
import { DATA_DIR, REPO_ROOT } from '../paths';
import { Supervisor } from '../supervisor';
import { startRoundRobinProxy } from './proxy';
import { startShape } from './shape';

/** Away from `npm start`'s ports (3000, 4010, 7233, 8233, 54329), so both can run at once. */
const PORTS = {
  postgres: 54339,
  temporal: 7333,
  simulator: 4011,
  apis: [3001, 3002],
  proxy: 3100,
  metrics: { apis: [9471, 9472], workers: [9481, 9482] },
};
const DATA = path.join(DATA_DIR, 'production');

const log = prefixedLog('production');
const supervisor = new Supervisor(log);
supervisor.handleSignals();

void supervisor.run(async () => {
  fs.mkdirSync(DATA, { recursive: true });
  const proxyUrl = `http://127.0.0.1:${PORTS.proxy}`;
  const appEnv = { APP_ENV: 'development', ...productionSecrets(path.join(DATA, 'secrets.json')) };
  loadConfig({ ...process.env, ...appEnv }); // fail on a bad setting before anything starts
  const shape = await startShape({
    dataDir: DATA,
    ports: PORTS,
    apiInstances: PORTS.apis.length,
    workers: 2,
    appEnv,
    publicBaseUrl: proxyUrl,
    launcher: supervisor,
    log,
  });
  const proxy = await startRoundRobinProxy({ targets: shape.apiUrls, port: PORTS.proxy });
  supervisor.watch({ name: 'proxy', exited: new Promise(() => undefined), stop: () => proxy.stop() });

  const config = loadConfig(shape.env);
  const merchant = await ensureDemoMerchant(config);
  const merchantFile = path.join(DATA, 'demo-merchant.json');
  fs.writeFileSync(merchantFile, `${JSON.stringify(merchant, null, 2)}\n`, { mode: 0o600 });
  const rows: [string, string][] = [
    ['Payments API', `${proxyUrl}/api  (round robin over both instances)`],
    ...shape.apiUrls.map((url, i): [string, string] => [`API instance ${i + 1}`, `${url}/api`]),
    ['Temporal server', `${shape.temporalAddress}  (Postgres persistence, 4 history shards; no Web UI)`],
    ['Daraja simulator', shape.simulatorUrl],
    ['Postgres', `127.0.0.1:${PORTS.postgres}, data in ${path.relative(REPO_ROOT, path.join(DATA, 'postgres'))}`],
    ['Workers', '2'],
    ...PORTS.metrics.apis.map((port, i): [string, string] => [
      `API ${i + 1} metrics`,
      `http://127.0.0.1:${port}/metrics`,
    ]),
    ...PORTS.metrics.workers.map((port, i): [string, string] => [
      `Worker ${i + 1} metrics`,
      `http://127.0.0.1:${port}/metrics`,
    ]),
  ];
  process.stdout.write(
    [
      '',
      'ImaraPay (production shape) is running. Press Ctrl-C to stop.',
      '',
      ...rows.map(([k, v]) => `  ${k.padEnd(18)}${v}`),
      '',
      `  Demo merchant in ${path.relative(REPO_ROOT, merchantFile)}: api_username ${merchant.api_username}, account_id ${merchant.account_id}`,
      `  Temporal CLI: temporal workflow list --address ${shape.temporalAddress}`,
      '',
      '',
    ].join('\n'),
  );
});

/** The three secrets APP_ENV=production insists on, generated on first use and kept. */
function productionSecrets(file: string): Record<string, string> {
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  const secret = () => randomBytes(24).toString('base64url');
  const secrets = { API_KEY_PEPPER: secret(), DARAJA_CALLBACK_TOKEN: secret(), WEBHOOK_SECRET_KEY: secret() };
  fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
