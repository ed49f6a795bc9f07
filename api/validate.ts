import { z } from 'zod';
import { AppError } from '../domain/errors';
import { ALLOWED_CHARACTERS_TEXT, cleanMpesaText, type MpesaTextRule } from '../domain/mpesaText';

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
  return path.reduce<unknown>(
    (value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined),
    input,
  );
}

/**
 * A zod string for one of M-Pesa's free-text fields: cleaned and checked by the same rule the
 * Daraja request builder applies (domain/mpesaText.ts), so an accepted value is never refused later.
 */
export function mpesaTextField(field: string, rule: MpesaTextRule) {
  const documented = z.string({ error: `${field} must be a string` }).meta({
    minLength: 1,
    maxLength: rule.max,
    description: `M-Pesa's ${rule.darajaName}: 1 to ${rule.max} of ${ALLOWED_CHARACTERS_TEXT}; accented letters are sent without accents (Café → Cafe) and outer spaces are trimmed.`,
  });
  return documented.transform((input, ctx) => {
    const result = cleanMpesaText(field, rule, input);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: result.message, input });
    return z.NEVER;
  });
}
