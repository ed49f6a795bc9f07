import type { ApiCaller } from '../auth';
import type { RouteModule } from './module';
import { idempotencyKeyOf } from '../idempotencyKey';
import { darajaCredentials } from '../../config/config';
import { startStkPush } from '../useCases/startStkPush';
import { transactionStatus } from '../useCases/transactionStatus';

/** POST /api/stk-push and GET /api/transaction/status/:reference. */
export const paymentRoutes: RouteModule = ({ merchantApi: router }, deps) => {
  router.post('/stk-push', async (ctx) => {
    const idempotencyKey = idempotencyKeyOf(ctx);
    const result = await startStkPush(
      { em: deps.em(), temporal: deps.temporal, taskQueue: deps.taskQueue, timings: deps.timings, liveEnabled: darajaCredentials(deps.config, 'production') !== null },
      { caller: ctx.state.caller as ApiCaller, body: ctx.request.body, idempotencyKey },
    );
    ctx.status = result.status;
    ctx.body = result.body;
  });

  router.get('/transaction/status/:reference', async (ctx) => {
    ctx.body = await transactionStatus(deps.runSql, ctx.state.caller as ApiCaller, ctx.params.reference!);
  });
};
