import { loadFeeTiers } from '../../db/pricing';
import type { RouteModule } from './module';

/** GET /api/pricing: the public fee schedule, `[{ min, max, fee }]`. */
export const pricingRoutes: RouteModule = ({ publicApi }, { em }) => {
  publicApi.get('/pricing', async (ctx) => {
    ctx.body = await loadFeeTiers(em());
  });
};
