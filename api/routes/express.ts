import { darajaCredentials } from '../../config/config';
import { AppError } from '../../domain/errors';
import type { ApiCaller } from '../auth';
import { createCustomer, customerById, listCustomers, updateCustomer } from '../express/customers';
import { createExpressPayment, getExpressPayment, listExpressPayments } from '../express/payments';
import { presentCustomer } from '../express/present';
import type { RouteModule } from './module';

const IDEMPOTENCY_KEY_MAX = 255;

/** The Express API (/api/v1): payments and customers in the resource style, over the same payment core. */
export const expressRoutes: RouteModule = ({ merchantApi: router }, deps) => {
  const caller = (state: Record<string, unknown>) => state.caller as ApiCaller;

  router.post('/v1/payments', async (ctx) => {
    const idempotencyKey = ctx.get('idempotency-key').trim() || null;
    if (idempotencyKey && idempotencyKey.length > IDEMPOTENCY_KEY_MAX) {
      throw new AppError('validation_failed', `Idempotency-Key must be at most ${IDEMPOTENCY_KEY_MAX} characters`, { field: 'Idempotency-Key' });
    }
    const result = await createExpressPayment(
      { em: deps.em(), temporal: deps.temporal, taskQueue: deps.taskQueue, timings: deps.timings, liveEnabled: darajaCredentials(deps.config, 'production') !== null },
      caller(ctx.state),
      ctx.request.body,
      idempotencyKey,
    );
    ctx.status = result.status;
    ctx.body = result.body;
  });
  router.get('/v1/payments', async (ctx) => {
    ctx.body = await listExpressPayments(deps.em(), caller(ctx.state), ctx.query);
  });
  router.get('/v1/payments/:id', async (ctx) => {
    ctx.body = await getExpressPayment(deps.em(), caller(ctx.state), ctx.params.id!);
  });

  router.post('/v1/customers', async (ctx) => {
    ctx.status = 201;
    ctx.body = presentCustomer(await createCustomer(deps.em(), caller(ctx.state), ctx.request.body));
  });
  router.get('/v1/customers', async (ctx) => {
    const page = await listCustomers(deps.em(), caller(ctx.state), ctx.query);
    ctx.body = { object: 'list', data: page.data.map(presentCustomer), has_more: page.has_more };
  });
  router.get('/v1/customers/:id', async (ctx) => {
    ctx.body = presentCustomer(await customerById(deps.em(), caller(ctx.state), ctx.params.id!));
  });
  // PATCH, and POST as Stripe-style clients send updates.
  for (const method of ['patch', 'post'] as const) {
    router[method]('/v1/customers/:id', async (ctx) => {
      ctx.body = presentCustomer(await updateCustomer(deps.em(), caller(ctx.state), ctx.params.id!, ctx.request.body));
    });
  }
};
