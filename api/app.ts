import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { RequestContext } from '@mikro-orm/core';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/config';
import { paymentTimings } from '../config/config';
import type { Logger } from '../config/logger';
import type { Orm } from '../db/orm';
import { errorHandler } from './errors';
import { AppError } from '../domain/errors';
import { requireApiKey } from './auth';
import { paymentRoutes } from './routes/payments';
import { pricingRoutes } from './routes/pricing';
import { darajaHookRoutes } from './routes/darajaHooks';

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

  app.use(errorHandler(logger));
  app.use((_ctx, next) => RequestContext.create(orm.em, next));

  // Daraja's callbacks come first and bypass the JSON parser (they are stored raw).
  const queue = taskQueue ?? config.TEMPORAL_TASK_QUEUE;
  const timings = paymentTimings(config);
  const hooks = darajaHookRoutes({ em, temporal, logger, callbackToken: config.DARAJA_CALLBACK_TOKEN, taskQueue: queue, timings });
  app.use(hooks.routes());

  const publicApi = new Router({ prefix: '/api' });
  publicApi.use(pricingRoutes(em).routes());
  publicApi.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  const merchantApi = new Router({ prefix: '/api' });
  merchantApi.use(requireApiKey({ pepper: config.API_KEY_PEPPER, em, logger }));
  merchantApi.use(
    paymentRoutes({ em, temporal, taskQueue: queue, timings }).routes(),
  );

  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: '100kb',
      onError: (err) => {
        const tooLarge = (err as { status?: number }).status === 413;
        throw new AppError('validation_failed', tooLarge ? 'Request body is larger than 100 kB' : 'Request body is not valid JSON');
      },
    }),
  );
  app.use(publicApi.routes());
  app.use(publicApi.allowedMethods());
  app.use(merchantApi.routes());
  app.use(merchantApi.allowedMethods());
  return app;
}
