import Router from '@koa/router';
import type { Context } from 'koa';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../config/logger';
import type { PaymentTimings } from '../../workflows/definitions';
import { receiveDarajaCallback } from '../useCases/receiveDarajaCallback';
import { isValidCallbackToken } from '../../config/callbackUrl';
import { parseTransactionId } from '../../domain/ids';

export interface DarajaHookDeps {
  em: () => EntityManager;
  temporal: Client;
  logger: Logger;
  callbackToken: string;
  taskQueue: string;
  timings: PaymentTimings;
}

const MAX_CALLBACK_BYTES = 64 * 1024;
const ACCEPT = { ResultCode: 0, ResultDesc: 'Accept' };

/**
 * Where Daraja POSTs STK results: /hooks/daraja/:token/:transactionId, the token being the payment's
 * own (config/callbackUrl.ts). Read as raw text (not through the JSON body parser) so that malformed
 * bodies are stored too, then answered at once.
 */
export function darajaHookRoutes(deps: DarajaHookDeps): Router {
  const router = new Router();
  router.post('/hooks/daraja/:token/:transactionId', async (ctx) => {
    const id = parseTransactionId(ctx.params.transactionId);
    if (id === null || !isValidCallbackToken(deps.callbackToken, id, ctx.params.token ?? '')) {
      deps.logger.warn({ ip: ctx.ip }, 'Daraja callback with a wrong path token');
      ctx.status = 404;
      ctx.body = { error: 'Not found' };
      return;
    }
    // Read before the body: once a request stream ends, its socket may be gone and with it the address.
    const sourceIp = ctx.ip || null;
    const body = await readBody(ctx, MAX_CALLBACK_BYTES);
    await receiveDarajaCallback({ ...deps, em: deps.em() }, { ...body, transactionId: id, sourceIp });
    ctx.body = ACCEPT;
  });
  return router;
}

/**
 * Reads the raw bytes, keeping at most `limit` of them. The rest is read and dropped rather than
 * left unread, so the request ends normally and Daraja still gets its Accept.
 */
async function readBody(ctx: Context, limit: number): Promise<{ raw: Buffer; receivedBytes: number }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let receivedBytes = 0;
  for await (const chunk of ctx.req) {
    const bytes = chunk as Buffer;
    receivedBytes += bytes.length;
    if (kept >= limit) continue;
    const part = bytes.subarray(0, limit - kept);
    chunks.push(part);
    kept += part.length;
  }
  return { raw: Buffer.concat(chunks), receivedBytes };
}
