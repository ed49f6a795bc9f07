import { randomBytes } from 'node:crypto';
import { UserSchema } from '../../db/entities';
import { createSession } from '../../api/sessions';
import type { Stack } from './harness';

/** A dashboard user of `merchantId`, signed in: the ready `Authorization: Bearer …` header value. */
export async function signInMerchantUser(stack: Stack, merchantId: number): Promise<string> {
  return signIn(stack, { role: 'merchant', merchant: merchantId });
}

/** An ImaraPay admin, signed in: the ready `Authorization: Bearer …` header value. */
export async function signInAdmin(stack: Stack): Promise<string> {
  return signIn(stack, { role: 'admin', merchant: null });
}

async function signIn(stack: Stack, who: { role: 'merchant' | 'admin'; merchant: number | null }): Promise<string> {
  const em = stack.orm.em.fork();
  // The password is never used: these users only ever act through the session created here.
  const user = em.create(UserSchema, {
    email: `user-${randomBytes(4).toString('hex')}@example.test`,
    passwordHash: 'unused',
    ...who,
  });
  await em.flush();
  const { token } = await createSession(em, user.id, 1);
  return `Bearer ${token}`;
}
