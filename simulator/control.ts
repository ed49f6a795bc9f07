import Router from '@koa/router';
import { z } from 'zod';
import { ControlError, type Engine, type PushRecord, type SimulatorStats } from './engine';
import { OUTCOMES, type Outcome } from './outcomes';
import type { Scheduler } from './scheduler';
import type { TokenStore } from './tokens';

/** In-process handle on the simulator for tests; the same operations are served under /__control. */
export interface SimulatorControl {
  /** Every accepted push, oldest first (copies: changing them changes nothing). */
  pushes(): PushRecord[];
  push(checkoutRequestId: string): PushRecord | undefined;
  /** Answers an open prompt with this result; throws ControlError (404 unknown, 409 already answered). */
  complete(checkoutRequestId: string, result: { resultCode: string | number; resultDesc?: string }): PushRecord;
  /** Forgets pushes and counters and cancels pending timers and callbacks; tokens stay valid. */
  reset(): void;
  /** Invalidates every issued token, as a token fetched elsewhere would (clients then get 404.001.03). */
  revokeTokens(): void;
  stats(): SimulatorStats;
  /** Resolves once every scheduled answer and callback has run. */
  settled(): Promise<void>;
  readonly outcomes: readonly Outcome[];
}

export function createControl(engine: Engine, tokens: TokenStore, scheduler: Scheduler): SimulatorControl {
  return {
    pushes: () => engine.list().map((p) => structuredClone(p)),
    push: (id) => {
      const record = engine.get(id);
      return record ? structuredClone(record) : undefined;
    },
    complete: (id, result) => structuredClone(engine.complete(id, String(result.resultCode), result.resultDesc)),
    reset: () => engine.reset(),
    revokeTokens: () => tokens.revokeAll(),
    stats: () => ({ ...engine.stats }),
    settled: () => scheduler.settled(),
    outcomes: OUTCOMES,
  };
}

const completeBody = z.object({
  resultCode: z.union([z.number().int(), z.string().min(1)]),
  resultDesc: z.string().optional(),
});

/** GET/POST /__control/… for tests and merchants poking at their sandbox from outside the process. */
export function controlRouter(control: SimulatorControl): Router {
  const router = new Router({ prefix: '/__control' });

  router.get('/pushes', (ctx) => {
    ctx.body = { pushes: control.pushes() };
  });
  router.get('/pushes/:checkoutRequestId', (ctx) => {
    const record = control.push(ctx.params.checkoutRequestId ?? '');
    if (!record) throw new ControlError(404, `No push with CheckoutRequestID ${ctx.params.checkoutRequestId}`);
    ctx.body = record;
  });
  router.post('/pushes/:checkoutRequestId/complete', (ctx) => {
    const parsed = completeBody.safeParse((ctx.request as { body?: unknown }).body);
    if (!parsed.success)
      throw new ControlError(400, 'Body must be {"resultCode": number | string, "resultDesc"?: string}');
    ctx.body = control.complete(ctx.params.checkoutRequestId ?? '', parsed.data);
  });
  router.post('/reset', (ctx) => {
    control.reset();
    ctx.status = 204;
  });
  router.post('/tokens/revoke', (ctx) => {
    control.revokeTokens();
    ctx.status = 204;
  });
  router.get('/stats', (ctx) => {
    ctx.body = control.stats();
  });
  router.get('/outcomes', (ctx) => {
    ctx.body = { outcomes: control.outcomes };
  });

  return router;
}
