import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { RequestContext } from '@mikro-orm/core';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/config';
import { paymentTimings } from '../config/config';
import type { Logger } from '../config/logger';
import { sqlRunner, type Orm } from '../db/orm';
import { AppError } from '../domain/errors';
import { apiKeyUseRecorder } from './apiKeyUsage';
import { errorHandler } from './errors';
import { csrfProtection } from './browserSession';
import { webApp } from './webApp';
import { statusPollingWithApiKey } from './statusPolling';
import { requireAdmin, requireMerchant } from './auth';
import { darajaHookRoutes } from './routes/darajaHooks';
import { ROUTE_MODULES } from './routes';
import { docsPageRouter } from './routes/docs';
import type { RouteDeps, Routers } from './routes/module';
import { KYC_REQUEST_MAX_BYTES } from './useCases/merchantKyc';

export interface AppDeps {
  config: Config;
  orm: Orm;
  temporal: Client;
  logger: Logger;
  /** Task queue payments start on (tests give each file its own). */
  taskQueue?: string;
}

/** Builds the Payments API without listening. */
export function createApp({ config, orm, temporal, logger, taskQueue }: AppDeps): Koa {
  const app = new Koa({ proxy: true });
  // One EntityManager per request: its identity map never leaks between requests.
  const em = () => (RequestContext.getEntityManager() as EntityManager | undefined) ?? orm.em.fork();
  const runSql = sqlRunner(orm);
  const recordUse = apiKeyUseRecorder({ runSql, logger });
  const deps: RouteDeps = { config, orm, em, runSql, temporal, logger, taskQueue: taskQueue ?? config.TEMPORAL_TASK_QUEUE, timings: paymentTimings(config) };

  app.use(errorHandler(logger));
  app.use(csrfProtection({ secret: config.API_KEY_PEPPER }));
  app.use(statusPollingWithApiKey({ runSql, pepper: config.API_KEY_PEPPER, recordUse }));
  app.use((_ctx, next) => RequestContext.create(orm.em, next));

  // Daraja's callbacks come first and bypass the JSON parser (they are stored raw).
  const hooks = darajaHookRoutes({ ...deps, callbackToken: config.DARAJA_CALLBACK_TOKEN });
  app.use(hooks.routes());

  // KYC submissions carry up to three 2 MB documents as base64; every other body stays small.
  const jsonBody = (limitBytes: number) =>
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: limitBytes,
      onError: (err) => {
        const tooLarge = (err as { status?: number }).status === 413;
        throw new AppError('validation_failed', tooLarge ? `Request body is larger than ${Math.round(limitBytes / 1024)} kB` : 'Request body is not valid JSON');
      },
    });
  const smallBody = jsonBody(100 * 1024);
  const kycBody = jsonBody(KYC_REQUEST_MAX_BYTES);
  app.use((ctx, next) => (ctx.path === '/api/kyc' ? kycBody : smallBody)(ctx, next));

  const routers: Routers = {
    publicApi: new Router({ prefix: '/api' }),
    merchantApi: new Router({ prefix: '/api' }),
    adminApi: new Router({ prefix: '/api/admin' }),
  };
  routers.publicApi.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  routers.merchantApi.use(requireMerchant({ pepper: config.API_KEY_PEPPER, em, recordUse }));
  routers.adminApi.use(requireAdmin({ em }));
  for (const mount of ROUTE_MODULES) mount(routers, deps);

  // Admin and public routes first: the merchant router's auth must not claim their paths.
  for (const router of [routers.adminApi, routers.publicApi, routers.merchantApi]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  // The human-readable API documentation lives at /docs, outside the /api routers.
  app.use(docsPageRouter(routers).routes());
  app.use(webApp());
  return app;
}
