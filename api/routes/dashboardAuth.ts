import type { Context } from 'koa';
import { clearSessionCookies, setSessionCookies } from '../browserSession';
import { createAccountLockout, rateLimitKeys } from '../rateLimits';
import { auditActorOf } from '../auditActor';
import { errorResponse } from '../openapi/registry';
import { revokeSession } from '../sessions';
import { describeSession, logIn, logInRequestSchema, signUp, signUpRequestSchema } from '../useCases/dashboardAuth';
import type { Config } from '../../config/config';
import type { RouteModule } from './module';
import { parseInput } from '../validate';
import { z } from 'zod';
import { id, kycStatus, timestamp, userRole } from '../openapi/responses';

/** Who a session is: its user and merchant (null for admins). */
const sessionUser = {
  user: z.object({ id, email: z.string(), role: userRole }),
  merchant: z.object({ id, name: z.string(), kyc_status: kycStatus }).nullable().describe('Null for admins'),
};

/** The answer of sign-up and login: the session's token and who it is. */
export const sessionSchema = z.object({ token: z.string(), expires_at: timestamp, ...sessionUser });

/** The answer of GET /api/me. */
export const meSchema = z.object({
  ...sessionUser,
  expires_at: timestamp,
  temporal_ui: z
    .object({ workflows_url: z.string() })
    .optional()
    .describe('Admins only: where the Temporal Web UI lists payment workflows (`<workflows_url>/payment-<id>`)'),
});

/** Where the Temporal Web UI lists the payment workflows of the configured namespace. */
const temporalUi = (config: Config) => ({
  workflows_url:
    `${config.TEMPORAL_UI_URL.replace(/\/+$/, '')}` +
    `/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows`,
});

const sessionExample = {
  token: 'sess_Q2hhbmdlIG1lIGluIHlvdXIgZGFzaGJvYXJkIGNvZGU',
  expires_at: '2026-11-23T05:31:48.000Z',
  user: { id: 7, email: 'owner@mamamboga.co.ke', role: 'merchant' },
  merchant: { id: 5, name: 'Mama Mboga Ltd', kyc_status: 'unverified' },
};
const SESSION_HELP =
  'Send the token as `Authorization: Bearer <token>` on dashboard endpoints. It expires after SESSION_TTL_HOURS (12 h by default).';

/** Dashboard sign-up and login (public), logout and "who am I" (any session, merchants' and admins'). */
export const dashboardAuthRoutes: RouteModule = (api, deps) => {
  const authDeps = () => ({ em: deps.em(), sessionTtlHours: deps.config.SESSION_TTL_HOURS });
  const lockout = createAccountLockout({ orm: deps.orm, config: deps.config });
  const codeLockout = createAccountLockout({ orm: deps.orm, config: deps.config }, 'loginCodesPerAccount');
  // The dashboard's session lives in an HttpOnly cookie; the JSON answer stays as it is for programs.
  const cookies = { secret: deps.config.API_KEY_PEPPER, secure: deps.config.APP_ENV === 'production' };
  const startBrowserSession = (ctx: Context, session: { token: string; expires_at: string }) =>
    setSessionCookies(ctx, { token: session.token, expiresAt: new Date(session.expires_at) }, cookies);

  api.add({
    method: 'post',
    access: 'public',
    path: '/api/auth/signup',
    rateLimits: [{ policy: 'signUpPerIp', key: rateLimitKeys.clientIp }],
    summary: 'Create a merchant account',
    description: `Creates your business (KYC status unverified, an empty service wallet) and its first dashboard user, and signs you in. ${SESSION_HELP}`,
    tags: ['Accounts'],
    body: signUpRequestSchema,
    responses: [
      { status: 201, description: 'Signed up and signed in', schema: sessionSchema, example: sessionExample },
      errorResponse(400, 'validation_failed', 'password must be at least 10 characters', { field: 'password' }),
      errorResponse(409, 'conflict', 'An account with this email already exists: sign in instead', { field: 'email' }),
    ],
    handler: async (ctx) => {
      const session = await signUp(authDeps(), parseInput(signUpRequestSchema, ctx.request.body));
      startBrowserSession(ctx, session);
      ctx.status = 201;
      ctx.body = session;
    },
  });

  api.add({
    method: 'post',
    access: 'public',
    path: '/api/auth/login',
    rateLimits: [
      { policy: 'loginPerIp', key: rateLimitKeys.clientIp },
      { policy: 'loginPerAccountAndIp', key: rateLimitKeys.loginEmailAndIp, keyFromBody: true },
    ],
    summary: 'Sign in to the dashboard',
    description:
      `For merchants and ImaraPay admins alike (admins have \`merchant: null\`). ${SESSION_HELP} ` +
      'An account with two-step sign-in also needs `code`: the 6-digit code of its authenticator app, or one of its recovery codes ' +
      '(without it the answer is 401 `second_factor_required`). Limits: attempts per address, per account and address, and ' +
      'failed attempts per account (RATE_LIMIT_LOGIN_PER_ACCOUNT); past the per-account one the password alone is refused (429) ' +
      'but the password with a valid code still signs in.',
    tags: ['Accounts'],
    body: logInRequestSchema,
    responses: [
      { status: 200, description: 'Signed in', schema: sessionSchema, example: sessionExample },
      errorResponse(401, 'unauthorized', 'Invalid email or password'),
      errorResponse(
        401,
        'second_factor_required',
        'Enter the 6-digit code from your authenticator app, or one of your recovery codes',
        { field: 'code' },
      ),
      errorResponse(
        429,
        'rate_limited',
        'Too many failed sign-ins to this account. Retry after 3480 s, or sign in with …',
        {
          retry_after: 3480,
        },
      ),
    ],
    handler: async (ctx) => {
      const request = parseInput(logInRequestSchema, ctx.request.body);
      const session = await logIn(
        { ...authDeps(), lockout, codeLockout, pepper: deps.config.API_KEY_PEPPER },
        request,
        auditActorOf(ctx, null),
      );
      startBrowserSession(ctx, session);
      ctx.body = session;
    },
  });

  api.add({
    method: 'post',
    access: 'signedIn',
    path: '/api/auth/logout',
    summary: 'Sign out',
    description: 'Ends this session at once: the token is refused from the next request on.',
    tags: ['Accounts'],
    responses: [
      { status: 204, description: 'Signed out' },
      errorResponse(401, 'unauthorized', 'Your session has expired or was ended; sign in again'),
    ],
    handler: async (ctx, { token }) => {
      await revokeSession(deps.em(), token);
      clearSessionCookies(ctx, cookies);
      ctx.status = 204;
    },
  });

  api.add({
    method: 'get',
    access: 'signedIn',
    path: '/api/me',
    summary: 'Who is signed in',
    description:
      'The session’s user and merchant (null for admins). Admins also get `temporal_ui.workflows_url`, ' +
      'where the Temporal Web UI shows each payment’s workflow (`<workflows_url>/payment-<transaction id>`), ' +
      'from the TEMPORAL_UI_URL setting.',
    tags: ['Accounts'],
    responses: [
      {
        status: 200,
        description: 'The session’s user and merchant',
        schema: meSchema,
        example: {
          user: sessionExample.user,
          merchant: sessionExample.merchant,
          expires_at: sessionExample.expires_at,
        },
      },
      errorResponse(401, 'unauthorized', 'Your session has expired or was ended; sign in again'),
    ],
    handler: async (ctx, { user, token }) => {
      const session = await describeSession(deps.em(), user, token);
      // Workflows are ImaraPay's operations view: only staff get the link, read at run time from the config.
      ctx.body = user.role === 'admin' ? { ...session, temporal_ui: temporalUi(deps.config) } : session;
    },
  });
};
