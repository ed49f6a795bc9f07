import { EntitySchema } from '@mikro-orm/core';

/**
 * One rate-limit counter (api/rateLimits.ts), in the table layout rate-limiter-flexible's
 * RateLimiterPostgres reads and writes. Declared here so the schema, created by a migration, is the
 * ORM's like every other table; only the limiter touches its rows.
 */
export interface RateLimitCounter {
  /** `<policy>:<SHA-256 of the caller's key>`: no email, IP or key id is stored as such. */
  key: string;
  /** Requests counted in the current window. */
  points: number;
  /** When the window ends, in milliseconds since the epoch; null for a counter that never expires. */
  expire: string | null;
}

export const RateLimitCounterSchema = new EntitySchema<RateLimitCounter>({
  name: 'RateLimitCounter',
  tableName: 'rate_limits',
  properties: {
    key: { type: 'string', length: 255, primary: true },
    points: { type: 'integer', default: 0 },
    expire: { type: 'bigint', nullable: true },
  },
});
