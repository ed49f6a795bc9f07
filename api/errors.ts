import type { Context, Middleware } from 'koa';
import { AppError, type ErrorCode } from '../domain/errors';
import type { Logger } from '../config/logger';

/** The HTTP status of every error code: one total map. */
export const STATUS_OF: Record<ErrorCode, number> = {
  validation_failed: 400,
  daraja_rejected: 400,
  unauthorized: 401,
  second_factor_required: 401,
  insufficient_balance: 402,
  forbidden: 403,
  kyc_required: 403,
  csrf_failed: 403,
  not_found: 404,
  method_not_allowed: 405,
  unsupported_media_type: 415,
  conflict: 409,
  link_unavailable: 409,
  prompt_open: 409,
  not_reversible: 409,
  initiator_required: 409,
  rate_limited: 429,
  internal: 500,
  not_implemented: 501,
  daraja_unavailable: 503,
  temporarily_unavailable: 503,
};

/** When a `temporarily_unavailable` answer tells the client to try again, unless the error says otherwise. */
export const RETRY_AFTER_SECONDS = 5;

/** Answers that middleware (the router's 404/405/501, Koa's own) leave without a body get one. */
function bodilessError(ctx: Context): AppError | null {
  if (ctx.body !== undefined && ctx.body !== null) return null;
  if (ctx.status === 404) return new AppError('not_found', `No route for ${ctx.method} ${ctx.path}`);
  if (ctx.status === 405)
    return new AppError(
      'method_not_allowed',
      `${ctx.method} is not allowed here; allowed: ${ctx.response.get('allow')}`,
    );
  if (ctx.status === 501) return new AppError('not_implemented', `${ctx.method} is not a method this API implements`);
  return null;
}

/** Errors thrown by Koa and its libraries (http-errors) that are meant for the client. */
function clientHttpError(err: unknown): AppError | null {
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return null;
  if (status === 401) return new AppError('unauthorized', 'Missing or invalid credentials');
  if (status === 404) return new AppError('not_found', 'Not found');
  if (status === 405) return new AppError('method_not_allowed', 'Method not allowed');
  return new AppError('validation_failed', 'The request could not be read');
}

/**
 * The client went away before its request was read in full (an abandoned upload, a closed tab):
 * nothing failed on this side, and there is nobody left to answer.
 */
function isClientAbort(ctx: Context, err: unknown): boolean {
  const { code, type } = (err ?? {}) as { code?: unknown; type?: unknown };
  const abortError = type === 'request.aborted' || code === 'ECONNRESET' || code === 'ECONNABORTED';
  return abortError && !ctx.req.complete;
}

/**
 * A request refused before its body was read (401, 415, 429, a body too large) must not have the
 * rest read after the answer just to keep the connection: it is closed with the answer instead.
 */
function closeIfBodyUnread(ctx: Context): void {
  if (!ctx.req.complete) ctx.set('Connection', 'close');
}

/**
 * The one error middleware: every failure leaves as `{ error, code, ...details }` with the
 * documented status. Unexpected errors are logged and answered without internals.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      const bodiless = bodilessError(ctx);
      if (bodiless) throw bodiless;
    } catch (thrown) {
      if (isClientAbort(ctx, thrown)) {
        logger.info(
          { method: ctx.method, route: (ctx as { _matchedRoute?: string })._matchedRoute ?? '(no route)' },
          'client aborted the request before sending all of it',
        );
        ctx.status = 400;
        ctx.body = { error: 'The request was aborted by the client', code: 'validation_failed' };
        return;
      }
      const err = thrown instanceof AppError ? thrown : clientHttpError(thrown);
      if (err) {
        ctx.status = STATUS_OF[err.code];
        // A part ImaraPay depends on is down: tell the client when retrying makes sense.
        if (err.code === 'temporarily_unavailable')
          ctx.set('Retry-After', String(err.details?.retry_after ?? RETRY_AFTER_SECONDS));
        // A limit kept by a use case (the per-account sign-in limit) says when, like the rate-limit middleware.
        if (
          err.code === 'rate_limited' &&
          typeof err.details?.retry_after === 'number' &&
          !ctx.response.get('Retry-After')
        )
          ctx.set('Retry-After', String(err.details.retry_after));
        ctx.body = { error: err.message, code: err.code, ...err.details };
        closeIfBodyUnread(ctx);
        return;
      }
      // The route pattern, not the path: callback paths carry secret tokens.
      logger.error(
        { err: thrown, method: ctx.method, route: (ctx as { _matchedRoute?: string })._matchedRoute ?? '(no route)' },
        'unexpected error',
      );
      ctx.status = 500;
      ctx.body = { error: 'Unexpected server error. Retry once; if it persists, contact support.', code: 'internal' };
      closeIfBodyUnread(ctx);
    }
  };
}
