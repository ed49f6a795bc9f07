import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createOrm } from '../db/orm';
import { createSqlPool } from '../db/sqlPool';
import { ensureAdmin } from '../db/admins';
import { createApp } from './app';
import { createHttpServer } from './httpServer';

/** `npm run api`: serves the Payments API until SIGINT/SIGTERM. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL).child({ component: 'api' });
  const orm = await createOrm({ databaseUrl: config.DATABASE_URL, poolSize: 20 });
  const sqlPool = createSqlPool({ databaseUrl: config.DATABASE_URL, max: 10 });
  const admin = await ensureAdmin(orm.em.fork(), config);
  if (admin === 'created') logger.info({ email: config.ADMIN_EMAIL }, 'bootstrap admin created from ADMIN_EMAIL');
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({ config, orm, runSql: sqlPool.run, temporal, logger });
  const server = createHttpServer(app, { requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS }).listen(
    config.API_PORT,
    config.API_HOST,
    () => {
      logger.info({ url: `http://${config.API_HOST}:${config.API_PORT}/api` }, 'Payments API listening');
    },
  );

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await connection.close();
    await sqlPool.close();
    await orm.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
