import Koa from 'koa';
import helmet from 'koa-helmet';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/config';
import { darajaCredentials, paymentTimings } from '../config/config';
import { mpesaResultUrl } from '../config/callbackUrl';
import { createPullReader, type PullReader } from '../daraja/pullPages';
import { createMpesaRecordClient } from '../daraja/recordClient';
import type { Environment } from '../db/entities';
import type { Logger } from '../config/logger';
import type { Orm } from '../db/orm';
import { requestSessions } from '../db/requestSession';
import type { RunSql } from '../db/sqlPool';
import { apiKeyUseRecorder } from './apiKeyUsage';
import { EndpointRegistry, routerOf } from './endpoints';
import { createRateLimits } from './rateLimits';
import { errorHandler } from './errors';
import { webApp } from './webApp';
import { ROUTE_MODULES } from './routes';
import type { RouteDeps } from './routes/module';
import type { Registry } from 'prom-client';
import { httpMetrics } from '../observability/httpMetrics';
import type { Lifecycle } from '../observability/readiness';

export interface AppDeps {
  config: Config;
  orm: Orm;
  /** The hot reads' prepared statements (db/sqlPool.ts): the caller owns the pool and closes it after the server. */
  runSql: RunSql;
  temporal: Client;
  logger: Logger;
  /** Task queue payments start on (tests give each file its own). */
  taskQueue?: string;
  /** Where request durations and push latencies are recorded (observability/); none: not recorded. */
  metrics?: Registry;
  /** The process's shutdown state, for GET /api/ready. */
  lifecycle?: Lifecycle;
}

/** Every endpoint of the app, registered by the route modules (also what the OpenAPI document lists). */
export function endpointRegistry(deps: RouteDeps): EndpointRegistry {
  const registry = new EndpointRegistry();
  for (const register of ROUTE_MODULES) register(registry, deps);
  return registry;
}

/** Builds the Payments API without listening. */
export function createApp({ config, orm, runSql, temporal, logger, taskQueue, metrics, lifecycle }: AppDeps): Koa {
  // Behind a reverse proxy only when configured: otherwise X-Forwarded-For is the client's to forge.
  // Even then only the address the proxy itself appended counts, not whatever the client wrote before it.
  const app = new Koa({ proxy: config.TRUST_PROXY, maxIpsCount: 1 });
  // One EntityManager per request: its identity map never leaks between requests.
  const sessions = requestSessions(orm);
  const em = sessions.current;
  const recordUse = apiKeyUseRecorder({ runSql, logger });
  const deps: RouteDeps = {
    config,
    orm,
    em,
    runSql,
    temporal,
    logger,
    taskQueue: taskQueue ?? config.TEMPORAL_TASK_QUEUE,
    timings: paymentTimings(config),
    lifecycle,
    pullReaderFor: pullReaders(config, logger),
  };
  const rateLimits = createRateLimits({ orm, config });
  const router = routerOf(endpointRegistry(deps), {
    access: {
      pepper: config.API_KEY_PEPPER,
      em,
      runSql,
      recordUse,
      logger,
      callbackToken: config.DARAJA_CALLBACK_TOKEN,
      csrfSecret: config.API_KEY_PEPPER,
    },
    rateLimiter: ({ policy, key }) => rateLimits.rateLimit(policy, key),
    ...(config.CHECK_RESPONSES ? { checkResponses: { logger } } : {}),
  });

  // Outside the error middleware, so that the status observed is the one finally sent.
  if (metrics) app.use(httpMetrics(metrics));
  app.use(errorHandler(logger));
  app.use(helmet(securityHeaders(config)));
  app.use((_ctx, next) => sessions.run(next));
  app.use(router.routes());
  // 405 with Allow for a known path and another method, 501 for unknown methods; errorHandler gives them the JSON body.
  app.use(router.allowedMethods());
  // Whatever the API does not answer may be a page of the dashboard (same origin, so no CORS).
  app.use(webApp());
  return app;
}

/**
 * One Pull Transactions reader per environment whose Daraja credentials are configured (the
 * sandbox's always, production's with DARAJA_PRODUCTION_*), each registering a shortcode once.
 */
function pullReaders(config: Config, logger: Logger): (environment: Environment) => PullReader | null {
  const readers = new Map<Environment, PullReader>();
  for (const environment of ['sandbox', 'production'] as const) {
    const credentials = darajaCredentials(config, environment);
    if (!credentials) continue;
    const client = createMpesaRecordClient({
      credentials,
      timeoutMs: config.DARAJA_HTTP_TIMEOUT_MS,
      logger: logger.child({ component: 'daraja', environment }),
    });
    readers.set(
      environment,
      createPullReader(client, {
        callbackUrl: mpesaResultUrl(config, 'pull'),
        nominatedNumber: config.DARAJA_PULL_NOMINATED_NUMBER,
      }),
    );
  }
  return (environment) => readers.get(environment) ?? null;
}

/** Helmet's headers with a strict Content-Security-Policy: same-origin scripts and styles only, no inline script. */
function securityHeaders(config: Config): Parameters<typeof helmet>[0] {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        ...(config.APP_ENV === 'production' ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only where the API is served over HTTPS.
    strictTransportSecurity: config.APP_ENV === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  };
}
