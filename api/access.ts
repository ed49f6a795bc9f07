import type { Context } from 'koa';
import type { Logger } from '../config/logger';
import type { User } from '../db/entities';
import {
  isValidCallbackToken,
  isValidResultToken,
  isValidReversalToken,
  type MpesaResultKind,
  type ReversalResultKind,
} from '../config/callbackUrl';
import { AppError } from '../domain/errors';
import { CSRF_HEADER, csrfTokenMatches } from './browserSession';
import { parseTransactionId } from '../domain/ids';
import {
  callerOfApiKey,
  callerOfMerchantUser,
  invalidApiCredentials,
  presentedCredentials,
  sessionEnded,
  userOfSession,
  type ApiCaller,
  type AuthDeps,
  type DashboardCaller,
  type SignedInUser,
} from './auth';

/**
 * Who may call an endpoint. Every endpoint declares one (api/endpoints.ts), and its route runs the
 * rule before anything else, so no request reaches a handler unchecked:
 * - `public`: anyone; credentials, if sent, are ignored;
 * - `merchant`: a merchant's API key (Basic) or a merchant's dashboard session (Bearer, or the
 *   dashboard's cookie with its CSRF token on changes);
 * - `dashboard`: a merchant's dashboard session only (API keys cannot manage the account);
 * - `signedIn`: any dashboard session, merchant or admin (who am I, sign out);
 * - `admin`: an ImaraPay admin's session;
 * - `darajaCallback`: the secret per-payment token in the callback path (Daraja does not sign callbacks);
 * - `darajaResult`: the secret token of the ResultURL / QueueTimeOutURL (Transaction Status, Pull Transactions);
 * - `darajaReversal`: the secret per-reversal token of a reversal's ResultURL / QueueTimeOutURL.
 *
 * 401 means "who are you?" (no, unknown, wrong, revoked or expired credentials); 403 means the
 * credentials are good but not for this endpoint.
 */
export type Access =
  'public' | 'merchant' | 'dashboard' | 'signedIn' | 'admin' | 'darajaCallback' | 'darajaResult' | 'darajaReversal';

/** The reversal a result path names, once its token checked out. */
export interface ReversalResultTarget {
  reversalId: number;
  kind: ReversalResultKind;
}

/** The payment a callback path names, once its token checked out. */
export interface CallbackTarget {
  transactionId: number;
}

/** What an endpoint's handler receives from its access rule. */
export type PrincipalOf<A extends Access> = A extends 'public'
  ? null
  : A extends 'merchant'
    ? ApiCaller
    : A extends 'dashboard'
      ? DashboardCaller
      : A extends 'signedIn' | 'admin'
        ? SignedInUser
        : A extends 'darajaCallback'
          ? CallbackTarget
          : A extends 'darajaResult'
            ? { kind: MpesaResultKind }
            : A extends 'darajaReversal'
              ? ReversalResultTarget
              : never;

export interface AccessDeps extends AuthDeps {
  logger: Logger;
  callbackToken: string;
  /** Key of the dashboard's CSRF tokens (api/browserSession.ts). */
  csrfSecret: string;
}

const API_KEYS_CANNOT = 'Sign in to the dashboard for this: API keys cannot manage the account';
const missingCredentials = () =>
  new AppError('unauthorized', 'Missing API credentials: send Authorization: Basic base64(API_USERNAME:API_PASSWORD)');
const signInRequired = (who: string) =>
  new AppError('unauthorized', `Sign in${who}: send Authorization: Bearer <session token>`);

/** Runs `access`'s rule on a request: its principal, or a 401/403/404 AppError. */
export async function authorize<A extends Access>(access: A, ctx: Context, deps: AccessDeps): Promise<PrincipalOf<A>> {
  return (await RULES[access](ctx, deps)) as PrincipalOf<A>;
}

type Rule = (ctx: Context, deps: AccessDeps) => Promise<unknown>;

const RULES: Record<Access, Rule> = {
  public: async () => null,

  merchant: async (ctx, deps) => {
    const credentials = presentedCredentials(ctx);
    const em = deps.em();
    switch (credentials.kind) {
      case 'none':
        throw missingCredentials();
      case 'malformed':
        throw invalidApiCredentials();
      case 'apiKey': {
        const caller = await callerOfApiKey(deps, credentials.username, credentials.password);
        if (!caller) throw invalidApiCredentials();
        return caller;
      }
      case 'session': {
        const user = await userOfSession(em, credentials.token);
        if (!user) throw sessionEnded();
        assertNotForged(ctx, deps, credentials);
        return merchantCallerOf(ctx, deps, user);
      }
    }
  },

  dashboard: async (ctx, deps) => merchantCallerOf(ctx, deps, (await sessionUser(ctx, deps, '', 'checked')).user),

  signedIn: (ctx, deps) => sessionUser(ctx, deps, '', 'unauthorized'),

  admin: async (ctx, deps) => {
    const signedIn = await sessionUser(ctx, deps, ' as an admin', 'unauthorized');
    if (signedIn.user.role !== 'admin') throw new AppError('forbidden', 'This endpoint is for ImaraPay admins');
    return signedIn;
  },

  darajaCallback: async (ctx, deps) => {
    const transactionId = parseTransactionId(ctx.params.transactionId ?? '');
    if (transactionId === null || !isValidCallbackToken(deps.callbackToken, transactionId, ctx.params.token ?? '')) {
      // The path carries the secret: log the source, never the path.
      deps.logger.warn({ ip: ctx.ip }, 'Daraja callback with a wrong path token');
      throw new AppError('not_found', 'Not found');
    }
    return { transactionId } satisfies CallbackTarget;
  },

  darajaResult: async (ctx, deps) => {
    const kind = ctx.params.kind ?? '';
    if (!RESULT_KINDS.has(kind) || !isValidResultToken(deps.callbackToken, ctx.params.token ?? '')) {
      deps.logger.warn({ ip: ctx.ip }, 'Daraja result with a wrong path token');
      throw new AppError('not_found', 'Not found');
    }
    return { kind: kind as MpesaResultKind };
  },

  darajaReversal: async (ctx, deps) => {
    const reversalId = parseTransactionId(ctx.params.reversalId ?? '');
    const kind = ctx.params.kind ?? '';
    if (
      reversalId === null ||
      !REVERSAL_RESULT_KINDS.has(kind) ||
      !isValidReversalToken(deps.callbackToken, reversalId, ctx.params.token ?? '')
    ) {
      deps.logger.warn({ ip: ctx.ip }, 'Daraja reversal result with a wrong path token');
      throw new AppError('not_found', 'Not found');
    }
    return { reversalId, kind: kind as ReversalResultKind } satisfies ReversalResultTarget;
  },
};

const RESULT_KINDS = new Set<string>(['status', 'timeout', 'pull']);
const REVERSAL_RESULT_KINDS = new Set<string>(['result', 'timeout', 'status', 'status_timeout']);

/** An admin session is no merchant: merchant endpoints answer it 403. */
async function merchantCallerOf(ctx: Context, deps: AccessDeps, user: User): Promise<DashboardCaller> {
  const caller = await callerOfMerchantUser(deps.em(), user, ctx);
  if (!caller) throw new AppError('forbidden', 'This endpoint is for merchant accounts');
  return caller;
}

/**
 * A dashboard session's user. On dashboard endpoints an API key is answered as on merchant ones, 401
 * when wrong and 403 when right (people only, not programs); on admin and signed-in endpoints any
 * API key is simply no session: 401.
 */
async function sessionUser(
  ctx: Context,
  deps: AccessDeps,
  who: string,
  apiKeys: 'checked' | 'unauthorized',
): Promise<SignedInUser> {
  const credentials = presentedCredentials(ctx);
  const em = deps.em();
  switch (credentials.kind) {
    case 'none':
      throw signInRequired(who);
    case 'malformed':
      throw invalidApiCredentials();
    case 'apiKey':
      if (apiKeys === 'unauthorized') throw signInRequired(who);
      if (!(await callerOfApiKey(deps, credentials.username, credentials.password))) throw invalidApiCredentials();
      throw new AppError('forbidden', API_KEYS_CANNOT);
    case 'session': {
      const user = await userOfSession(em, credentials.token);
      if (!user) throw sessionEnded();
      assertNotForged(ctx, deps, credentials);
      return { user, token: credentials.token };
    }
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A browser sends the session cookie wherever a request comes from, so a change made with it must
 * carry the page's CSRF token too (api/browserSession.ts). Bearer tokens and API keys are not sent
 * by browsers on their own and need none.
 */
function assertNotForged(
  ctx: Context,
  deps: AccessDeps,
  credentials: { token: string; source: 'bearer' | 'cookie' },
): void {
  if (credentials.source !== 'cookie' || !UNSAFE_METHODS.has(ctx.method)) return;
  if (!csrfTokenMatches(ctx, deps.csrfSecret, credentials.token)) {
    throw new AppError('csrf_failed', `Missing or wrong ${CSRF_HEADER} header: reload the dashboard and try again`);
  }
}
