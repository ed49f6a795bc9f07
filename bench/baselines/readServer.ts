/**
 * Baseline of the status endpoint: a bare Koa route that does one primary-key read of
 * `transactions` from the same Postgres database, with a pool as large as the API's (20).
 * No auth, no ORM, no second query. Started as a child process by bench/stack.ts.
 */
import Koa from 'koa';
import Router from '@koa/router';
import { Pool } from 'pg';
import { requiredEnv } from '../workerRuntime';

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: requiredEnv('DATABASE_URL'), max: 20 });
  const router = new Router();
  router.get('/read/:id', async (ctx) => {
    const { rows } = await pool.query(
      'select id, status, amount, mpesa_receipt, result_desc, checkout_request_id, result_code from transactions where id = $1',
      [Number(ctx.params.id)],
    );
    if (rows.length === 0) {
      ctx.status = 404;
      ctx.body = { error: 'not found' };
      return;
    }
    ctx.body = rows[0];
  });
  const app = new Koa();
  app.use(router.routes());
  const server = app.listen(Number(requiredEnv('BENCH_PORT')), '127.0.0.1');

  const stop = () => {
    server.close(() => {
      pool.end().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
