import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { hashPassword, passwordProblem, verifyPassword } from '../../domain/passwords';
import type { User } from '../../db/entities';
import { changePasswordHash } from '../../db/users';
import { hashSessionToken } from '../sessions';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import type { AuditActor } from '../../domain/audit';

export const changePasswordRequestSchema = z.object({
  current_password: z.string({ error: 'current_password is required' }).max(200),
  new_password: z.string({ error: 'new_password is required' }).superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.replace(/^password/, 'new_password') });
  }),
});

/**
 * POST /api/me/password: a signed-in person changes their password. The current one is asked
 * again (a session left open on a shared computer must not be enough), and every other session of
 * the user ends, so a stolen session does not outlive the change. Recorded in the audit log
 * (`password.changed`, never the password) in the same transaction.
 */
export async function changePassword(
  em: EntityManager,
  user: User,
  sessionToken: string,
  request: z.infer<typeof changePasswordRequestSchema>,
  actor: AuditActor,
): Promise<void> {
  if (!(await verifyPassword(request.current_password, user.passwordHash)))
    throw new AppError('validation_failed', 'current_password is not your password', { field: 'current_password' });
  const passwordHash = await hashPassword(request.new_password);
  await withAudit(em, async (tx) => {
    await changePasswordHash(tx, user, passwordHash, hashSessionToken(sessionToken));
    await appendAuditEvent(tx, {
      ...actor,
      merchantId: user.merchant,
      action: 'password.changed',
      subjectType: 'user',
      subjectId: String(user.id),
      details: { other_sessions_ended: true },
    });
  });
}
