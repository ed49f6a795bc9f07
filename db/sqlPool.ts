import { createHash } from 'node:crypto';
import pg from 'pg';

/** Runs one parameterised statement (`?` placeholders) and returns its rows. */
export type RunSql = <Row>(sql: string, params: unknown[]) => Promise<Row[]>;

/** A small `pg` pool for the hot reads, owned and closed by the process that created it. */
export interface SqlPool {
  /** Runs a statement as a named prepared statement, unprepared once if the server no longer accepts it. */
  run: RunSql;
  /** Ends every connection; pending `run`s finish first. */
  close(): Promise<void>;
}

export interface SqlPoolOptions {
  databaseUrl: string;
  /** Connections kept open at most (default 4); the ORM keeps its own pool beside this one. */
  max?: number;
}

/**
 * A prepared statement the server no longer accepts: a migration changed a selected column's type
 * ("cached plan must not change result type", 0A000) or the statement is gone (26000). `pg` would
 * keep binding it on that connection, so the connection is destroyed and the read is run again
 * unprepared (other connections may hold the same stale statement until they meet it too).
 */
const isStaleStatement = (err: unknown) => ['0A000', '26000'].includes((err as { code?: string }).code ?? '');

const ignoreConnectionError = () => {};
/** Postgres's own errors carry a five-character SQLSTATE; a failed connection's do not. */
const hasSqlState = (err: unknown) => /^[0-9A-Z]{5}$/.test(String((err as { code?: unknown }).code ?? ''));

/**
 * Plain SQL as named prepared statements (`{ name, text, values }`, a public `pg` feature) on a
 * pool of its own, for hot paths where hydrating entities and re-planning the query cost more than
 * running it (status polling: one joined, prepared read; BENCHMARKS.md). Each distinct text is
 * parsed and planned once per connection, then only bound. For a fixed set of statements: every
 * text is prepared on every connection that runs it. `?` placeholders only, so the SQL must not
 * contain a literal question mark.
 */
export function createSqlPool({ databaseUrl, max = 4 }: SqlPoolOptions): SqlPool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // An idle connection the server dropped (restart, failover) must not crash the process; the next run reconnects.
  pool.on('error', () => {});
  const statements = new Map<string, { name: string; text: string }>();
  const statementOf = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      let position = 0;
      statement = {
        name: `imara_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`,
        text: sql.replace(/\?/g, () => `$${++position}`),
      };
      statements.set(sql, statement);
    }
    return statement;
  };

  const runPrepared = async (sql: string, params: unknown[]) => {
    const client = await pool.connect();
    // A connection cut while checked out emits 'error' besides failing its query; the pool only
    // listens on idle connections, and an unheard 'error' would crash the process.
    client.on('error', ignoreConnectionError);
    let broken: Error | undefined;
    try {
      return (await client.query({ ...statementOf(sql), values: params })).rows;
    } catch (err) {
      // A stale statement, or a connection that failed (no SQLSTATE): neither may be handed out again.
      if (isStaleStatement(err) || !hasSqlState(err)) broken = err as Error;
      throw err;
    } finally {
      client.off('error', ignoreConnectionError);
      // Releasing with an error destroys the connection, and whatever it held with it.
      client.release(broken);
    }
  };

  return {
    run: async <Row>(sql: string, params: unknown[]) => {
      const rows = await runPrepared(sql, params).catch((err: unknown) => {
        if (!isStaleStatement(err)) throw err;
        return pool.query({ text: statementOf(sql).text, values: params }).then((result) => result.rows);
      });
      return rows as Row[];
    },
    close: () => pool.end(),
  };
}
