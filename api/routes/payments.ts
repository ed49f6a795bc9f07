import type { ApiCaller } from '../auth';
import type { RouteModule } from './module';
import { darajaCredentials } from '../../config/config';
import { startStkPush } from '../useCases/startStkPush';
import { transactionStatus } from '../useCases/transactionStatus';
import { AppError } from '../../domain/errors';

const IDEMPOTENCY_KEY_MAX = 255;

/** POST /api/stk-push and GET /api/transaction/status/:reference. */
export const paymentRoutes: RouteModule = ({ merchantApi: router }, deps) => {
  router.post('/stk-push', async (ctx) => {
    const idempotencyKey = ctx.get('idempotency-key').trim() || null;
    if (idempotencyKey && idempotencyKey.length > IDEMPOTENCY_KEY_MAX) {
      throw new AppError('validation_failed', `Idempotency-Key must be at most ${IDEMPOTENCY_KEY_MAX} characters`, { field: 'Idempotency-Key' });
    }
    const result = await startStkPush(
      { em: deps.em(), temporal: deps.temporal, taskQueue: deps.taskQueue, timings: deps.timings, liveEnabled: darajaCredentials(deps.config, 'production') !== null },
      { caller: ctx.state.caller as ApiCaller, body: ctx.request.body, idempotencyKey },
    );
    ctx.status = result.status;
    ctx.body = result.body;
  });

  router.get('/transaction/status/:reference', async (ctx) => {
    ctx.body = await transactionStatus(deps.em(), ctx.state.caller as ApiCaller, ctx.params.reference!);
  });
};
