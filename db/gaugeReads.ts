/**
 * The aggregate reads behind the ops gauges (observability/paymentGauges.ts), one statement each,
 * run at scrape time on a small pool of their own.
 */

/** One plain SQL statement with `?` placeholders, answering its rows (db/sqlPool.ts `run` fits). */
export type QueryRows = <Row>(sql: string, params: unknown[]) => Promise<Row[]>;

/** One labelled value of a gauge read from Postgres. */
export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * Payments by current `status` (pending, completed, failed, needs_review…) and `decider`, what
 * settled them (callback, query, push_rejected, no_answer; `none` while undecided).
 */
export async function paymentCounts(query: QueryRows): Promise<GaugeSample[]> {
  const rows = await query<{ status: string; decider: string; n: string }>(
    `select status, coalesce(decided_by, 'none') as decider, count(*) as n from transactions group by 1, 2`,
    [],
  );
  return rows.map((r) => ({ labels: { status: r.status, decider: r.decider }, value: Number(r.n) }));
}

/** Stored Daraja callbacks by `disposition` (signalled, late, unmatched, malformed, signal_failed…). */
export async function callbackCounts(query: QueryRows): Promise<GaugeSample[]> {
  const rows = await query<{ disposition: string; n: string }>(
    `select disposition, count(*) as n from daraja_callbacks group by 1`,
    [],
  );
  return rows.map((r) => ({ labels: { disposition: r.disposition }, value: Number(r.n) }));
}

/**
 * Redeliveries of stored callbacks to their workflows, by `result`. The schema has no record of
 * redrives yet, so there is nothing to count: once callbacks keep one (a counter column or a
 * table), this function reads it with one aggregate query and returns one sample per result.
 */
export async function callbackRedriveCounts(_query: QueryRows): Promise<GaugeSample[]> {
  return [];
}

/** Merchant webhook deliveries by `status` (pending is the backlog, delivered, failed…). */
export async function webhookDeliveryCounts(query: QueryRows): Promise<GaugeSample[]> {
  const rows = await query<{ status: string; n: string }>(
    `select status, count(*) as n from webhook_deliveries group by 1`,
    [],
  );
  return rows.map((r) => ({ labels: { status: r.status }, value: Number(r.n) }));
}

/** Age in seconds of the oldest delivery still pending (0 when none is). */
export async function oldestPendingWebhookSeconds(query: QueryRows): Promise<GaugeSample[]> {
  const rows = await query<{ age: string | null }>(
    `select extract(epoch from now() - min(created_at)) as age from webhook_deliveries where status = 'pending'`,
    [],
  );
  return [{ labels: {}, value: Math.max(0, Number(rows[0]?.age ?? 0)) }];
}

/**
 * Webhook delivery attempts by `result`: `2xx`, `3xx`, `4xx`, `5xx` from the receiver's status,
 * `sending` while the answer is awaited, or `no_answer` when none came (timeout, refused connection,
 * a target refused before sending, a worker that stopped mid-call).
 */
export async function webhookAttemptCounts(query: QueryRows): Promise<GaugeSample[]> {
  const rows = await query<{ result: string; n: string }>(
    `select case when status = 'sending' then 'sending'
                 when status_code is null then 'no_answer'
                 else (status_code / 100)::text || 'xx' end as result,
            count(*) as n
       from webhook_attempts group by 1`,
    [],
  );
  return rows.map((r) => ({ labels: { result: r.result }, value: Number(r.n) }));
}

/**
 * Open reconciliation findings by `kind`. Reconciliation does not record findings in this schema
 * yet, so there are none to report: once it does (a findings table with a kind and whether it is
 * resolved), this function counts the unresolved ones per kind with one aggregate query.
 */
export async function reconciliationFindingCounts(_query: QueryRows): Promise<GaugeSample[]> {
  return [];
}

/**
 * Lines of the standing statement reconciliation reports (the newest per channel and day) by `class`
 * (matched, mpesa_only, imarapay_only, amount_differs), over the last 35 Nairobi days.
 */
export async function statementLineCounts(query: QueryRows): Promise<GaugeSample[]> {
  const rows = await query<{ class: string; n: string }>(
    `select l.class, count(*) as n
       from statement_report_lines l join statement_reports r on r.id = l.report_id
      where r.day >= (now() at time zone 'Africa/Nairobi')::date - 35
        and not exists (select 1 from statement_reports n where n.channel_id = r.channel_id and n.day = r.day
                          and n.environment = r.environment and n.id > r.id)
      group by 1`,
    [],
  );
  return rows.map((r) => ({ labels: { class: r.class }, value: Number(r.n) }));
}

/** Wallet ledger entries by `kind`: how many, and their sum in whole KES (signed, as booked). */
export async function ledgerMovements(query: QueryRows): Promise<{ count: GaugeSample[]; kes: GaugeSample[] }> {
  const rows = await query<{ kind: string; n: string; kes: string }>(
    `select kind, count(*) as n, coalesce(sum(amount), 0) as kes from wallet_ledger group by 1`,
    [],
  );
  return {
    count: rows.map((r) => ({ labels: { kind: r.kind }, value: Number(r.n) })),
    kes: rows.map((r) => ({ labels: { kind: r.kind }, value: Number(r.kes) })),
  };
}
