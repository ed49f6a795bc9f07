import type { z } from 'zod';
import { AppError } from '../domain/errors';

/**
 * Parses input with a zod schema; the first problem becomes a 400 that names the field.
 * Schemas carry their own merchant-facing messages.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
  const message = missing ? `${field} is required` : issue.message;
  throw new AppError('validation_failed', message, field ? { field } : undefined);
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), input);
}
