import { errorResponse } from '../../openapi/registry';
import { listUsers, userListQuerySchema } from '../../useCases/adminUsers';
import type { RouteModule } from '../module';

/** GET /api/admin/users: every dashboard user with its merchant and KYC status (?kyc_status=, ?role=). */
export const adminUserRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/users',
    summary: 'All users',
    description:
      'Every dashboard user in id order, with its role and its merchant’s KYC status (null merchant for admins). Filter with ?kyc_status= or ?role=; page with ?limit= and ?after_id=<last id>.',
    tags: ['Admin: users'],
    query: userListQuerySchema,
    responses: [
      {
        status: 200,
        description: 'Users',
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
      ctx.body = await listUsers(deps.em(), ctx.query);
    },
  });
};
