import { createHash } from 'node:crypto';
import pg from 'pg';
import { AppError } from '../domain/errors';

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
  /** How long to wait for a new connection to be established, in milliseconds (default 2000). */
  connectTimeoutMs?: number;
  /**
   * How long one statement may run, in milliseconds (default 5000): Postgres cancels it then
   * (statement_timeout), and the client gives up a little later when the server does not answer at all.
   */
  statementTimeoutMs?: number;
  /** How many runs may wait for a free connection (default 100); beyond that a run fails at once. */
  maxWaiting?: number;
}

/** Answered 503 `temporarily_unavailable`: the client may retry shortly, nothing was changed. */
const unavailable = () =>
  new AppError('temporarily_unavailable', 'The database is not answering in time; retry in a few seconds');

/**
 * Whether a failure means Postgres is slow or unreachable rather than that the statement is wrong:
 * a statement cancelled by statement_timeout (57014), server shutting down or not accepting (57P0x,
 * 53300 too many connections), or a connection that failed or timed out (no SQLSTATE at all).
 */
const isUnavailable = (err: unknown) => {
  if (err instanceof AppError) return false;
  const code = String((err as { code?: unknown }).code ?? '');
  return !hasSqlState(err) || code === '57014' || code.startsWith('57P') || code === '53300';
};

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
export function createSqlPool({
  databaseUrl,
  max = 4,
  connectTimeoutMs = 2000,
  statementTimeoutMs = 5000,
  maxWaiting = 100,
}: SqlPoolOptions): SqlPool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    // The server cancels a long statement; a server that does not answer at all (frozen, cut off) is
    // given up on by the client one second later, and that connection is then destroyed.
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
  });
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

  // pg's pool queues waiters without bound: while Postgres stalls every poll would add one.
  const connect = () => {
    if (pool.waitingCount >= maxWaiting) return Promise.reject(unavailable());
    return pool.connect();
  };

  const runPrepared = async (sql: string, params: unknown[]) => {
    const client = await connect();
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
      try {
        const rows = await runPrepared(sql, params).catch(async (err: unknown) => {
          if (!isStaleStatement(err)) throw err;
          const client = await connect();
          client.on('error', ignoreConnectionError);
          try {
            const result = await client.query({ text: statementOf(sql).text, values: params });
            client.release();
            return result.rows;
          } catch (retryErr) {
            client.release(hasSqlState(retryErr) ? undefined : (retryErr as Error));
            throw retryErr;
          } finally {
            client.off('error', ignoreConnectionError);
          }
        });
        return rows as Row[];
      } catch (err) {
        throw isUnavailable(err) ? unavailable() : err;
      }
    },
    close: () => pool.end(),
  };
}
