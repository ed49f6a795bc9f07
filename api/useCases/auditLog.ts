import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { auditEventsPage, type AuditEventFilter } from '../../db/auditLog';
import type { AuditEvent } from '../../domain/audit';
import { validationError } from '../../domain/errors';
import { parseDateRange } from '../../domain/dateRange';
import { decodeIdCursor, encodeIdCursor, idParam, limitParam, textParam } from './listParams';

const common = {
  /** One action, e.g. `wallet.adjusted` (domain/audit.ts AUDIT_ACTIONS). */
  action: z
    .string({ error: 'action must be given once, as text' })
    .trim()
    .regex(/^[a-z_]{1,30}\.[a-z_]{1,30}$/, 'action must be an action name such as login.failed or wallet.adjusted')
    .optional(),
  /** An actor's id, or a part of its label (an e-mail, an API key's username). */
  actor: textParam('actor', 255).optional(),
  /** Events from this day (a bare date is a day in Nairobi) or moment (ISO 8601 with an offset). */
  from: textParam('from', 40).optional(),
  /** Events up to this day, inclusive, or before this moment. */
  to: textParam('to', 40).optional(),
  limit: limitParam(50, 200),
  /** The X-Next-Cursor header of the previous page. */
  cursor: textParam('cursor', 200).optional(),
};

/** The query of GET /api/audit (a merchant's own account). */
export const merchantAuditQuerySchema = z.object(common);

/** The query of GET /api/admin/audit: also filters by merchant. */
export const adminAuditQuerySchema = z.object({ ...common, merchant_id: idParam('merchant_id').optional() });

/** One audit event as the API answers it. `details` says what changed and never holds a secret. */
export interface AuditEventBody {
  id: number;
  occurred_at: string;
  action: string;
  actor: { type: AuditEvent['actorType']; id: number | null; label: string | null };
  merchant_id: number | null;
  subject: { type: string; id: string | null } | null;
  ip: string | null;
  details: Record<string, unknown>;
}

const body = (event: AuditEvent): AuditEventBody => ({
  id: event.id,
  occurred_at: event.occurredAt,
  action: event.action,
  actor: { type: event.actorType, id: event.actorId, label: event.actorLabel },
  merchant_id: event.merchantId,
  subject: event.subjectType === null ? null : { type: event.subjectType, id: event.subjectId },
  ip: event.ip,
  details: event.details,
});

/** An admin's event as a merchant sees it: "ImaraPay staff", without the admin's id or address. */
const withStaffHidden = (event: AuditEvent): AuditEvent =>
  event.actorType === 'admin' ? { ...event, actorId: null, actorLabel: 'ImaraPay staff', ip: null } : event;

/**
 * GET /api/admin/audit and GET /api/audit: audit events newest first, filtered, keyset-paged by id
 * (`nextCursor` is the X-Next-Cursor header). `merchantId` scopes a merchant's read to its own
 * account whatever the query says, and shows its staff actors as "ImaraPay staff". Dates as on the transaction list (domain/dateRange.ts). Errors:
 * 400 validation_failed (field `cursor`, `from` or `to`).
 */
export async function listAuditEvents(
  em: EntityManager,
  query: z.infer<typeof adminAuditQuerySchema>,
  scope: { merchantId?: number } = {},
): Promise<{ events: AuditEventBody[]; nextCursor: string | null }> {
  const beforeId = query.cursor === undefined ? undefined : decodeIdCursor(query.cursor);
  if (beforeId === null)
    throw validationError(
      'cursor is not one this API issued: send the X-Next-Cursor header of the previous page unchanged',
      'cursor',
    );
  const range = parseDateRange(query.from, query.to);
  const filter: AuditEventFilter = {
    merchantId: scope.merchantId ?? query.merchant_id,
    action: query.action,
    actor: query.actor,
    from: range.from ?? undefined,
    to: range.to ?? undefined,
  };
  const { events, lastId } = await auditEventsPage(em, filter, beforeId, query.limit);
  // A merchant reads what staff did to its account, not who on the staff or from where: staff
  // e-mails and office addresses would point phishing and sign-in attacks at ImaraPay's admins.
  const shown = scope.merchantId === undefined ? events : events.map(withStaffHidden);
  return { events: shown.map(body), nextCursor: lastId === null ? null : encodeIdCursor(lastId) };
}
