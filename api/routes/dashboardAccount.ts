import { AppError } from '../../domain/errors';
import { userFromSession } from '../auth';
import { describeEndpoint, errorResponse } from '../openapi/registry';
import { changePassword, changePasswordRequestSchema } from '../useCases/changePassword';
import type { RouteModule } from './module';

/** POST /api/me/password: for merchants' users and admins alike (so on the public router, checking the session itself, like /api/me). */
export const dashboardAccountRoutes: RouteModule = ({ publicApi: router }, deps) => {
  router.post('/me/password', async (ctx) => {
    const em = deps.em();
    const session = await userFromSession(em, ctx);
    if (!session) throw new AppError('unauthorized', 'Sign in first');
    await changePassword(em, session.user, session.token, ctx.request.body);
    ctx.status = 204;
  });
  describeEndpoint(router, {
    method: 'post',
    path: '/me/password',
    summary: 'Change your password',
    description: 'For a signed-in person (dashboard session). The current password is asked again; every other session of yours ends, this one stays.',
    tags: ['Accounts'],
    body: changePasswordRequestSchema,
    responses: [
      { status: 204, description: 'Changed' },
      errorResponse(400, 'validation_failed', 'current_password is not your password', { field: 'current_password' }),
      errorResponse(401, 'unauthorized', 'Sign in first'),
    ],
  });
};
