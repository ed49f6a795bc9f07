import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { paymentsByMinute, type MinuteOfPayments } from '../../db/overviewFigures';

export const paymentsPerMinuteQuerySchema = z.object({
  minutes: z.coerce
    .number({ error: 'minutes must be 5 to 1440' })
    .int()
    .min(5, { error: 'minutes must be 5 to 1440' })
    .max(1440, { error: 'minutes must be 5 to 1440' })
    .default(60)
    .describe('How far back, in minutes (default 60)'),
});

export type { MinuteOfPayments };

/**
 * GET /api/admin/overview/payments-per-minute: customer payments started in each of the last
 * `minutes` minutes, by outcome, every minute present (zeros included) so a chart needs no gaps filled.
 */
export async function paymentsPerMinute(
  em: EntityManager,
  { minutes }: { minutes: number },
): Promise<MinuteOfPayments[]> {
  return paymentsByMinute(em, minutes);
}
