import type { Middleware } from 'koa';
import { parseBasicAuth, verifyApiSecret } from '../domain/apiKeySecrets';
import type { RunSql } from '../db/orm';
import { readStatusWithApiKey } from '../db/statusReads';
import type { RecordApiKeyUse } from './apiKeyUsage';
import { invalidApiCredentials } from './auth';
import { statusBodyOf } from './useCases/transactionStatus';

// References are transaction ids and CheckoutRequestIDs (`ws_CO_…`); anything else takes the router.
const STATUS_PATH = /^\/api\/transaction\/status\/([A-Za-z0-9_-]{1,64})$/;

export interface StatusPollingDeps {
  runSql: RunSql;
  pepper: string;
  recordUse: RecordApiKeyUse;
}

/**
 * GET /api/transaction/status/:reference with an API key, answered ahead of the ORM's request
 * context and the routers by one SQL statement (key, payment and balance together): merchants
 * poll it every few seconds per payment, so it is the busiest request by far. Everything else on
 * that path (a dashboard session, HEAD, an unusual reference) falls through to the route in
 * api/routes/payments.ts, which gives the same answers.
 */
export function statusPollingWithApiKey({ runSql, pepper, recordUse }: StatusPollingDeps): Middleware {
  return async (ctx, next) => {
    // Anything unusual (a query string, another method) takes the routed path and its checks.
    const reference = ctx.method === 'GET' && ctx.querystring === '' ? STATUS_PATH.exec(ctx.path)?.[1] : undefined;
    const credentials = reference === undefined ? null : parseBasicAuth(ctx.get('authorization'));
    if (reference === undefined || !credentials) return next();
    const found = await readStatusWithApiKey(runSql, credentials.username, reference);
    if (!found || !verifyApiSecret(pepper, credentials.password, found.key.secretHash)) throw invalidApiCredentials();
    recordUse(found.key.id);
    ctx.body = statusBodyOf(found.payment, reference);
  };
}
