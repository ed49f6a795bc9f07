import type { Context } from 'koa';
import { AppError } from '../domain/errors';

const IDEMPOTENCY_KEY_MAX = 255;

/** The request's `Idempotency-Key` header (null when absent); every payment-starting endpoint reads it here. */
export function idempotencyKeyOf(ctx: Context): string | null {
  const key = ctx.get('idempotency-key').trim() || null;
  if (key && key.length > IDEMPOTENCY_KEY_MAX) {
    throw new AppError('validation_failed', `Idempotency-Key must be at most ${IDEMPOTENCY_KEY_MAX} characters`, {
      field: 'Idempotency-Key',
    });
  }
  return key;
}
