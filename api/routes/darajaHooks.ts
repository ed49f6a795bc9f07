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
    const rawBody = await readText(ctx, MAX_CALLBACK_BYTES);
    await receiveDarajaCallback({ ...deps, em: deps.em() }, { rawBody, transactionId: id, sourceIp: ctx.ip || null });
    ctx.body = ACCEPT;
  });
  return router;
}

async function readText(ctx: Context, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) break; // keep what fits; an oversized body is stored truncated and marked malformed
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
