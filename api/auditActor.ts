import type { Context } from 'koa';
import type { ApiKey, User } from '../db/entities';
import type { AuditActor } from '../domain/audit';

/**
 * Who the audit log says acted on this request, and from which address (`ctx.ip`: the client's,
 * or the proxy's unless TRUST_PROXY is set). An API key acts as itself (its username); a
 * dashboard user or admin by id and e-mail; nobody signed in is anonymous.
 */
export function auditActorOf(ctx: Context, who: { user: User | null; apiKey?: ApiKey | null } | null): AuditActor {
  const ip = ctx.ip || null;
  if (who?.apiKey) return { actorType: 'api_key', actorId: who.apiKey.id, actorLabel: who.apiKey.username, ip };
  if (who?.user) {
    return {
      actorType: who.user.role === 'admin' ? 'admin' : 'merchant',
      actorId: who.user.id,
      actorLabel: who.user.email,
      ip,
    };
  }
  return { actorType: 'anonymous', actorId: null, actorLabel: null, ip };
}
