import { Client } from '@temporalio/client';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { closeOrm, createOrm, newSession } from '../db/orm';
import { createSqlPool } from '../db/sqlPool';
import { ensureAdmin } from '../db/admins';
import {
  createMetricsRegistry,
  describeTaskQueueVia,
  openOpsListener,
  registerPaymentGauges,
  registerTaskQueueGauges,
  type Lifecycle,
} from '../observability';
import { createApp } from './app';
import { createHttpServer, drainHttpServer } from './httpServer';
import { createTemporalConnection } from '../payments/temporalConnection';

/**
 * `npm run api`: serves the Payments API, and its metrics on the ops listener, until SIGINT/SIGTERM.
 * Then it answers readiness 503 at once but keeps serving for SHUTDOWN_DELAY_SECONDS, so that load
 * balancers take it out of rotation before it refuses connections; then it stops accepting, lets
 * in-flight requests finish (at most SHUTDOWN_GRACE_SECONDS), closes Temporal and Postgres, and exits 0.
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL).child({ component: 'api' });
  const orm = await createOrm({ databaseUrl: config.DATABASE_URL, poolSize: 20 });
  const sqlPool = createSqlPool({
    databaseUrl: config.DATABASE_URL,
    max: 10,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    maxWaiting: config.DB_POOL_MAX_WAITING,
  });
  // The gauges' full-table aggregates get two connections of their own: scrapes never take the ones
  // that authenticate API keys, answer status reads and readiness.
  const gaugeSql = createSqlPool({
    databaseUrl: config.DATABASE_URL,
    max: 2,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.METRICS_GAUGE_TIMEOUT_MS,
  });
  const admin = await ensureAdmin(newSession(orm), config);
  if (admin === 'created') logger.info({ email: config.ADMIN_EMAIL }, 'bootstrap admin created from ADMIN_EMAIL');
  // Not awaited: an API whose Temporal is unreachable starts anyway, unready, and recovers by itself.
  const connection = createTemporalConnection(config.TEMPORAL_ADDRESS);
  connection
    .withDeadline(Date.now() + config.READINESS_TIMEOUT_MS, () => connection.workflowService.getSystemInfo({}))
    .catch(() =>
      logger.warn(
        { address: config.TEMPORAL_ADDRESS },
        'Temporal is not reachable yet: readiness answers 503 and payment starts 503 until it is',
      ),
    );
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const metrics = createMetricsRegistry('api');
  registerPaymentGauges(metrics, gaugeSql.run, { cacheTtlMs: config.METRICS_GAUGE_CACHE_SECONDS * 1000 });
  // Here and not in the worker: a frozen worker cannot report its own freeze, the API can.
  registerTaskQueueGauges(metrics, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    describe: describeTaskQueueVia(connection, {
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      timeoutMs: config.READINESS_TIMEOUT_MS,
    }),
  });
  const lifecycle: Lifecycle = { draining: false };
  const app = createApp({ config, orm, runSql: sqlPool.run, temporal, logger, metrics, lifecycle });
  const server = createHttpServer(app, { requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') return reject(err);
      // One line a newcomer can act on, not a stack: which port, and which setting moves it.
      process.stderr.write(
        `Port ${config.API_PORT} (API_PORT) on ${config.API_HOST} is already in use: stop what holds it, ` +
          `or start with another, e.g. API_PORT=${config.API_PORT + 1}\n`,
      );
      process.exit(1);
    });
    server.listen(config.API_PORT, config.API_HOST, () => resolve());
  });
  logger.info({ url: `http://${config.API_HOST}:${config.API_PORT}/api` }, 'Payments API listening');
  const ops = await openOpsListener(config, { registry: metrics, logger });

  const shutdown = async (signal: string) => {
    if (lifecycle.draining) return;
    lifecycle.draining = true;
    if (config.SHUTDOWN_DELAY_SECONDS > 0) {
      logger.info(
        { signal, delaySeconds: config.SHUTDOWN_DELAY_SECONDS },
        'shutting down: readiness answers 503, still serving until load balancers notice',
      );
      await new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DELAY_SECONDS * 1000));
    }
    logger.info({ signal, graceSeconds: config.SHUTDOWN_GRACE_SECONDS }, 'shutting down: finishing in-flight requests');
    const drained = await drainHttpServer(server, config.SHUTDOWN_GRACE_SECONDS * 1000);
    if (drained === 'forced') logger.warn('requests still running after the grace period were cut off');
    await ops?.close();
    await connection.close();
    await gaugeSql.close();
    await sqlPool.close();
    await closeOrm(orm);
    logger.info('Payments API stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
