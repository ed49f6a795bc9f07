import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import { callbackUrlForUpdate, setCallbackUrl } from '../../db/merchantSettings';
import { ensureWebhookSecret, rotateWebhookSecret } from '../../db/webhookSecrets';
import { auditableUrl, type AuditActor } from '../../domain/audit';

/**
 * PUT /api/settings: saves the callback URL (already checked as acceptable), or stops webhooks with
 * null. A change is recorded in the audit log (`callback_url.changed`, before and after without
 * query or user-info) in the same transaction; saving the same URL again records nothing.
 */
export async function saveCallbackUrl(
  em: EntityManager,
  merchantId: number,
  callbackUrl: string | null,
  actor: AuditActor,
): Promise<void> {
  await withAudit(em, async (tx) => {
    const before = await callbackUrlForUpdate(tx, merchantId);
    if (before === callbackUrl) return;
    await setCallbackUrl(tx, merchantId, callbackUrl);
    await appendAuditEvent(tx, {
      ...actor,
      merchantId,
      action: 'callback_url.changed',
      subjectType: 'merchant',
      subjectId: String(merchantId),
      details: { before: auditableUrl(before), after: auditableUrl(callbackUrl) },
    });
  });
}

/**
 * GET /api/settings/webhook-secret: the merchant's signing secret, created on first need.
 * `keyMaterial` is WEBHOOK_SECRET_KEY, which seals the secret at rest.
 */
export async function webhookSecret(em: EntityManager, merchantId: number, keyMaterial: string): Promise<string> {
  return ensureWebhookSecret(em, merchantId, keyMaterial);
}

/**
 * POST /api/settings/webhook-secret/rotate: a new secret, used for every delivery signed from now
 * on. The rotation and its audit event (`webhook_secret.rotated`, which holds no secret) commit together.
 */
export async function newWebhookSecret(
  em: EntityManager,
  merchantId: number,
  keyMaterial: string,
  actor: AuditActor,
): Promise<string> {
  return withAudit(em, async (tx) => {
    const secret = await rotateWebhookSecret(tx, merchantId, keyMaterial);
    await appendAuditEvent(tx, {
      ...actor,
      merchantId,
      action: 'webhook_secret.rotated',
      subjectType: 'merchant',
      subjectId: String(merchantId),
      details: {},
    });
    return secret;
  });
}
