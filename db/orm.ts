import { createHash } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ALL_ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export type Orm = MikroORM;

/** Runs one parameterised statement (`?` placeholders) and returns its rows. */
export type RunSql = <Row>(sql: string, params: unknown[]) => Promise<Row[]>;

/** A connection of the ORM's pool, as the `pg` driver gives it. */
interface PooledPgConnection {
  query(statement: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
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
 * Plain SQL on the ORM's own pool, as prepared statements, for hot paths where hydrating entities
 * and re-planning the query cost more than running it (status polling measured 0.11 → 0.95 of a
 * bare primary-key route; BENCHMARKS.md). `?` placeholders only: the SQL must not contain a
 * literal question mark.
 */
export function sqlRunner(orm: Orm): RunSql {
  const poolOf = () => (orm.em.getConnection().getKnex() as unknown as { client: KnexPool }).client;
  return async <Row>(sql: string, params: unknown[]) => {
    const pool = poolOf();
    const connection = await pool.acquireConnection();
    try {
      const { rows } = await connection.query({ ...preparedStatementOf(sql), values: params });
      return rows as Row[];
    } finally {
      pool.releaseConnection(connection);
    }
  };
}

export interface OrmOptions {
  databaseUrl: string;
  /** Connections kept by this process; the API and the worker each have their own pool. */
  poolSize?: number;
  debug?: boolean;
}

/** Connects MikroORM to Postgres with every entity and the committed migrations. */
export async function createOrm({ databaseUrl, poolSize = 10, debug = false }: OrmOptions): Promise<Orm> {
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
    debug,
    // Entities are plain objects handed between layers; nothing relies on identity-map tracking across requests.
    allowGlobalContext: false,
  });
}

/** Applies every pending migration. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
