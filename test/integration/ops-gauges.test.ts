import axios from 'axios';
import pino from 'pino';
import { Client } from 'pg';
import { createSqlPool, type RunSql, type SqlPool } from '../../db/sqlPool';
import { createMetricsRegistry, registerPaymentGauges, startOpsServer, type OpsServer } from '../../observability';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { valueOf } from '../support/prometheusText';

/**
 * The database gauges of GET /metrics against a real Postgres, scraped over HTTP: parallel scrapes
 * share one round of reads, and a round is reused for the cache period.
 */
let databaseUrl: string;
let pool: SqlPool;
let setup: Client;
const http = axios.create({ validateStatus: () => true, timeout: 30_000, responseType: 'text' });

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  setup = new Client({ connectionString: databaseUrl });
  await setup.connect();
  // Only the columns the gauges read.
  await setup.query(`
    create table transactions (status text not null, decided_by text);
    create table daraja_callbacks (disposition text not null);
    create table webhook_deliveries (status text not null, created_at timestamptz not null default now());
    create table webhook_attempts (status_code integer);
    create table wallet_ledger (kind text not null, amount integer not null);
    insert into transactions values ('completed', 'callback'), ('pending', null);`);
  pool = createSqlPool({ databaseUrl, max: 2 });
});
afterAll(async () => {
  await setup?.end();
  await pool?.close();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

/** The pool's `run`, counting the statements it is asked to run. */
function counted(run: RunSql): { run: RunSql; count(): number } {
  let statements = 0;
  const wrapped: RunSql = (sql, params) => {
    statements++;
    return run(sql, params);
  };
  return { run: wrapped, count: () => statements };
}

async function opsServerWith(run: RunSql, cacheTtlMs: number): Promise<OpsServer> {
  const registry = createMetricsRegistry('api');
  registerPaymentGauges(registry, run, { cacheTtlMs });
  return startOpsServer({ host: '127.0.0.1', port: 0, registry, logger: pino({ level: 'silent' }) });
}

const completed = (text: string) => valueOf(text, 'imarapay_payments', { status: 'completed', decider: 'callback' });

describe('Database gauges under parallel scrapes', () => {
  it('When 20 scrapes arrive at once, then they share one round of gauge reads and all get the values', async () => {
    const sql = counted(pool.run);
    const ops = await opsServerWith(sql.run, 60_000);
    try {
      const oneRound = counted(pool.run);
      const single = await opsServerWith(oneRound.run, 60_000);
      await http.get(`${single.url}/metrics`);
      await single.close();
      const perRound = oneRound.count();
      expect(perRound).toBeGreaterThan(0);

      const answers = await Promise.all(Array.from({ length: 20 }, () => http.get<string>(`${ops.url}/metrics`)));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(answers.map((a) => completed(a.data))).toEqual(Array(20).fill(1));
      expect(sql.count()).toBe(perRound);
    } finally {
      await ops.close();
    }
  });

  it('When scrapes follow within the cache period, then the database is not read again; after it, it is', async () => {
    const sql = counted(pool.run);
    const ops = await opsServerWith(sql.run, 60_000);
    try {
      await http.get(`${ops.url}/metrics`);
      const perRound = sql.count();
      await setup.query(`insert into transactions values ('completed', 'callback')`);
      const cached = await http.get<string>(`${ops.url}/metrics`);
      // The value read before the insert, and no statement run for it.
      expect([completed(cached.data), sql.count()]).toEqual([1, perRound]);
    } finally {
      await ops.close();
    }
    const uncached = await opsServerWith(pool.run, 0);
    try {
      const res = await http.get<string>(`${uncached.url}/metrics`);
      expect(completed(res.data)).toBe(2);
    } finally {
      await uncached.close();
    }
  });
});
