import type { EntityManager } from '@mikro-orm/postgresql';
import type { Environment, WebhookDeliveryStatus } from './entities';
import type { WebhookAttemptStatus } from '../domain/webhookRetry';

/** A webhook delivery as the merchant sees it; dates as stored. */
export interface DeliveryRow {
  id: number;
  transaction_id: number;
  event: string;
  url: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

/** One attempt at a delivery; `latency_ms` in milliseconds; `status` as in domain/webhookRetry.ts. */
export interface DeliveryAttemptRow {
  attempt_no: number;
  status: WebhookAttemptStatus;
  started_at: Date;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
}

/** Whose deliveries a read may see: a merchant sees those of the environment it acts in, like its transactions. */
export interface DeliveryScope {
  merchantId: number;
  environment: Environment;
}

const SUMMARY_COLUMNS =
  'd.id, d.transaction_id, d.event, d.url, d.status, d.attempts, d.last_attempt_at, d.delivered_at, d.created_at';
const OWN_DELIVERIES =
  'from webhook_deliveries d join transactions t on t.id = d.transaction_id ' +
  'where d.merchant_id = ? and t.environment = ?';

/** The merchant's newest `limit` deliveries, optionally only those in one state. */
export async function merchantDeliveries(
  em: EntityManager,
  scope: DeliveryScope,
  { status, limit }: { status?: WebhookDeliveryStatus; limit: number },
): Promise<DeliveryRow[]> {
  const params: unknown[] = [scope.merchantId, scope.environment];
  if (status) params.push(status);
  params.push(limit);
  const rows = await em.getConnection().execute<DeliveryRow[]>(
    `select ${SUMMARY_COLUMNS} ${OWN_DELIVERIES} ${status ? 'and d.status = ?' : ''}
        order by d.created_at desc, d.id desc limit ?`,
    params,
  );
  return rows.map(withDates);
}

/**
 * The row with its timestamps as Dates: the driver answers timestamptz as Postgres text
 * (`2024-06-15 12:35:14.002+00`), which must not reach an answer as it is.
 */
function withDates<Row extends DeliveryRow>(row: Row): Row {
  return {
    ...row,
    last_attempt_at: dateOrNull(row.last_attempt_at),
    delivered_at: dateOrNull(row.delivered_at),
    created_at: new Date(row.created_at),
  };
}

const dateOrNull = (value: Date | string | null) => (value === null ? null : new Date(value));

/** The merchant's delivery `id` with its payload, or null. */
export async function merchantDelivery(
  em: EntityManager,
  scope: DeliveryScope,
  id: number,
): Promise<(DeliveryRow & { payload: unknown }) | null> {
  const rows = await em
    .getConnection()
    .execute<(DeliveryRow & { payload: unknown })[]>(
      `select ${SUMMARY_COLUMNS}, d.payload ${OWN_DELIVERIES} and d.id = ?`,
      [scope.merchantId, scope.environment, id],
    );
  return rows[0] ? withDates(rows[0]) : null;
}

/** The delivery's attempts, first to last. */
export async function deliveryAttempts(em: EntityManager, deliveryId: number): Promise<DeliveryAttemptRow[]> {
  const rows = await em.getConnection().execute<DeliveryAttemptRow[]>(
    `select attempt_no, status, started_at, status_code, latency_ms, error, response_excerpt
         from webhook_attempts where delivery_id = ? order by attempt_no`,
    [deliveryId],
  );
  return rows.map((row) => ({ ...row, started_at: new Date(row.started_at) }));
}

/** The merchant's callback URL, or null when it has none. */
export async function merchantCallbackUrl(em: EntityManager, merchantId: number): Promise<string | null> {
  const [merchant] = await em
    .getConnection()
    .execute<{ callback_url: string | null }[]>('select callback_url from merchants where id = ?', [merchantId]);
  return merchant?.callback_url ?? null;
}

/**
 * Shows the delivery as pending again while a redelivery runs; only while that redelivery has not
 * attempted yet (`attempts` unchanged), so that its own outcome is never overwritten.
 */
export async function markDeliveryPendingAgain(em: EntityManager, deliveryId: number, attempts: number): Promise<void> {
  await em
    .getConnection()
    .execute(
      `update webhook_deliveries set status = 'pending' where id = ? and attempts = ? and status <> 'superseded'`,
      [deliveryId, attempts],
    );
}
