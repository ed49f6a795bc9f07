import { DefaultLogger, type LoggerOptions } from '@mikro-orm/core';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ALL_ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export type Orm = MikroORM;

/** The hot-path statement runner lives beside the ORM on a pool of its own (db/sqlPool.ts). */
export type { RunSql } from './sqlPool';

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

/**
 * A fresh unit of work (its own identity map) on the ORM's pool: one per activity call, job or
 * start-up step. The functions of db/ take it as their first argument.
 */
export function newSession(orm: Orm): EntityManager {
  return orm.em.fork();
}

/** A fresh unit of work beside `em`'s: a read or write that must not see or share its identity map. */
export function sessionBeside(em: EntityManager): EntityManager {
  return em.fork();
}

/** Closes the ORM's connection pool (at shutdown, once nothing uses it any more). */
export async function closeOrm(orm: Orm): Promise<void> {
  await orm.close();
}

/** A function of db/ whose first argument is its unit of work. */
type SessionFunction = (em: EntityManager, ...args: any[]) => Promise<unknown>;

/** The same functions without their first argument: each call runs on a fresh unit of work. */
export type BoundToSessions<T extends Record<string, SessionFunction>> = {
  [K in keyof T]: T[K] extends (em: EntityManager, ...args: infer A) => infer R ? (...args: A) => R : never;
};

/**
 * Binds functions of db/ to the ORM, each call on a fresh fork of its EntityManager: what the worker
 * hands its activities (activities/index.ts), which unit tests replace with fakes of the same shape.
 */
export function bindToSessions<T extends Record<string, SessionFunction>>(orm: Orm, functions: T): BoundToSessions<T> {
  return Object.fromEntries(
    Object.entries(functions).map(([name, fn]) => [name, (...args: unknown[]) => fn(orm.em.fork(), ...args)]),
  ) as BoundToSessions<T>;
}
