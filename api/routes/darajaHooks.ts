import Router from '@koa/router';
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../config/logger';
import { receiveDarajaCallback } from '../useCases/receiveDarajaCallback';

export interface DarajaHookDeps {
  em: () => EntityManager;
  temporal: Client;
  logger: Logger;
  callbackToken: string;
}

const MAX_CALLBACK_BYTES = 64 * 1024;
const ACCEPT = { ResultCode: 0, ResultDesc: 'Accept' };

/**
 * Where Daraja POSTs STK results: /hooks/daraja/:token/:transactionId. Read as raw text (not
 * through the JSON body parser) so that malformed bodies are stored too, then answered at once.
 */
export function darajaHookRoutes(deps: DarajaHookDeps): Router {
  const router = new Router();
  router.post('/hooks/daraja/:token{/:transactionId}', async (ctx) => {
    if (!sameSecret(ctx.params.token ?? '', deps.callbackToken)) {
      deps.logger.warn({ ip: ctx.ip }, 'Daraja callback with a wrong path token');
      ctx.status = 404;
      ctx.body = { error: 'Not found' };
      return;
    }
    const rawBody = await readText(ctx, MAX_CALLBACK_BYTES);
    const id = ctx.params.transactionId;
    await receiveDarajaCallback(
      { em: deps.em(), temporal: deps.temporal, logger: deps.logger },
      { rawBody, transactionId: id && /^\d{1,9}$/.test(id) ? Number(id) : null, sourceIp: ctx.ip || null },
    );
    ctx.body = ACCEPT;
  });
  return router;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
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
