import type { EntityManager } from '@mikro-orm/postgresql';
import { open, seal } from '../domain/secretBox';
import { generateWebhookSecret } from '../domain/webhookSignature';

/**
 * Merchants' webhook signing secrets, kept in merchants.webhook_secret_ciphertext sealed with
 * AES-256-GCM under WEBHOOK_SECRET_KEY (domain/secretBox.ts). Plain secrets exist only in memory.
 */

const readSealed = async (em: EntityManager, merchantId: number) => {
  const rows = await em
    .getConnection()
    .execute<{ webhook_secret_ciphertext: string | null }[]>(
      'select webhook_secret_ciphertext from merchants where id = ?',
      [merchantId],
    );
  if (rows.length === 0) throw new Error(`Merchant ${merchantId} does not exist`);
  return rows[0]!.webhook_secret_ciphertext;
};

/**
 * The merchant's signing secret, created on first need. Two first needs at once (a delivery and
 * the dashboard) agree on one secret: only the first conditional write wins and both read it back.
 */
export async function ensureWebhookSecret(em: EntityManager, merchantId: number, keyMaterial: string): Promise<string> {
  const existing = await readSealed(em, merchantId);
  if (existing) return open(existing, keyMaterial);
  await em
    .getConnection()
    .execute('update merchants set webhook_secret_ciphertext = ? where id = ? and webhook_secret_ciphertext is null', [
      seal(generateWebhookSecret(), keyMaterial),
      merchantId,
    ]);
  return open((await readSealed(em, merchantId))!, keyMaterial);
}

/** Replaces the merchant's signing secret; deliveries signed from now on use the returned one. */
export async function rotateWebhookSecret(em: EntityManager, merchantId: number, keyMaterial: string): Promise<string> {
  const secret = generateWebhookSecret();
  await em.getConnection().execute(
    'update merchants set webhook_secret_ciphertext = ? where id = ?',
    [seal(secret, keyMaterial), merchantId],
    'run',
    // Inside the caller's transaction when there is one, so the rotation commits with its audit event.
    em.getTransactionContext(),
  );
  return secret;
}
