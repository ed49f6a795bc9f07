import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Engine } from './engine';
import { newRequestId } from './ids';
import type { Scheduler } from './scheduler';
import type { TokenStore } from './tokens';
import { validatePush, validateQuery } from './validation';

export interface DarajaRouteDeps {
  engine: Engine;
  tokens: TokenStore;
  scheduler: Scheduler;
  consumerKey: string;
  consumerSecret: string;
  passkeys: Readonly<Record<string, string>>;
}

/** Daraja's error body; the HTTP status is the code's first part (400.002.02 → 400), as Daraja does. */
export function sendDarajaError(ctx: Context, errorCode: string, errorMessage: string): void {
  ctx.status = Number(errorCode.split('.')[0]) || 500;
  ctx.body = { requestId: newRequestId(), errorCode, errorMessage };
}

/** Every Daraja endpoint but OAuth needs a current Bearer token, else 404.001.03. */
export function tokenGuard(engine: Engine, tokens: TokenStore) {
  return async (ctx: Context, next: Next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'));
    if (!bearer?.[1] || !tokens.isValid(bearer[1])) {
      engine.stats.invalidTokens += 1;
      sendDarajaError(ctx, '404.001.03', 'Invalid Access Token');
      return;
    }
    await next();
  };
}

const requestBody = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

/** The three Daraja endpoints ImaraPay uses, with Daraja's validations and answers. */
export function darajaRouter(deps: DarajaRouteDeps): Router {
  const { engine, tokens, scheduler, passkeys } = deps;
  const router = new Router();

  const requireToken = tokenGuard(engine, tokens);

  router.get('/oauth/v1/generate', (ctx) => {
    const basic = /^Basic\s+(\S+)$/i.exec(ctx.get('Authorization'));
    const refuse = (code: string, message: string) => {
      engine.stats.oauthRejected += 1;
      sendDarajaError(ctx, code, message);
    };
    if (!basic?.[1]) return refuse('400.008.01', 'Invalid Authentication passed');
    if (ctx.query.grant_type !== 'client_credentials') return refuse('400.008.02', 'Invalid grant type passed');
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const key = colon < 0 ? decoded : decoded.slice(0, colon);
    const secret = colon < 0 ? '' : decoded.slice(colon + 1);
    if (key !== deps.consumerKey || secret !== deps.consumerSecret)
      return refuse('400.008.01', 'Invalid Authentication passed');
    const issued = tokens.issue(key);
    engine.stats.tokensIssued += 1;
    // expires_in is a string, as the real Daraja sends it.
    ctx.body = { access_token: issued.token, expires_in: String(issued.expiresInSeconds) };
    return undefined;
  });

  router.post('/mpesa/stkpush/v1/processrequest', requireToken, async (ctx) => {
    const body = requestBody(ctx);
    const checked = validatePush(body, passkeys);
    if (!checked.ok) {
      engine.stats.pushesRejected += 1;
      return sendDarajaError(ctx, checked.errorCode, checked.errorMessage);
    }
    const decision = engine.acceptPush(checked.value, body);
    if (decision.type === 'spike_arrest') {
      engine.stats.pushesRejected += 1;
      return sendDarajaError(ctx, '500.003.02', 'Spike Arrest Violation');
    }
    // push_times_out: the prompt is already on its way to the phone; only the HTTP answer is late.
    if (decision.holdMs > 0) await scheduler.sleep(decision.holdMs);
    ctx.body = {
      MerchantRequestID: decision.record.merchantRequestId,
      CheckoutRequestID: decision.record.checkoutRequestId,
      ResponseCode: '0',
      ResponseDescription: 'Success. Request accepted for processing',
      CustomerMessage: 'Success. Request accepted for processing',
    };
    return undefined;
  });

  router.post('/mpesa/stkpushquery/v1/query', requireToken, (ctx) => {
    const checked = validateQuery(requestBody(ctx), passkeys);
    if (!checked.ok) return sendDarajaError(ctx, checked.errorCode, checked.errorMessage);
    const answer = engine.query(checked.value.checkoutRequestId);
    if (answer.type === 'unknown') return sendDarajaError(ctx, '400.002.02', 'Bad Request - Invalid CheckoutRequestID');
    // Daraja's "pending" is an error body; integrations that read it as failure are a classic bug.
    if (answer.type === 'pending') return sendDarajaError(ctx, '500.001.1001', 'The transaction is being processed');
    ctx.body = {
      ResponseCode: '0',
      ResponseDescription: 'The service request has been accepted successfully',
      MerchantRequestID: answer.record.merchantRequestId,
      CheckoutRequestID: answer.record.checkoutRequestId,
      ResultCode: answer.result.resultCode,
      ResultDesc: answer.result.resultDesc,
    };
    return undefined;
  });

  return router;
}
