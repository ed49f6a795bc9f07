import Router from '@koa/router';
import { z } from 'zod';
import { ControlError, type Engine, type LostAnswers, type PushRecord, type SimulatorStats } from './engine';
import { OUTCOMES, type Outcome } from './outcomes';
import type { LedgerCredit, RecordBook, ResultDelivery, TransactionStatusMode } from './mpesaRecords';
import type { ReversalBook, SimulatedReversal } from './reversals';
import type { Scheduler } from './scheduler';
import type { SecurityKeys } from './securityKeys';
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
  /** The certificate SecurityCredentials must be encrypted to (PEM), and the initiator M-Pesa knows. */
  certificate(): Promise<string>;
  /** Every credit M-Pesa holds (paid pushes and added credits), as Pull Transactions and Transaction Status see them. */
  ledger(): LedgerCredit[];
  /** Adds a C2B credit ImaraPay never pushed. */
  addCredit(credit: {
    shortcode: string;
    amount: number;
    billReference?: string;
    msisdn?: string;
    /** When M-Pesa took it (default now); tests place credits on earlier days. */
    at?: Date;
  }): LedgerCredit;
  /** How the next Transaction Status requests are answered: normal, queue_timeout, or silent (no result ever). */
  setTransactionStatusMode(mode: TransactionStatusMode): void;
  /** Transaction Status results and queue timeouts posted so far. */
  resultDeliveries(): ResultDelivery[];
  /** Every reversal requested so far, with its result once processed. */
  reversals(): SimulatedReversal[];
  /** Reversal results and queue timeouts posted so far. */
  reversalDeliveries(): ResultDelivery[];
  /**
   * Makes the pushes accepted from now on lose M-Pesa's answers (PushRecord.lost): `callbacks`, or
   * `callbacks_and_push_answer`; null restores them. M-Pesa's record still holds what each customer did.
   */
  loseAnswers(mode: LostAnswers | null): void;
}

export function createControl(
  engine: Engine,
  tokens: TokenStore,
  scheduler: Scheduler,
  records: RecordBook,
  keys: Promise<SecurityKeys>,
  reversals: ReversalBook,
): SimulatorControl {
  return {
    pushes: () => engine.list().map((p) => structuredClone(p)),
    push: (id) => {
      const record = engine.get(id);
      return record ? structuredClone(record) : undefined;
    },
    complete: (id, result) => structuredClone(engine.complete(id, String(result.resultCode), result.resultDesc)),
    reset: () => {
      engine.reset();
      records.reset();
      reversals.reset();
    },
    revokeTokens: () => tokens.revokeAll(),
    stats: () => ({ ...engine.stats }),
    settled: () => scheduler.settled(),
    outcomes: OUTCOMES,
    certificate: async () => (await keys).certificatePem,
    ledger: () => records.ledger().map((c) => structuredClone(c)),
    addCredit: (credit) => structuredClone(records.addCredit(credit)),
    setTransactionStatusMode: (mode) => records.setMode(mode),
    resultDeliveries: () => records.deliveries(),
    reversals: () => reversals.list(),
    reversalDeliveries: () => reversals.deliveries(),
    loseAnswers: (mode) => engine.loseAnswers(mode),
  };
}

const completeBody = z.object({
  resultCode: z.union([z.number().int(), z.string().min(1)]),
  resultDesc: z.string().optional(),
});

const creditBody = z.object({
  shortcode: z.string().regex(/^\d{5,7}$/),
  amount: z.number().int().min(1).max(250_000),
  billReference: z.string().max(20).optional(),
  msisdn: z
    .string()
    .regex(/^254[71]\d{8}$/)
    .optional(),
});
const modeBody = z.object({ mode: z.enum(['normal', 'queue_timeout', 'silent']) });
const lostBody = z.object({ mode: z.enum(['none', 'callbacks', 'callbacks_and_push_answer']) });

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

  router.get('/certificate', async (ctx) => {
    ctx.body = await control.certificate();
    ctx.type = 'application/x-pem-file';
  });
  router.get('/ledger', (ctx) => {
    ctx.body = { credits: control.ledger() };
  });
  router.post('/credits', (ctx) => {
    const parsed = creditBody.safeParse((ctx.request as { body?: unknown }).body);
    if (!parsed.success)
      throw new ControlError(
        400,
        'Body must be {"shortcode": "5-7 digits", "amount": 1-250000, "billReference"?, "msisdn"?}',
      );
    ctx.status = 201;
    ctx.body = control.addCredit(parsed.data);
  });
  router.post('/transaction-status/mode', (ctx) => {
    const parsed = modeBody.safeParse((ctx.request as { body?: unknown }).body);
    if (!parsed.success) throw new ControlError(400, 'Body must be {"mode": "normal" | "queue_timeout" | "silent"}');
    control.setTransactionStatusMode(parsed.data.mode);
    ctx.status = 204;
  });
  router.post('/lost-answers', (ctx) => {
    const parsed = lostBody.safeParse((ctx.request as { body?: unknown }).body);
    if (!parsed.success)
      throw new ControlError(400, 'Body must be {"mode": "none" | "callbacks" | "callbacks_and_push_answer"}');
    control.loseAnswers(parsed.data.mode === 'none' ? null : parsed.data.mode);
    ctx.status = 204;
  });
  router.get('/results', (ctx) => {
    ctx.body = { deliveries: control.resultDeliveries() };
  });
  router.get('/reversals', (ctx) => {
    ctx.body = { reversals: control.reversals(), deliveries: control.reversalDeliveries() };
  });

  return router;
}
