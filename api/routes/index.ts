import type { RouteModule } from './module';
import { paymentRoutes } from './payments';
import { pricingRoutes } from './pricing';

/** Every API route module, in mounting order. */
export const ROUTE_MODULES: RouteModule[] = [paymentRoutes, pricingRoutes];
