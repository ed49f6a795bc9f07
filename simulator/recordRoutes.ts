import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { sendDarajaError } from './darajaRoutes';
import { newRequestId } from './ids';
import type { RecordBook } from './mpesaRecords';
import { validateReversal, type ReversalBook } from './reversals';
import { validatePullQuery, validatePullRegister, validateTransactionStatus } from './recordValidation';

const requestBody = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

/**
 * Transaction Status, Reversal and Pull Transactions, with Daraja's validation. Reversal, like Transaction Status only
 * Transaction Status, only acknowledges; its result (or QueueTimeOut) is POSTed later. Pull Transactions answers at once.
 */
export function recordRouter(book: RecordBook, reversals: ReversalBook, requireToken: Middleware): Router {
  const router = new Router();

  router.post('/mpesa/reversal/v1/request', requireToken, (ctx) => {
    const checked = validateReversal(requestBody(ctx));
    if (!checked.ok) return sendDarajaError(ctx, checked.errorCode, checked.errorMessage);
    const ids = reversals.reverse(checked.value);
    ctx.body = {
      OriginatorConversationID: ids.originatorConversationId,
      ConversationID: ids.conversationId,
      ResponseCode: '0',
      ResponseDescription: 'Accept the service request successfully.',
    };
    return undefined;
  });

  router.post('/mpesa/transactionstatus/v1/query', requireToken, (ctx) => {
    const checked = validateTransactionStatus(requestBody(ctx));
    if (!checked.ok) return sendDarajaError(ctx, checked.errorCode, checked.errorMessage);
    const ids = book.transactionStatus(checked.value);
    ctx.body = {
      OriginatorConversationID: ids.originatorConversationId,
      ConversationID: ids.conversationId,
      ResponseCode: '0',
      ResponseDescription: 'Accept the service request successfully.',
    };
    return undefined;
  });

  router.post('/pulltransactions/v1/register', requireToken, (ctx) => {
    const checked = validatePullRegister(requestBody(ctx));
    if (!checked.ok) return sendDarajaError(ctx, checked.errorCode, checked.errorMessage);
    const already = book.register(checked.value.shortcode);
    ctx.body = {
      ResponseRefID: newRequestId(),
      ResponseStatus: '1000',
      ShortCode: checked.value.shortcode,
      ResponseDescription: already ? 'Shortcode already registered' : 'Pull transactions registered successfully',
    };
    return undefined;
  });

  router.post('/pulltransactions/v1/query', requireToken, (ctx) => {
    const checked = validatePullQuery(requestBody(ctx));
    if (!checked.ok) return sendDarajaError(ctx, checked.errorCode, checked.errorMessage);
    const { shortcode, start, end, offset } = checked.value;
    if (!book.isRegistered(shortcode)) return sendDarajaError(ctx, '400.002.02', 'Bad Request - Invalid ShortCode');
    const rows = book.pull(shortcode, start, end, offset);
    ctx.body = {
      ResponseRefID: newRequestId(),
      ResponseCode: '1000',
      ResponseMessage: rows.length > 0 ? 'Success' : 'No transactions found',
      Response: [rows],
    };
    return undefined;
  });

  return router;
}
