/**
 * `npm run chaos`: starts ImaraPay's production shape (scripts/production/shape.ts) on ports of its
 * own, and for each fault runs one row: a fresh merchant pays every magic amount from clients that
 * retry with the same Idempotency-Key (and clients that do not), the fault is injected mid-burst and
 * healed, and the invariants (chaos/invariants.ts) are checked. Prints the fault × invariant matrix
 * and writes it to chaos/results/<timestamp>.{json,md}. docs/chaos.md explains the faults and invariants.
 *
 *   npm run chaos                              every fault, 78 payments per row
 *   npm run chaos -- --quick                   26 payments per row, shorter bursts
 *   npm run chaos -- --faults=temporal-kill,postgres-stop --payments=39
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/config';
import { createOrm } from '../db/orm';
import { freePort } from '../scripts/net';
import { DATA_DIR, REPO_ROOT } from '../scripts/paths';
import { startRoundRobinProxy } from '../scripts/production/proxy';
import { freeTemporalPort, startShape } from '../scripts/production/shape';
import { portsFrom } from '../scripts/temporal/productionServer';
import { AMOUNTS } from './clients';
import { startDarajaGate } from './darajaGate';
import { FAULTS, selectFaults } from './faults';
import { LoggingLauncher } from '../scripts/production/launcher';
import { faultChecks, findings, legend, markdownMatrix, textMatrix, violationsOf } from './matrix';
import { startWebhookReceiver } from './receiver';
import { runRow, type RowRecord } from './row';

const HELP = `npm run chaos -- [options]
  --quick            ${AMOUNTS.length * 2} payments per row over 20 s (default ${AMOUNTS.length * 6} over 40 s)
  --faults=LIST      any of ${FAULTS.map((f) => f.name).join(',')} (default: all)
  --payments=N       payments per row
  --bound-seconds=S  how long payments get to finish after a row's fault is healed (default 150)
  --keep-data        keep the run's Postgres and Temporal data (default: deleted after the run)`;

/** Short timers so that every outcome finishes within a row; every key is in config/config.ts. */
const CHAOS_TIMINGS: NodeJS.ProcessEnv = {
  PAYMENT_CALLBACK_TIMEOUT_MS: '10000',
  PAYMENT_UNCONFIRMED_WAIT_MS: '30000',
  PAYMENT_QUERY_WINDOW_MS: '60000',
  PAYMENT_QUERY_INTERVAL_MS: '2000',
  PAYMENT_QUERY_MAX_INTERVAL_MS: '5000',
  PAYMENT_LATE_CALLBACK_WINDOW_MS: '30000',
  PAYMENT_PUSH_DEADLINE_MS: '30000',
  WEBHOOK_INITIAL_RETRY_MS: '1000',
  WEBHOOK_MAX_RETRY_MS: '5000',
  WEBHOOK_HTTP_TIMEOUT_MS: '5000',
  DARAJA_HTTP_TIMEOUT_MS: '5000',
  // Reconciliation within a row: callbacks stored during an outage and rows left without a workflow are
  // handed over or started within seconds of the heal, well inside --bound-seconds.
  RECONCILIATION_INTERVAL_SECONDS: '10',
  RECONCILIATION_ORPHAN_GRACE_SECONDS: '5',
  // The merchant's receiver listens on this machine (APP_ENV stays development, as in production:local).
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  // Each row is one merchant paying in a burst: the per-merchant payment limits would refuse the load itself.
  RATE_LIMIT_PAYMENTS_PER_API_KEY: '100000/1s',
  RATE_LIMIT_PAYMENTS_PER_MERCHANT: '100000/1s',
  RATE_LIMIT_REVERSALS_PER_MERCHANT: '100000/1s',
  // Reversals whose result is lost to a fault ask M-Pesa's record within seconds, and end within the row.
  REVERSAL_RESULT_TIMEOUT_MS: '10000',
  REVERSAL_QUERY_INTERVAL_MS: '3000',
  REVERSAL_DOUBT_AFTER_MS: '60000',
  LOG_LEVEL: 'info',
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      faults: { type: 'string' },
      payments: { type: 'string' },
      'bound-seconds': { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(HELP);
  const quick = values.quick ?? false;
  const faults = selectFaults(values.faults);
  const payments = Number(values.payments ?? AMOUNTS.length * (quick ? 2 : 6));
  const boundMs = Number(values['bound-seconds'] ?? 150) * 1000;
  if (!Number.isInteger(payments) || payments < 1 || !Number.isFinite(boundMs) || boundMs <= 0)
    throw new Error('--payments and --bound-seconds take positive numbers');

  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const resultsDir = path.join(REPO_ROOT, 'chaos', 'results');
  const logDir = path.join(resultsDir, stamp);
  const dataDir = path.join(DATA_DIR, 'chaos', stamp);
  fs.mkdirSync(logDir, { recursive: true });
  const t0 = Date.now();
  const log = (message: string) =>
    process.stderr.write(`[chaos +${String(Math.round((Date.now() - t0) / 1000)).padStart(4)}s] ${message}\n`);
  log(
    `${faults.length} rows of ${payments} payments (${faults.map((f) => f.name).join(', ')}); part logs in ${path.relative(REPO_ROOT, logDir)}`,
  );

  const launcher = new LoggingLauncher(logDir);
  const undo: Array<() => Promise<unknown>> = [() => launcher.stopAll()];
  let interrupted = false;
  const cleanUp = async () => {
    for (const step of undo.reverse())
      await step().catch((err: unknown) => log(`clean-up step failed: ${String(err)}`));
    undo.length = 0;
    if (!values['keep-data']) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted: stopping everything the suite started');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const ports = await choosePorts();
    const receiver = await startWebhookReceiver();
    undo.push(() => receiver.stop());
    const gate = await startDarajaGate({ host: '127.0.0.1', port: ports.simulator });
    undo.push(() => gate.stop());
    const proxy = await startRoundRobinProxy({ targets: ports.apis.map((port) => `http://127.0.0.1:${port}`) });
    undo.push(() => proxy.stop());

    log('starting the production shape: Postgres, Temporal server (4 shards), 2 APIs, 2 workers, simulator');
    const shape = await startShape({
      dataDir,
      ports,
      apiInstances: ports.apis.length,
      workers: 2,
      appEnv: CHAOS_TIMINGS,
      publicBaseUrl: proxy.url,
      darajaBaseUrl: gate.url,
      launcher,
      log,
    });
    const config = loadConfig(shape.env);
    const orm = await createOrm({ databaseUrl: shape.databaseUrl, poolSize: 2 });
    undo.push(() => orm.close());
    const connection = await Connection.connect({ address: shape.temporalAddress });
    undo.push(() => connection.close());
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

    const rows: RowRecord[] = [];
    for (const [index, fault] of faults.entries()) {
      if (interrupted) break;
      const row = await runRow(
        fault,
        index,
        { payments, burstMs: quick ? 20_000 : 40_000, boundMs, apiUrl: proxy.url, retryBudgetMs: 90_000 },
        {
          orm,
          config,
          sources: { databaseUrl: shape.databaseUrl, temporal, simulatorUrl: shape.simulatorUrl, receiver },
          targets: {
            launcher,
            postgresPid: shape.postgresPid,
            gate,
            receiver,
            log,
            apiUrls: ports.apis.map((port) => `http://127.0.0.1:${port}`),
            apiUrl: proxy.url,
            simulatorUrl: shape.simulatorUrl,
            temporalAddress: shape.temporalAddress,
            startDeadlineMs: config.TEMPORAL_START_DEADLINE_MS,
            quick,
          },
          log,
        },
      );
      rows.push(row);
      log(
        `row ${fault.name}: ${violationsOf(row)} violation(s); settled ${row.settledAfterS === null ? 'not within the bound' : `${row.settledAfterS.toFixed(0)} s after the heal`}`,
      );
    }

    const report = {
      startedAt: startedAt.toISOString(),
      durationS: (Date.now() - t0) / 1000,
      options: { quick, payments, boundMs, faults: faults.map((f) => ({ name: f.name, description: f.description })) },
      timings: CHAOS_TIMINGS,
      // The facts too, so that a changed invariant can be re-checked without a new run.
      rows,
    };
    const markdown = [
      `# Chaos run ${startedAt.toISOString()}`,
      '',
      `${rows.length} rows of ${payments} payments${quick ? ' (quick)' : ''} on the production shape; each cell is violations/checked.`,
      '',
      markdownMatrix(rows),
      '',
      '## Faults',
      '',
      ...faults.map((f) => `- \`${f.name}\`: ${f.description}`),
      '',
      '## Invariants',
      '',
      legend(),
      '',
      '## Findings',
      '',
      findings(rows),
      '',
      ...(faultChecks(rows) ? ['## Fault checks', '', faultChecks(rows), ''] : []),
    ].join('\n');
    fs.writeFileSync(path.join(resultsDir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(path.join(resultsDir, `${stamp}.md`), markdown);
    process.stdout.write(
      `\n${textMatrix(rows)}\n\n${findings(rows)}\n${faultChecks(rows) ? `\n${faultChecks(rows)}\n` : ''}\nResults: ${path.relative(REPO_ROOT, path.join(resultsDir, `${stamp}.md`))}\n`,
    );
    if (rows.some((row) => violationsOf(row) > 0)) process.exitCode = 1;
  } finally {
    if (!interrupted) {
      log('stopping everything the suite started');
      await cleanUp();
    }
  }
}

/** Free ports for every part; the Temporal server needs the nine of productionServer.portsFrom. */
async function choosePorts() {
  const taken = new Set<number>();
  const one = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) return (taken.add(port), port);
    }
  };
  const temporal = await freeTemporalPort();
  Object.values(portsFrom(temporal)).forEach((port) => taken.add(port));
  return { postgres: await one(), temporal, simulator: await one(), apis: [await one(), await one()] };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
