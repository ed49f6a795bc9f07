import type { Context } from 'koa';
import { AppError } from '../../domain/errors';
import { errorResponse } from '../openapi/registry';
import { receiveDarajaCallback } from '../../payments/receiveDarajaCallback';
import { receiveMpesaResult } from '../useCases/receiveMpesaResult';
import type { RouteModule } from './module';
import { darajaAcceptSchema } from '../openapi/responses';

const MAX_CALLBACK_BYTES = 64 * 1024;
const ACCEPT = { ResultCode: 0, ResultDesc: 'Accept' };

/**
 * POST /hooks/daraja/:token/:transactionId: where Daraja POSTs STK results, the token being the
 * payment's own (config/callbackUrl.ts). Read as raw text (not through the JSON body parser) so
 * that malformed bodies are stored too, then answered at once.
 */
export const darajaHookRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'post',
    path: '/hooks/daraja/:token/:transactionId',
    access: 'darajaCallback',
    rawBody: true,
    summary: 'Daraja STK callback (for Safaricom, not for merchants)',
    description:
      'Where M-Pesa posts the result of each STK push. Daraja does not sign callbacks, so the URL carries a secret per-payment token (shown here as {token}; never published). ' +
      'Every body is stored raw and handed to its payment; a wrong token answers 404 and is not stored. ' +
      'When Postgres is down the callback is still handed over (and Accept answered); only when it can be neither ' +
      'stored nor handed over is the answer 503.',
    tags: ['Platform'],
    params: { token: 'Secret per-payment token (redacted)', transactionId: 'The payment the callback is for' },
    responses: [
      {
        status: 200,
        description: 'Stored and accepted (also for malformed, duplicate and late callbacks)',
        schema: darajaAcceptSchema,
        example: { ResultCode: 0, ResultDesc: 'Accept' },
      },
      errorResponse(503, 'temporarily_unavailable', 'The callback could be neither stored nor handed over'),
    ],
    handler: async (ctx, { transactionId }) => {
      // Read before the body: once a request stream ends, its socket may be gone and with it the address.
      const sourceIp = ctx.ip || null;
      const body = await readBody(ctx, MAX_CALLBACK_BYTES);
      const receipt = await receiveDarajaCallback(
        {
          em: deps.em(),
          temporal: deps.temporal,
          logger: deps.logger,
          taskQueue: deps.taskQueue,
          timings: deps.timings,
        },
        { ...body, transactionId, sourceIp },
      );
      if (!receipt.accepted) {
        throw new AppError('temporarily_unavailable', 'The callback could be neither stored nor handed over', {
          retry_after: 5,
        });
      }
      ctx.body = ACCEPT;
    },
  });
};

/**
 * POST /hooks/daraja-results/:token/:kind: where M-Pesa posts what it says about its own record —
 * Transaction Status results (`status`), their queue timeouts (`timeout`) and Pull Transactions
 * notices (`pull`). Stored raw, read strictly, answered at once.
 */
export const darajaResultRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'post',
    path: '/hooks/daraja-results/:token/:kind',
    access: 'darajaResult',
    rawBody: true,
    summary: 'Daraja Transaction Status and Pull results (for Safaricom, not for merchants)',
    description:
      'The ResultURL and QueueTimeOutURL ImaraPay gives Transaction Status, and the CallBackURL of its Pull Transactions registration. ' +
      'The URL carries a secret token (shown here as {token}; never published); `kind` is `status`, `timeout` or `pull`. ' +
      'Every body is stored raw; a readable result for a question ImaraPay asked becomes evidence on its payment, anything else is kept and decides nothing. ' +
      'A wrong token or kind answers 404 and is not stored.',
    tags: ['Platform'],
    params: { token: 'Secret token (redacted)', kind: '`status`, `timeout` or `pull`' },
    responses: [
      {
        status: 200,
        description: 'Stored and accepted (malformed and unknown results too)',
        schema: darajaAcceptSchema,
        example: ACCEPT,
      },
      errorResponse(503, 'temporarily_unavailable', 'The result could not be stored'),
    ],
    handler: async (ctx, { kind }) => {
      const body = await readBody(ctx, MAX_CALLBACK_BYTES);
      try {
        await receiveMpesaResult(
          {
            em: deps.em(),
            temporal: deps.temporal,
            logger: deps.logger,
            taskQueue: deps.taskQueue,
            timings: deps.timings,
          },
          { kind, raw: body.raw.toString('utf8') },
        );
      } catch (err) {
        deps.logger.error({ err, kind }, 'could not store an M-Pesa result');
        throw new AppError('temporarily_unavailable', 'The result could not be stored', { retry_after: 5 });
      }
      ctx.body = ACCEPT;
    },
  });
};

/**
 * Reads the raw bytes, keeping at most `limit` of them. The rest is read and dropped rather than
 * left unread, so the request ends normally and Daraja still gets its Accept.
 */
export async function readBody(ctx: Context, limit: number): Promise<{ raw: Buffer; receivedBytes: number }> {
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
