import { createDarajaActivities, type DarajaCallDeps } from './darajaCalls';
import { createSettlementActivities } from './settlement';
import { createWebhookActivities, type WebhookDeps } from './webhooks';
import type { PaymentActivities } from './types';

export type { PaymentActivities } from './types';

export interface ActivityDeps extends DarajaCallDeps {
  webhookHttp: WebhookDeps['http'];
  webhookTimeoutMs: number;
  /** WEBHOOK_SECRET_KEY, which opens merchants' webhook signing secrets. */
  webhookSecretKey: string;
  /** Production: webhooks never go to non-public addresses (checked again at every attempt). */
  webhookPublicUrlsOnly: boolean;
}

/** Builds every payment activity from its clients; the worker is the only place this is wired. */
export function createActivities(deps: ActivityDeps): PaymentActivities {
  return {
    ...createSettlementActivities({ orm: deps.orm }),
    ...createDarajaActivities(deps),
    ...createWebhookActivities({
      orm: deps.orm,
      http: deps.webhookHttp,
      timeoutMs: deps.webhookTimeoutMs,
      secretKey: deps.webhookSecretKey,
      publicUrlsOnly: deps.webhookPublicUrlsOnly,
    }),
  };
}
