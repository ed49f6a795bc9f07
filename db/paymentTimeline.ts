import type { EntityManager } from '@mikro-orm/postgresql';

/** What Postgres recorded about one payment, each list oldest first. Times are Dates; amounts are KES. */
export interface PaymentTimelineRecords {
  /** The payment's own columns the timeline needs; null when no transaction has this id. */
  payment: { push_state: string; decided_by: string | null; workflow_id: string; updated_at: Date } | null;
  /** Its wallet ledger entries (signed KES). */
  ledger: { kind: string; amount: number; created_at: Date }[];
  /** Every raw Daraja callback stored for it, duplicates and late ones too. */
  callbacks: { received_at: Date; result_code: string | null; disposition: string; raw_body: string }[];
  /** Each STK status query with its answer or error. */
  queries: {
    asked_at: Date;
    state: string;
    result_code: string | null;
    result_desc: string | null;
    error: string | null;
  }[];
  /** Each webhook attempt (by start time) with its delivery's event and URL; `latency_ms` is milliseconds. */
  attempts: {
    event: string;
    attempt_no: number;
    status: string;
    started_at: Date;
    status_code: number | null;
    latency_ms: number;
    error: string | null;
    url: string;
  }[];
}

/**
 * Everything recorded about transaction `id` that its timeline tells: its push state, ledger
 * entries, callbacks, status queries and webhook attempts. It does not check who owns the payment.
 */
export async function paymentTimelineRecords(em: EntityManager, id: number): Promise<PaymentTimelineRecords> {
  const connection = em.getConnection();
  const [payment] = await connection.execute<NonNullable<PaymentTimelineRecords['payment']>[]>(
    'select push_state, decided_by, workflow_id, updated_at from transactions where id = ?',
    [id],
  );
  const ledger = await connection.execute<PaymentTimelineRecords['ledger']>(
    'select kind, amount, created_at from wallet_ledger where transaction_id = ? order by id',
    [id],
  );
  const callbacks = await connection.execute<PaymentTimelineRecords['callbacks']>(
    'select received_at, result_code, disposition, raw_body from daraja_callbacks where transaction_id = ? order by id',
    [id],
  );
  const queries = await connection.execute<PaymentTimelineRecords['queries']>(
    `select asked_at, state, result_code, result_desc, error
       from stk_status_queries where transaction_id = ? order by id`,
    [id],
  );
  const attempts = await connection.execute<PaymentTimelineRecords['attempts']>(
    `select d.event, a.attempt_no, a.status, a.started_at, a.status_code, a.latency_ms, a.error, d.url
       from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
      where d.transaction_id = ? order by a.started_at, a.id`,
    [id],
  );
  return { payment: payment ?? null, ledger, callbacks, queries, attempts };
}
