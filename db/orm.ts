import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ALL_ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export type Orm = MikroORM;

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
