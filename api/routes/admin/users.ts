import { errorResponse } from '../../openapi/registry';
import { listUsers, userListQuerySchema } from '../../useCases/adminUsers';
import { NEXT_CURSOR_HEADER } from '../../useCases/listParams';
import type { RouteModule } from '../module';
import { parseInput } from '../../validate';
import { z } from 'zod';
import { id, kycStatus, timestamp, userRole } from '../../openapi/responses';

/** A dashboard user as admins list it. */
export const adminUserSchema = z.object({
  id,
  email: z.string(),
  role: userRole,
  created_at: timestamp,
  merchant: z.object({ id, name: z.string(), kyc_status: kycStatus }).nullable().describe('Null for admins'),
});

/** GET /api/admin/users: every dashboard user with its merchant and KYC status (?q=, ?kyc_status=, ?role=). */
export const adminUserRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/users',
    summary: 'All users',
    description:
      'Every dashboard user in id order, with its role and its merchant’s KYC status (null merchant for admins). ' +
      'Search with ?q= (case-insensitive, in the user’s email, the business name and email, ' +
      'and the names on its KYC submissions); filter with ?kyc_status= or ?role=. ' +
      'When more rows exist the `X-Next-Cursor` response header holds the `cursor` of the next page ' +
      '(?after_id=<last id> still works).',
    tags: ['Admin: users'],
    query: userListQuerySchema,
    responses: [
      {
        status: 200,
        description: 'Users',
        schema: z.array(adminUserSchema),
        example: [
          {
            id: 1,
            email: 'admin@imarapay.co.ke',
            role: 'admin',
            created_at: '2026-11-22T17:00:00.000Z',
            merchant: null,
          },
          {
            id: 7,
            email: 'owner@mamamboga.co.ke',
            role: 'merchant',
            created_at: '2026-11-22T18:00:00.000Z',
            merchant: { id: 5, name: 'Mama Mboga Ltd', kyc_status: 'pending' },
          },
        ],
      },
      errorResponse(400, 'validation_failed', 'kyc_status must be one of unverified, pending, verified, rejected', {
        field: 'kyc_status',
      }),
    ],
    handler: async (ctx) => {
      const { users, nextCursor } = await listUsers(deps.em(), parseInput(userListQuerySchema, ctx.query));
      if (nextCursor) ctx.set(NEXT_CURSOR_HEADER, nextCursor);
      ctx.body = users;
    },
  });
};
