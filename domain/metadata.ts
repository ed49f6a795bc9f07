import { AppError } from './errors';

/** Key/value data merchants attach to payments and customers (the Express API's rules). */
export type Metadata = Record<string, string | number | boolean>;

export const METADATA_MAX_PAIRS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_MAX_STRING_LENGTH = 500;

/**
 * Checks metadata exactly as the Express API documents it: keys are strings of at most 40
 * characters; values are strings of at most 500 characters, integers, floats or booleans; at most
 * 50 pairs. A violation is a 400 that names the offending key.
 */
export function validateMetadata(value: unknown, field: string): Metadata {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid(field, `${field} must be an object of key/value pairs`);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > METADATA_MAX_PAIRS)
    throw invalid(field, `${field} may hold at most ${METADATA_MAX_PAIRS} key/value pairs (got ${entries.length})`);
  for (const [key, v] of entries) {
    const at = `${field}.${key}`;
    if (key.length === 0 || key.length > METADATA_MAX_KEY_LENGTH) {
      throw invalid(at, `${field} key "${key}" must be 1 to ${METADATA_MAX_KEY_LENGTH} characters`);
    }
    if (typeof v === 'string') {
      if (v.length > METADATA_MAX_STRING_LENGTH)
        throw invalid(at, `${field} value of "${key}" must be at most ${METADATA_MAX_STRING_LENGTH} characters`);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw invalid(at, `${field} value of "${key}" must be a finite number`);
    } else if (typeof v !== 'boolean') {
      throw invalid(
        at,
        `${field} value of "${key}" must be a string, integer, float or boolean (got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v})`,
      );
    }
  }
  return value as Metadata;
}

const invalid = (field: string, message: string) => new AppError('validation_failed', message, { field });
