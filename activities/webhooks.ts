import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { AxiosInstance } from 'axios';
import { FailureType } from '../domain/failureTypes';
import { buildWebhookPayload } from '../domain/webhookPayload';
import { MerchantSchema, TransactionSchema, WebhookAttemptSchema, WebhookDeliverySchema } from '../db/entities';
import type { PaymentActivities } from './types';

export interface WebhookDeps {
  orm: MikroORM;
  http: AxiosInstance;
  timeoutMs: number;
}

const EXCERPT_LIMIT = 500;

/** Activities that deliver payment results to merchants. */
export function createWebhookActivities({ orm, http, timeoutMs }: WebhookDeps): Pick<PaymentActivities, 'deliverWebhook' | 'markWebhookGivenUp'> {
  return {
    async deliverWebhook({ transactionId, event }) {
      const em = orm.em.fork();
      const tx = await em.findOneOrFail(TransactionSchema, transactionId);
      const merchant = await em.findOneOrFail(MerchantSchema, tx.merchant);
      if (!merchant.callbackUrl) return { delivered: false, skippedReason: 'The merchant has no callback URL' };
      if (event === 'payment.failed' && tx.status === 'completed') {
        // A late success overtook this failure: sending it now would tell the merchant the opposite of the truth.
        await em.nativeUpdate(WebhookDeliverySchema, { transaction: transactionId, event, status: 'pending' }, { status: 'superseded' });
        return { delivered: false, skippedReason: 'The payment completed since; the failure is no longer true' };
      }

      // One delivery row per payment event; its payload is fixed when first created.
      await em.getConnection().execute(
        `insert into webhook_deliveries (merchant_id, transaction_id, event, url, payload)
         values (?, ?, ?, ?, ?) on conflict (transaction_id, event) do nothing`,
        [tx.merchant, transactionId, event, merchant.callbackUrl, JSON.stringify(buildWebhookPayload({ ...tx, transactionId }))],
      );
      const delivery = await em.findOneOrFail(WebhookDeliverySchema, { transaction: transactionId, event });
      if (delivery.status === 'delivered') return { delivered: true, skippedReason: null };

      const [{ attempts: attemptNo }] = await em
        .getConnection()
        .execute<{ attempts: number }[]>('update webhook_deliveries set attempts = attempts + 1, last_attempt_at = now() where id = ? returning attempts', [delivery.id]);
      const startedAt = new Date();
      const outcome = await post(http, delivery.url, delivery.payload, {
        'X-ImaraPay-Event': event,
        'X-ImaraPay-Delivery': String(delivery.id),
      }, timeoutMs);
      em.create(WebhookAttemptSchema, {
        delivery: delivery.id,
        attemptNo,
        startedAt,
        latencyMs: Date.now() - startedAt.getTime(),
        statusCode: outcome.statusCode,
        error: outcome.error,
        responseExcerpt: outcome.excerpt,
      });
      await em.flush();

      if (outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300) {
        await em.nativeUpdate(WebhookDeliverySchema, { id: delivery.id }, { status: 'delivered', deliveredAt: new Date() });
        return { delivered: true, skippedReason: null };
      }
      throw ApplicationFailure.create({
        type: FailureType.WebhookRejected,
        message: outcome.error ?? `The receiver answered HTTP ${outcome.statusCode}`,
      });
    },

    async markWebhookGivenUp({ transactionId, event }) {
      await orm.em.fork().nativeUpdate(WebhookDeliverySchema, { transaction: transactionId, event, status: 'pending' }, { status: 'failed' });
    },
  };
}

interface PostOutcome {
  statusCode: number | null;
  error: string | null;
  excerpt: string | null;
}

async function post(http: AxiosInstance, url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<PostOutcome> {
  try {
    const res = await http.post(url, body, {
      timeout: timeoutMs,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'ImaraPay-Webhooks/1.0', ...headers },
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: (data) => data,
      maxRedirects: 0,
    });
    const text = typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? '');
    return { statusCode: res.status, error: null, excerpt: text.slice(0, EXCERPT_LIMIT) };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { statusCode: null, error: `${e.code ?? 'ERROR'}: ${e.message ?? 'request failed'}`, excerpt: null };
  }
}
