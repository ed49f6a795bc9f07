import { createHash } from 'node:crypto';
import { DefaultLogger, type LoggerOptions } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ALL_ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export type Orm = MikroORM;

/** Runs one parameterised statement (`?` placeholders) and returns its rows. */
export type RunSql = <Row>(sql: string, params: unknown[]) => Promise<Row[]>;

/** A connection of the ORM's pool, as the `pg` driver gives it. */
interface PooledPgConnection {
  query(statement: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  /** Knex's own mark for a connection its pool must destroy instead of handing out again. */
  __knex__disposed?: unknown;
}

/** Knex's pool, under MikroORM. `acquireConnection`/`releaseConnection` are what knex's own runner uses. */
interface KnexPool {
  acquireConnection(): Promise<PooledPgConnection>;
  releaseConnection(connection: PooledPgConnection): unknown;
}

/** Named statements keyed by their SQL: a name is parsed and planned once per connection, then only bound. */
const preparedStatements = new Map<string, { name: string; text: string }>();

function preparedStatementOf(sql: string): { name: string; text: string } {
  let statement = preparedStatements.get(sql);
  if (!statement) {
    let position = 0;
    statement = {
      // A name derived from the text: every runner in the process agrees on it, whichever prepared it first.
      name: `imara_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`,
      text: sql.replace(/\?/g, () => `$${++position}`),
    };
    preparedStatements.set(sql, statement);
  }
  return statement;
}

/**
 * A prepared statement the server no longer accepts: a migration changed a selected column's type
 * ("cached plan must not change result type", 0A000) or the statement is gone (26000). The driver
 * would keep using it on that connection, so the connection is thrown away, and the read is run
 * again unprepared (other connections may hold the same stale statement until they meet it too).
 */
const isStaleStatement = (err: unknown) => ['0A000', '26000'].includes((err as { code?: string }).code ?? '');

/**
 * Plain SQL on the ORM's own pool, as prepared statements, for hot paths where hydrating entities
 * and re-planning the query cost more than running it (status polling went from 0.11 to 0.93 of a
 * bare primary-key route; BENCHMARKS.md). For a fixed set of statements: every distinct text is
 * prepared on every connection that runs it. `?` placeholders only, so the SQL must not contain a
 * literal question mark.
 */
export function sqlRunner(orm: Orm): RunSql {
  const poolOf = () => (orm.em.getConnection().getKnex() as unknown as { client: KnexPool }).client;
  const run = async (sql: string, params: unknown[], prepared: boolean) => {
    const pool = poolOf();
    const connection = await pool.acquireConnection();
    try {
      const statement = preparedStatementOf(sql);
      return (await connection.query(prepared ? { ...statement, values: params } : { text: statement.text, values: params })).rows;
    } catch (err) {
      if (isStaleStatement(err)) connection.__knex__disposed = err;
      throw err;
    } finally {
      pool.releaseConnection(connection);
    }
  };
  return async <Row>(sql: string, params: unknown[]) => {
    const rows = await run(sql, params, true).catch((err: unknown) => {
      if (!isStaleStatement(err)) throw err;
      return run(sql, params, false);
    });
    return rows as Row[];
  };
}

/**
 * MikroORM's logger without its query log, which prints each statement with its parameters inlined
 * (phone numbers, key hashes): MIKRO_ORM_DEBUG or a .env file could otherwise turn it on.
 */
class NoQueryLogger extends DefaultLogger {
  override logQuery(): void {}
}

export interface OrmOptions {
  databaseUrl: string;
  /** Connections kept by this process; the API and the worker each have their own pool. */
  poolSize?: number;
  /** Where MikroORM's own messages go (start-up, warnings); console.log unless given. */
  log?: (message: string) => void;
}

/** Connects MikroORM to Postgres with every entity and the committed migrations. */
export async function createOrm({ databaseUrl, poolSize = 10, log }: OrmOptions): Promise<Orm> {
  return MikroORM.init({
    clientUrl: databaseUrl,
    entities: ALL_ENTITIES,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    pool: { min: 0, max: poolSize },
    // No query log (see NoQueryLogger); errors are logged through config/logger.ts, which keeps the SQL out.
    debug: false,
    loggerFactory: (options: LoggerOptions) => new NoQueryLogger(log ? { ...options, writer: log } : options),
    // Entities are plain objects handed between layers; nothing relies on identity-map tracking across requests.
    allowGlobalContext: false,
  });
}

/** Applies every pending migration. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
