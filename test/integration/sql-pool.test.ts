import net from 'node:net';
import { Client } from 'pg';
import { createSqlPool, type SqlPool } from '../../db/sqlPool';
import { createTestDatabase, dropTestDatabase } from '../support/database';

/**
 * The hot reads' pool against a real Postgres: each statement is a named prepared statement,
 * parsed once per connection and then only bound, and a statement that a schema change made
 * stale is answered unprepared while its connection is replaced.
 */
let databaseUrl: string;
let pool: SqlPool;
const READ = 'select label from notes where id = ?';

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  const setup = new Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query(`create table notes (id integer primary key, label varchar(20) not null)`);
  await setup.query(`insert into notes values (1, 'first'), (2, 'second')`);
  await setup.end();
  // One connection, so that every statement below runs in the same session as the one before it.
  pool = createSqlPool({ databaseUrl, max: 1 });
});
afterAll(async () => {
  await pool?.close();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

interface PreparedRow {
  statement: string;
  executions: number;
}

/** This session's prepared statements of `notes`, with how often each plan was used. */
const preparedReads = () =>
  pool.run<PreparedRow>(
    `select statement, (generic_plans + custom_plans)::int as executions
       from pg_prepared_statements where statement like 'select label from notes%'`,
    [],
  );
const backendPid = async () => (await pool.run<{ pid: number }>('select pg_backend_pid() as pid', []))[0]!.pid;

describe('The hot reads’ pool', () => {
  it('When a statement runs again on one connection, then its prepared statement is reused', async () => {
    expect(await pool.run(READ, [1])).toEqual([{ label: 'first' }]);
    expect(await pool.run(READ, [2])).toEqual([{ label: 'second' }]);
    expect(await pool.run(READ, [3])).toEqual([]);
    // `?` became `$1`, and the one statement served all three reads.
    expect(await preparedReads()).toEqual([{ statement: 'select label from notes where id = $1', executions: 3 }]);
  });

  it('When a selected column changes type, then the read is answered unprepared on a new connection', async () => {
    expect(await pool.run(READ, [1])).toEqual([{ label: 'first' }]);
    const pidBefore = await backendPid();
    const ddl = new Client({ connectionString: databaseUrl });
    await ddl.connect();
    await ddl.query('alter table notes alter column label type varchar(200)');
    await ddl.end();

    // The prepared statement now fails with 0A000 ("cached plan must not change result type").
    expect(await pool.run(READ, [1])).toEqual([{ label: 'first' }]);
    // Its connection is gone; the new one prepares the statement afresh and keeps using it.
    expect(await backendPid()).not.toBe(pidBefore);
    expect(await pool.run(READ, [2])).toEqual([{ label: 'second' }]);
    expect(await pool.run(READ, [1])).toEqual([{ label: 'first' }]);
    expect(await preparedReads()).toEqual([{ statement: 'select label from notes where id = $1', executions: 2 }]);
  });

  it('When a statement fails for another reason, then the error is the caller’s and nothing is retried', async () => {
    await expect(pool.run('select ?::int as n', ['not a number'])).rejects.toMatchObject({ code: '22P02' });
    expect(await pool.run(READ, [1])).toEqual([{ label: 'first' }]);
  });
});

/** A TCP server that accepts connections and never answers: Postgres frozen (SIGSTOP), as a client sees it. */
async function frozenPostgres(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('The hot reads’ pool when Postgres does not answer', () => {
  it('When Postgres accepts connections but never answers, then a read fails as temporarily_unavailable instead of hanging', async () => {
    const frozen = await frozenPostgres();
    const stuck = createSqlPool({ databaseUrl: frozen.url, max: 2, connectTimeoutMs: 300 });
    try {
      await expect(stuck.run(READ, [1])).rejects.toMatchObject({ code: 'temporarily_unavailable' });
    } finally {
      await frozen.close();
      await stuck.close();
    }
  });

  it('When a statement outlasts the statement timeout, then it fails as temporarily_unavailable and the pool still serves', async () => {
    const slow = createSqlPool({ databaseUrl, max: 1, statementTimeoutMs: 200 });
    try {
      await expect(slow.run('select pg_sleep(5)', [])).rejects.toMatchObject({ code: 'temporarily_unavailable' });
      expect(await slow.run(READ, [1])).toEqual([{ label: 'first' }]);
    } finally {
      await slow.close();
    }
  });

  it('When more reads wait for a connection than allowed, then the extra ones fail at once as temporarily_unavailable', async () => {
    const small = createSqlPool({ databaseUrl, max: 1, maxWaiting: 2 });
    try {
      const holding = small.run('select pg_sleep(1)', []);
      const waiting = [small.run(READ, [1]), small.run(READ, [2])];
      const refused = await Promise.allSettled([small.run(READ, [1]), small.run(READ, [2])]);
      expect(refused.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual([
        'temporarily_unavailable',
        'temporarily_unavailable',
      ]);
      await holding;
      expect(await Promise.all(waiting)).toEqual([[{ label: 'first' }], [{ label: 'second' }]]);
    } finally {
      await small.close();
    }
  });
});
