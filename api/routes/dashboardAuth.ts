import type { Context } from 'koa';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { userFromSession } from '../auth';
import { clearSessionCookies, setSessionCookies } from '../browserSession';
import { describeEndpoint, errorResponse } from '../openapi/registry';
import { revokeSession } from '../sessions';
import { describeSession, logIn, logInRequestSchema, signUp, signUpRequestSchema } from '../useCases/dashboardAuth';
import type { RouteModule } from './module';

const sessionExample = {
  token: 'sess_Q2hhbmdlIG1lIGluIHlvdXIgZGFzaGJvYXJkIGNvZGU',
  expires_at: '2026-11-23T05:31:48.000Z',
  user: { id: 7, email: 'owner@mamamboga.co.ke', role: 'merchant' },
  merchant: { id: 5, name: 'Mama Mboga Ltd', kyc_status: 'unverified' },
};
const SESSION_HELP = 'Send the token as `Authorization: Bearer <token>` on dashboard endpoints. It expires after SESSION_TTL_HOURS (12 h by default).';

/**
 * Dashboard sign-up, login, logout and "who am I". Public routes that check the Bearer session
 * themselves: /me and /logout serve admins too, whom the merchant router turns away.
 */
export const dashboardAuthRoutes: RouteModule = ({ publicApi: router }, deps) => {
  const authDeps = () => ({ em: deps.em(), sessionTtlHours: deps.config.SESSION_TTL_HOURS });
  // The dashboard's session lives in an HttpOnly cookie; the JSON answer stays as it is for programs.
  const cookies = { secret: deps.config.API_KEY_PEPPER, secure: deps.config.APP_ENV === 'production' };
  const startBrowserSession = (ctx: Context, session: { token: string; expires_at: string }) =>
    setSessionCookies(ctx, { token: session.token, expiresAt: new Date(session.expires_at) }, cookies);

  describeEndpoint(router, {
    method: 'post',
    path: '/auth/signup',
    summary: 'Create a merchant account',
    description: `Creates your business (KYC status unverified, an empty service wallet) and its first dashboard user, and signs you in. ${SESSION_HELP}`,
    tags: ['Accounts'],
    body: signUpRequestSchema,
    responses: [
      { status: 201, description: 'Signed up and signed in', example: sessionExample },
      errorResponse(400, 'validation_failed', 'password must be at least 10 characters', { field: 'password' }),
      errorResponse(409, 'conflict', 'An account with this email already exists: sign in instead', { field: 'email' }),
    ],
  });
  router.post('/auth/signup', async (ctx) => {
    const session = await signUp(authDeps(), ctx.request.body);
    startBrowserSession(ctx, session);
    ctx.status = 201;
    ctx.body = session;
  });

  describeEndpoint(router, {
    method: 'post',
    path: '/auth/login',
    summary: 'Sign in to the dashboard',
    description: `For merchants and ImaraPay admins alike (admins have \`merchant: null\`). ${SESSION_HELP}`,
    tags: ['Accounts'],
    body: logInRequestSchema,
    responses: [{ status: 200, description: 'Signed in', example: sessionExample }, errorResponse(401, 'unauthorized', 'Invalid email or password')],
  });
  router.post('/auth/login', async (ctx) => {
    const session = await logIn(authDeps(), ctx.request.body);
    startBrowserSession(ctx, session);
    ctx.body = session;
  });

  describeEndpoint(router, {
    method: 'post',
    path: '/auth/logout',
    summary: 'Sign out',
    description: 'Ends this session at once: the token is refused from the next request on.',
    tags: ['Accounts'],
    responses: [{ status: 204, description: 'Signed out' }, errorResponse(401, 'unauthorized', 'Your session has expired or was ended; sign in again')],
  });
  router.post('/auth/logout', async (ctx) => {
    const em = deps.em();
    const { token } = await requireSession(em, ctx);
    await revokeSession(em, token);
    clearSessionCookies(ctx, cookies);
    ctx.status = 204;
  });

  describeEndpoint(router, {
    method: 'get',
    path: '/me',
    summary: 'Who is signed in',
    tags: ['Accounts'],
    responses: [
      { status: 200, description: 'The session’s user and merchant', example: { user: sessionExample.user, merchant: sessionExample.merchant, expires_at: sessionExample.expires_at } },
      errorResponse(401, 'unauthorized', 'Your session has expired or was ended; sign in again'),
    ],
  });
  router.get('/me', async (ctx) => {
    const em = deps.em();
    const { user, token } = await requireSession(em, ctx);
    ctx.body = await describeSession(em, user, token);
  });
};

async function requireSession(em: EntityManager, ctx: Context) {
  const header = ctx.get('authorization');
  const session = await userFromSession(em, ctx);
  if (session) return session;
  throw new AppError(
    'unauthorized',
    /^Bearer\s/i.test(header) ? 'Your session has expired or was ended; sign in again' : 'Sign in first: send Authorization: Bearer <session token>',
  );
}
