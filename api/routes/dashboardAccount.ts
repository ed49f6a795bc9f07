import { auditActorOf } from '../auditActor';
import { errorResponse } from '../openapi/registry';
import { changePassword, changePasswordRequestSchema } from '../useCases/changePassword';
import type { RouteModule } from './module';
import { parseInput } from '../validate';

/** POST /api/me/password: for merchants' users and admins alike. */
export const dashboardAccountRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'post',
    path: '/api/me/password',
    access: 'signedIn',
    summary: 'Change your password',
    description:
      'For a signed-in person (dashboard session). The current password is asked again; every other session of yours ends, this one stays.',
    tags: ['Accounts'],
    body: changePasswordRequestSchema,
    responses: [
      { status: 204, description: 'Changed' },
      errorResponse(400, 'validation_failed', 'current_password is not your password', { field: 'current_password' }),
    ],
    handler: async (ctx, { user, token }) => {
      const request = parseInput(changePasswordRequestSchema, ctx.request.body);
      await changePassword(deps.em(), user, token, request, auditActorOf(ctx, { user }));
      ctx.status = 204;
    },
  });
};
