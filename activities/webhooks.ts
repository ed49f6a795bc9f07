import { isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { ApplicationFailure } from '@temporalio/activity';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AxiosInstance } from 'axios';
import { FailureType } from '../domain/failureTypes';
import { buildWebhookPayload } from '../domain/webhookPayload';
import { SIGNATURE_HEADER, sign } from '../domain/webhookSignature';
import { responseExcerptOf } from '../domain/responseExcerpt';
import { checkCallbackUrl, checkResolvedAddresses, type LookupAll } from '../domain/urlSafety';
import { MerchantSchema, TransactionSchema, WebhookAttemptSchema, WebhookDeliverySchema, type WebhookDelivery } from '../db/entities';
import { ensureWebhookSecret } from '../db/webhookSecrets';
import type { PaymentActivities } from './types';

export interface WebhookDeps {
  orm: MikroORM;
  http: AxiosInstance;
  timeoutMs: number;
  /** WEBHOOK_SECRET_KEY: opens merchants' signing secrets (sealed at rest). */
  secretKey: string;
  /**
   * Refuse, at every attempt, callback URLs that are or resolve to non-public addresses (DNS
   * rebinding): always, unless WEBHOOK_ALLOW_PRIVATE_TARGETS (development only) is set.
   */
  publicUrlsOnly: boolean;
  /** Production: refuse plain-HTTP callback URLs at every attempt. */
  httpsOnly: boolean;
  /** Name resolution for that check; the system resolver unless a test passes its own. */
  lookup?: LookupAll;
}

type WebhookActivities = Pick<PaymentActivities, 'deliverWebhook' | 'markWebhookGivenUp' | 'redeliverWebhook' | 'markRedeliveryGivenUp'>;

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Activities that deliver payment results to merchants, signed, and redeliver them on request. */
export function createWebhookActivities(deps: WebhookDeps): WebhookActivities {
  const { orm } = deps;
  const attempt = attemptDelivery(deps);
  return {
    async deliverWebhook({ transactionId, event }) {
      const em = orm.em.fork();
      const tx = await em.findOneOrFail(TransactionSchema, transactionId);
      const merchant = await em.findOneOrFail(MerchantSchema, tx.merchant);
      if (!merchant.callbackUrl) return { delivered: false, skippedReason: 'The merchant has no callback URL' };
      // Webhooks tell merchants about their customers' payments; a wallet top-up shows in the wallet.
      if (tx.purpose === 'wallet_top_up') return { delivered: false, skippedReason: 'Wallet top-ups are not sent as webhooks' };
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

      // Retries of the payment's own delivery keep the URL it was created for.
      const outcome = await attempt(em, delivery, delivery.url);
      if (accepted(outcome)) {
        await em.nativeUpdate(WebhookDeliverySchema, { id: delivery.id }, { status: 'delivered', deliveredAt: new Date() });
        return { delivered: true, skippedReason: null };
      }
      throw rejected(outcome);
    },

    async markWebhookGivenUp({ transactionId, event }) {
      await orm.em.fork().nativeUpdate(WebhookDeliverySchema, { transaction: transactionId, event, status: 'pending' }, { status: 'failed' });
    },

    async redeliverWebhook({ deliveryId, requestedAt }) {
      const em = orm.em.fork();
      const delivery = await em.findOneOrFail(WebhookDeliverySchema, deliveryId);
      // Accepted since the merchant asked (the payment's own retry, or another redelivery): the ask is answered.
      if (delivery.status === 'delivered' && delivery.deliveredAt && delivery.deliveredAt.getTime() > requestedAt) return { delivered: true, attemptNo: null };
      if (delivery.status === 'superseded') {
        throw ApplicationFailure.create({ type: FailureType.WebhookRejected, message: 'The failure this delivery reports is no longer true', nonRetryable: true });
      }
      const merchant = await em.findOneOrFail(MerchantSchema, delivery.merchant);
      // A redelivery goes to the URL the merchant has now: that is usually why they asked for it.
      const outcome = await attempt(em, delivery, merchant.callbackUrl, { moveTo: merchant.callbackUrl });
      if (accepted(outcome)) {
        await em.nativeUpdate(WebhookDeliverySchema, { id: delivery.id }, { status: 'delivered', deliveredAt: new Date() });
        return { delivered: true, attemptNo: outcome.attemptNo };
      }
      throw rejected(outcome, { nonRetryable: merchant.callbackUrl === null });
    },

    async markRedeliveryGivenUp({ deliveryId }) {
      await orm.em.fork().nativeUpdate(WebhookDeliverySchema, { id: deliveryId, status: 'pending' }, { status: 'failed' });
    },
  };
}

interface AttemptOutcome {
  attemptNo: number;
  statusCode: number | null;
  error: string | null;
  excerpt: string | null;
}

const accepted = (o: AttemptOutcome) => o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300;

function rejected(outcome: AttemptOutcome, { nonRetryable = false } = {}): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.WebhookRejected,
    message: outcome.error ?? `The receiver answered HTTP ${outcome.statusCode}`,
    nonRetryable,
  });
}

/**
 * One recorded attempt: number it, sign the body, POST it (unless the URL is refused), record what
 * happened. The JSON body is serialised once and those exact bytes are both signed and sent.
 */
function attemptDelivery(deps: WebhookDeps) {
  return async (em: EntityManager, delivery: WebhookDelivery, url: string | null, { moveTo = null as string | null } = {}): Promise<AttemptOutcome> => {
    const [{ attempts: attemptNo }] = await em
      .getConnection()
      .execute<{ attempts: number }[]>(
        'update webhook_deliveries set attempts = attempts + 1, last_attempt_at = now(), url = coalesce(?, url) where id = ? returning attempts',
        [moveTo, delivery.id],
      );
    const body = JSON.stringify(delivery.payload);
    const secret = await ensureWebhookSecret(em, delivery.merchant, deps.secretKey);
    const startedAt = new Date();
    const headers = {
      'X-ImaraPay-Event': delivery.event,
      'X-ImaraPay-Delivery': String(delivery.id),
      [SIGNATURE_HEADER]: sign({ secret, body, timestamp: Math.floor(startedAt.getTime() / 1000) }),
    };
    const outcome = url === null ? refusal('The merchant has no callback URL') : await postChecked(deps, url, body, headers);
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
    return { attemptNo, ...outcome };
  };
}

type LookupEntry = { address: string; family: 4 | 6 };
type PostOutcome = Omit<AttemptOutcome, 'attemptNo'>;

const refusal = (reason: string): PostOutcome => ({ statusCode: null, error: `Refused: ${reason}`, excerpt: null });

/** Unless private targets are allowed, the URL is checked again now (it may resolve elsewhere than when it was saved). */
async function postChecked(deps: WebhookDeps, url: string, body: string, headers: Record<string, string>): Promise<PostOutcome> {
  const checked = checkCallbackUrl(url, { production: deps.httpsOnly, allowPrivateTargets: !deps.publicUrlsOnly });
  if (!checked.ok) return refusal(checked.reason);
  if (!deps.publicUrlsOnly) return post(deps, url, body, headers);
  // The addresses are checked inside the connection's own lookup, so the address connected to is
  // the address checked: no window for a second, different DNS answer. (IP literals skip lookup and
  // were checked above.)
  const lookup = deps.lookup ?? systemLookup;
  const guardedLookup = async (hostname: string) => {
    const result = await checkResolvedAddresses(hostname, lookup);
    if (!result.ok) throw Object.assign(new Error(`Refused: ${result.reason}`), { code: 'ENONPUBLIC' });
    // axios's async lookup answers [addresses, family?]; a list in first place means "all of these".
    return [result.addresses.map((address) => ({ address, family: isIP(address) === 6 ? 6 : 4 }))] as [LookupEntry[]];
  };
  return post(deps, url, body, headers, guardedLookup);
}

async function post(
  { http, timeoutMs }: WebhookDeps,
  url: string,
  body: string,
  headers: Record<string, string>,
  lookup?: (hostname: string) => Promise<[LookupEntry[]]>,
): Promise<PostOutcome> {
  try {
    const res = await http.post(url, body, {
      timeout: timeoutMs,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'ImaraPay-Webhooks/1.0', ...headers },
      // Send the signed string as is: axios must not parse, trim or re-serialise it.
      transformRequest: [(data: unknown) => data],
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: (data) => data,
      maxRedirects: 0,
      // Straight to the receiver: through an HTTP(S)_PROXY the address check would see the proxy, not the target.
      proxy: false,
      ...(lookup ? { lookup } : {}),
    });
    const text = typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? '');
    return { statusCode: res.status, error: null, excerpt: responseExcerptOf(text) };
  } catch (err) {
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const refused = [e, e.cause].find((x) => x?.code === 'ENONPUBLIC');
    if (refused) return { statusCode: null, error: refused.message ?? 'Refused', excerpt: null };
    return { statusCode: null, error: `${e.code ?? 'ERROR'}: ${e.message ?? 'request failed'}`, excerpt: null };
  }
}
