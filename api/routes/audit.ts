import { errorResponse } from '../openapi/registry';
import { adminAuditQuerySchema, listAuditEvents, merchantAuditQuerySchema } from '../useCases/auditLog';
import { NEXT_CURSOR_HEADER } from '../useCases/listParams';
import type { RouteModule } from './module';
import { parseInput } from '../validate';
import { z } from 'zod';
import { auditActorType, id, timestamp } from '../openapi/responses';

/** One audit event as both audit endpoints list it. */
export const auditEventSchema = z.object({
  id,
  occurred_at: timestamp,
  action: z.string().describe('Such as login.failed or wallet.adjusted'),
  actor: z.object({ type: auditActorType, id: z.number().int().nullable(), label: z.string().nullable() }),
  merchant_id: id.nullable(),
  subject: z.object({ type: z.string(), id: z.string().nullable() }).nullable(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).describe('What changed (never a secret)'),
});

const eventExample = {
  id: 412,
  occurred_at: '2026-12-07T09:15:02.114Z',
  action: 'callback_url.changed',
  actor: { type: 'merchant', id: 7, label: 'owner@mamamboga.co.ke' },
  merchant_id: 5,
  subject: { type: 'merchant', id: '5' },
  ip: '197.232.61.10',
  details: { before: 'https://shop.example/old-hook', after: 'https://shop.example/imarapay' },
};
const FILTERS =
  'Newest first. Filter with ?action= (e.g. `login.failed`), ?actor= (an id, or part of an e-mail or API username), ' +
  '?from= and ?to= (a bare date is a day in Nairobi, inclusive; or ISO 8601 with an offset). When more rows exist the ' +
  '`X-Next-Cursor` response header holds the `cursor` of the next page.';

/** Reading the audit log: admins all of it, a merchant its own account's events. */
export const auditRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/audit',
    summary: 'The audit log',
    description:
      'Every staff action (pricing, KYC decisions, wallet adjustments) and merchant security action (API keys, ' +
      'callback URL, signing secret, password, sign-ins, two-step sign-in), with who, when, from which address and ' +
      `what changed. ${FILTERS} Also ?merchant_id=.`,
    tags: ['Admin: audit'],
    query: adminAuditQuerySchema,
    responses: [
      { status: 200, description: 'Events', schema: z.array(auditEventSchema), example: [eventExample] },
      errorResponse(400, 'validation_failed', 'action must be an action name such as login.failed or wallet.adjusted', {
        field: 'action',
      }),
    ],
    handler: async (ctx) => {
      const { events, nextCursor } = await listAuditEvents(deps.em(), parseInput(adminAuditQuerySchema, ctx.query));
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = events;
    },
  });

  api.add({
    method: 'get',
    access: 'dashboard',
    path: '/api/audit',
    summary: 'Your account’s security log',
    description:
      'The audit events of your own account: sign-ins and failed sign-ins, password and two-step sign-in changes, API keys ' +
      'created and revoked, callback URL and signing secret changes, and what ImaraPay staff did to it (KYC decisions, ' +
      `wallet adjustments). ${FILTERS}`,
    tags: ['Accounts'],
    query: merchantAuditQuerySchema,
    responses: [
      { status: 200, description: 'Events', schema: z.array(auditEventSchema), example: [eventExample] },
      errorResponse(400, 'validation_failed', 'from must be a date such as 2026-12-07', { field: 'from' }),
    ],
    handler: async (ctx, { merchant }) => {
      const query = parseInput(merchantAuditQuerySchema, ctx.query);
      const { events, nextCursor } = await listAuditEvents(deps.em(), query, { merchantId: merchant.id });
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = events;
    },
  });
};
