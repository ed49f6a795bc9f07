import { EntitySchema } from '@mikro-orm/core';

/**
 * What one STK status query learned: `final` (Daraja's ResultCode and ResultDesc), `pending`
 * (the customer has not answered yet) or `error` (Daraja could not be asked; `error` says why).
 */
export type StkQueryState = 'pending' | 'final' | 'error';

/** Every STK status query a payment's workflow made, one row per query, for the payment's timeline. */
export interface StkStatusQuery {
  id: number;
  transaction: number;
  /** When the answer (or the error) came back. */
  askedAt: Date;
  state: StkQueryState;
  resultCode: string | null;
  /** Daraja's ResultDesc for a final answer, its "being processed" message for a pending one. */
  resultDesc: string | null;
  error: string | null;
}

export const StkStatusQuerySchema = new EntitySchema<StkStatusQuery>({
  name: 'StkStatusQuery',
  tableName: 'stk_status_queries',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    transaction: { kind: 'm:1', entity: 'Transaction', mapToPk: true, index: true },
    askedAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
    state: { type: 'string', length: 10 },
    resultCode: { type: 'string', length: 20, nullable: true },
    resultDesc: { type: 'text', nullable: true },
    error: { type: 'text', nullable: true },
  },
});
