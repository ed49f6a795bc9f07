import { Gauge, type Registry } from 'prom-client';
import {
  callbackCounts,
  callbackRedriveCounts,
  ledgerMovements,
  oldestPendingWebhookSeconds,
  paymentCounts,
  reconciliationFindingCounts,
  statementLineCounts,
  webhookAttemptCounts,
  webhookDeliveryCounts,
  type GaugeSample,
  type QueryRows,
} from '../db/gaugeReads';

export type { QueryRows } from '../db/gaugeReads';

/**
 * `read` shared by its callers: while one call is in flight every other caller gets the same
 * promise (single flight), and its outcome, values or error, is reused for `ttlMs` milliseconds
 * after it settles (0: only callers that overlap share). A failure is kept as long as a success so
 * that a struggling database is not asked again by every scrape.
 */
export function sharedRead<T>(read: () => Promise<T>, ttlMs: number, now: () => number = Date.now): () => Promise<T> {
  let latest: { promise: Promise<T>; settledAt?: number } | null = null;
  return () => {
    if (latest && (latest.settledAt === undefined || now() - latest.settledAt < ttlMs)) return latest.promise;
    const entry: { promise: Promise<T>; settledAt?: number } = { promise: read() };
    latest = entry;
    const settled = () => {
      entry.settledAt = now();
    };
    entry.promise.then(settled, settled);
    return entry.promise;
  };
}

export interface PaymentGaugeOptions {
  /** How long one round of reads is reused by later scrapes, in milliseconds (default 15 000; 0: each scrape). */
  cacheTtlMs?: number;
}

interface GaugeDef {
  name: string;
  help: string;
  labelNames: string[];
}

/**
 * Registers the gauges read from Postgres at scrape time, one aggregate query each, so that every
 * process reports the same truth whatever code moved it (several APIs and workers report the same
 * values: aggregate them with `max`, not `sum`). Each read is shared (`sharedRead`): parallel
 * scrapes cost one round of queries, and a round is reused for `cacheTtlMs`. A query that fails
 * leaves its gauge empty and sets `imarapay_scrape_errors{gauge}` to 1 (0 once it reads again).
 * `query` should run on a small pool of its own with a statement timeout: these are full-table
 * aggregates, kept away from the connections that serve requests.
 */
export function registerPaymentGauges(
  registry: Registry,
  query: QueryRows,
  { cacheTtlMs = 15_000 }: PaymentGaugeOptions = {},
): void {
  const scrapeErrors = new Gauge({
    name: 'imarapay_scrape_errors',
    help: 'Database reads that failed (1) or worked (0) at the latest completed scrape, by gauge',
    labelNames: ['gauge'],
    registers: [registry],
  });
  const fromDatabase = (def: GaugeDef, uncached: () => Promise<GaugeSample[]>) => {
    const read = sharedRead(uncached, cacheTtlMs);
    return new Gauge({
      ...def,
      registers: [registry],
      async collect() {
        this.reset();
        try {
          for (const { labels, value } of await read()) this.set(labels, value);
          scrapeErrors.set({ gauge: def.name }, 0);
        } catch {
          scrapeErrors.set({ gauge: def.name }, 1);
        }
      },
    });
  };

  fromDatabase(
    { name: 'imarapay_payments', help: 'Payments by status and what decided them', labelNames: ['status', 'decider'] },
    () => paymentCounts(query),
  );
  fromDatabase(
    { name: 'imarapay_callbacks', help: 'Stored Daraja callbacks by disposition', labelNames: ['disposition'] },
    () => callbackCounts(query),
  );
  fromDatabase(
    {
      name: 'imarapay_callback_redrives',
      help: 'Stored callbacks redelivered to their workflows',
      labelNames: ['result'],
    },
    () => callbackRedriveCounts(query),
  );
  fromDatabase(
    { name: 'imarapay_webhook_deliveries', help: 'Merchant webhook deliveries by status', labelNames: ['status'] },
    () => webhookDeliveryCounts(query),
  );
  fromDatabase(
    {
      name: 'imarapay_webhook_backlog_oldest_seconds',
      help: 'Age of the oldest webhook delivery still pending, in seconds',
      labelNames: [],
    },
    () => oldestPendingWebhookSeconds(query),
  );
  fromDatabase(
    { name: 'imarapay_webhook_attempts', help: 'Webhook delivery attempts by result', labelNames: ['result'] },
    () => webhookAttemptCounts(query),
  );
  fromDatabase(
    {
      name: 'imarapay_reconciliation_findings',
      help: 'Open reconciliation findings by kind',
      labelNames: ['kind'],
    },
    () => reconciliationFindingCounts(query),
  );
  fromDatabase(
    {
      name: 'imarapay_statement_lines',
      help: 'Lines of the standing statement reconciliation reports of the last 35 days, by class',
      labelNames: ['class'],
    },
    () => statementLineCounts(query),
  );
  // Both ledger gauges come from one query.
  const ledger = sharedRead(() => ledgerMovements(query), cacheTtlMs);
  fromDatabase(
    { name: 'imarapay_ledger_movements', help: 'Wallet ledger entries by kind', labelNames: ['kind'] },
    async () => (await ledger()).count,
  );
  fromDatabase(
    {
      name: 'imarapay_ledger_movements_kes',
      help: 'Sum of wallet ledger entries by kind, in whole KES (signed as booked)',
      labelNames: ['kind'],
    },
    async () => (await ledger()).kes,
  );
}
