import type { EndpointRegistry } from '../endpoints';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config/config';
import type { Logger } from '../../config/logger';
import type { Orm } from '../../db/orm';
import type { RunSql } from '../../db/orm';
import type { PaymentTimings } from '../../workflows/definitions';
import type { Lifecycle } from '../../observability/readiness';
import type { PullReader } from '../../daraja/pullPages';
import type { Environment } from '../../db/entities';

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
  /** The process's shutdown state (readiness answers 503 while draining); absent: never draining. */
  lifecycle?: Lifecycle;
  /** M-Pesa's Pull Transactions per environment; null where Daraja is not configured for it. */
  pullReaderFor: (environment: Environment) => PullReader | null;
}

/** A route module adds its endpoints (api/endpoints.ts), each with its access rule and description. */
export type RouteModule = (api: EndpointRegistry, deps: RouteDeps) => void;
