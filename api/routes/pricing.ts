import Router from '@koa/router';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadFeeTiers } from '../../db/pricing';

/** GET /api/pricing: the public fee schedule, `[{ min, max, fee }]`. */
export function pricingRoutes(em: () => EntityManager): Router {
  const router = new Router();
  router.get('/pricing', async (ctx) => {
    ctx.body = await loadFeeTiers(em());
  });
  return router;
}
