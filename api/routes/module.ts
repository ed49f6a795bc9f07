import type Router from '@koa/router';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/logger';
import type { Orm } from '../../db/orm';
import type { RunSql } from '../../db/orm';
import type { PaymentTimings } from '../../workflows/definitions';

/** What every route module gets: its clients, passed in. */
export interface RouteDeps {
  config: Config;
  orm: Orm;
  /** The request's EntityManager (one per request). */
  em: () => EntityManager;
  /** One plain SQL statement on the shared pool, for hot reads that skip the ORM. */
  runSql: RunSql;
  temporal: Client;
  logger: Logger;
  taskQueue: string;
  timings: PaymentTimings;
}

/**
 * The three routers every module may add to, all under /api:
 * - publicApi: no credentials (pricing, banks, sign-up, docs);
 * - merchantApi: an API key or a merchant's dashboard session (ctx.state.caller);
 * - adminApi: under /api/admin, an admin's session (ctx.state.admin).
 */
export interface Routers {
  publicApi: Router;
  merchantApi: Router;
  adminApi: Router;
}

export type RouteModule = (routers: Routers, deps: RouteDeps) => void;
