import type { EntityManager } from '@mikro-orm/postgresql';
import { setCallbackUrl } from '../../db/merchantSettings';
import { ensureWebhookSecret, rotateWebhookSecret } from '../../db/webhookSecrets';

/** PUT /api/settings: saves the callback URL (already checked as acceptable), or stops webhooks with null. */
export async function saveCallbackUrl(
  em: EntityManager,
  merchantId: number,
  callbackUrl: string | null,
): Promise<void> {
  await setCallbackUrl(em, merchantId, callbackUrl);
}

/**
 * GET /api/settings/webhook-secret: the merchant's signing secret, created on first need.
 * `keyMaterial` is WEBHOOK_SECRET_KEY, which seals the secret at rest.
 */
export async function webhookSecret(em: EntityManager, merchantId: number, keyMaterial: string): Promise<string> {
  return ensureWebhookSecret(em, merchantId, keyMaterial);
}

/** POST /api/settings/webhook-secret/rotate: a new secret, used for every delivery signed from now on. */
export async function newWebhookSecret(em: EntityManager, merchantId: number, keyMaterial: string): Promise<string> {
  return rotateWebhookSecret(em, merchantId, keyMaterial);
}
