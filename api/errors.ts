import type { Middleware } from 'koa';
import { AppError, type ErrorCode } from '../domain/errors';
import type { Logger } from '../config/logger';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  daraja_rejected: 400,
  unauthorized: 401,
  insufficient_balance: 402,
  forbidden: 403,
  kyc_required: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  daraja_unavailable: 503,
};

/**
 * The one error middleware: every failure leaves as `{ error, code, ...details }` with the
 * documented status. Unexpected errors are logged and answered without internals.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError('not_found', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      if (err instanceof AppError) {
        ctx.status = STATUS[err.code];
        ctx.body = { error: err.message, code: err.code, ...err.details };
        return;
      }
      // The route pattern, not the path: callback paths carry secret tokens.
      logger.error({ err, method: ctx.method, route: (ctx as { _matchedRoute?: string })._matchedRoute ?? '(no route)' }, 'unexpected error');
      ctx.status = 500;
      ctx.body = { error: 'Unexpected server error. Retry once; if it persists, contact support.', code: 'internal' };
    }
  };
}
