import type { Orm } from './orm';

/**
 * Where rate-limiter-flexible's Postgres limiters keep their counters: the `rate_limits` table (made
 * by a migration, so the library never creates it) on the ORM's own knex pool. Spread into
 * `new RateLimiterPostgres({ ...rateLimitStore(orm), keyPrefix, points, duration })`.
 */
export function rateLimitStore(orm: Orm) {
  return {
    storeClient: orm.em.getConnection().getKnex(),
    storeType: 'knex',
    tableName: 'rate_limits',
    tableCreated: true,
  } as const;
}
