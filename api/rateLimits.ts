import { createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { RATE_LIMIT_SETTING, type Config } from '../config/config';
import { AppError } from '../domain/errors';
import { normalizeEmail } from '../domain/email';
import { normalizeMsisdn } from '../domain/phone';
import type { Orm } from '../db/orm';
import { rateLimitStore } from '../db/rateLimitStore';
import type { ApiCaller } from './auth';
import { clientNetwork } from '../domain/clientNetwork';

/**
 * Rate limits: brute force on logins and sign-ups, floods on the payment, redelivery, KYC and export endpoints. Counters live in
 * Postgres (`rate_limits`, rate-limiter-flexible's RateLimiterPostgres), so a limit holds across every
 * API instance. Each policy is a fixed window of `points` requests per `durationSeconds`, configured
 * as `<requests>/<window>` (config/config.ts; defaults below).
 */
export const RATE_LIMIT_POLICIES = {
  /**
   * Failed sign-ins per account (the email signed in as), from anywhere: 50 per hour. Guesses at
   * one password spread over many addresses. Counted by the login use case, failures only, and the
   * account's owner still signs in past it with a second factor (accountLockout below): a slow
   * curve, so that someone who only knows the e-mail cannot cheaply lock its owner out.
   */
  loginPerAccount: 'RATE_LIMIT_LOGIN_PER_ACCOUNT',
  /** Sign-in attempts per account and client IP together: 10 per 15 min. Guesses at one password from one place. */
  loginPerAccountAndIp: 'RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_IP',
  /**
   * Wrong two-step codes per account, from any address: 10 per hour. Never lifted, not even by a
   * right password: it is what stops someone who holds the password from guessing the 6-digit code.
   */
  loginCodesPerAccount: 'RATE_LIMIT_LOGIN_CODES_PER_ACCOUNT',
  /** Login attempts per client IP: 30 per 15 min. Guesses across many accounts from one place. */
  loginPerIp: 'RATE_LIMIT_LOGIN_PER_IP',
  /** Sign-ups per client IP: 30 per 15 min. */
  signUpPerIp: 'RATE_LIMIT_SIGN_UP_PER_IP',
  /** Requests to the payment endpoints (STK push, status, Express payments) per API key: 60 per 10 s. */
  paymentsPerApiKey: 'RATE_LIMIT_PAYMENTS_PER_API_KEY',
  /**
   * Payment starts per merchant, across all its keys and dashboard sessions: 120 per 10 s. A second
   * key or a session does not buy more STK prompts to customers' phones.
   */
  paymentsPerMerchant: 'RATE_LIMIT_PAYMENTS_PER_MERCHANT',
  /**
   * Webhook redelivery requests per merchant, all keys and sessions together: 30 per 10 min. Each
   * one that starts a redelivery keeps it retrying for up to the webhook retry window (72 h).
   */
  redeliveriesPerMerchant: 'RATE_LIMIT_REDELIVERIES_PER_MERCHANT',
  /**
   * Reversal requests per merchant, all keys and sessions together: 30 per 10 min. A reversal moves a
   * customer's money back; a leaked key or a runaway script must not empty the till.
   */
  reversalsPerMerchant: 'RATE_LIMIT_REVERSALS_PER_MERCHANT',
  /** Changes of a channel's initiator credentials per merchant: 10 per hour (guessing initiator passwords through M-Pesa). */
  initiatorChangesPerMerchant: 'RATE_LIMIT_INITIATOR_CHANGES_PER_MERCHANT',
  /**
   * KYC submissions per merchant: 10 per hour. Each carries up to 6 MB of documents, read and
   * stored; a person verifying a business needs a few.
   */
  kycSubmissionsPerMerchant: 'RATE_LIMIT_KYC_PER_MERCHANT',
  /**
   * CSV exports per merchant, all keys and sessions together: 20 per 10 min. Each reads up to
   * 10,000 rows; streaming bounds its memory, this bounds how much of the database one merchant takes.
   */
  exportsPerMerchant: 'RATE_LIMIT_EXPORTS_PER_MERCHANT',
  /** Statement uploads per merchant, all keys and sessions together: 20 per 10 min. Each reads up to 5 MB. */
  statementUploadsPerMerchant: 'RATE_LIMIT_STATEMENT_UPLOADS_PER_MERCHANT',
  /**
   * Payment starts per payment link, from anyone: 120 per minute. The checkout page is public, so a
   * leaked link could otherwise prompt phones without end; a busy church or school link stays under it.
   */
  checkoutPerLink: 'RATE_LIMIT_CHECKOUT_PER_LINK',
  /**
   * Payment starts on any payment link per client IP: 30 per 10 min. One person pays a few times, a
   * spammer many; but Kenyan mobile networks put many customers behind one carrier-grade NAT address,
   * so this limit stays loose and the per-phone limit and the one-open-prompt rule do the real work.
   */
  checkoutPerIp: 'RATE_LIMIT_CHECKOUT_PER_IP',
  /**
   * Payment starts on any payment link per phone number: 5 per 10 min. What stops a stranger's
   * phone being prompted over and over from many addresses.
   */
  checkoutPerPhone: 'RATE_LIMIT_CHECKOUT_PER_PHONE',
  /**
   * Reads of the checkout page's public API (the link, a payment's status) per client IP: 3000 per
   * minute. The page polls a payment's status every 2 s (30 reads a minute per customer), and a
   * carrier-grade NAT puts many customers behind one address: 100 customers paying at once from one
   * address stay under it, while one address cannot read the public API without end.
   */
  checkoutReadsPerIp: 'RATE_LIMIT_CHECKOUT_READS_PER_IP',
} as const satisfies Record<string, keyof Config>;

export type RateLimitPolicyName = keyof typeof RATE_LIMIT_POLICIES;

/** One policy's limit: at most `points` requests per `durationSeconds` window. */
export interface RateLimitPolicy {
  points: number;
  durationSeconds: number;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** Parses a `<requests>/<window>` setting (`10/15m`) into a policy; throws on anything else (config validation refuses it first). */
export function parseRateLimit(setting: string): RateLimitPolicy {
  const match = RATE_LIMIT_SETTING.exec(setting);
  if (!match) throw new Error(`Not a rate limit: ${setting} (expected <requests>/<window> such as 10/15m)`);
  return {
    points: Number(match[1]),
    durationSeconds: Number(match[2]) * UNIT_SECONDS[match[3] as keyof typeof UNIT_SECONDS],
  };
}

/** Every policy's limit on this deployment. */
export function rateLimitPolicies(
  config: Pick<Config, (typeof RATE_LIMIT_POLICIES)[RateLimitPolicyName]>,
): Record<RateLimitPolicyName, RateLimitPolicy> {
  const entries = Object.entries(RATE_LIMIT_POLICIES).map(([name, key]) => [name, parseRateLimit(config[key])]);
  return Object.fromEntries(entries) as Record<RateLimitPolicyName, RateLimitPolicy>;
}

/** Which caller a request counts against (an email, an IP, an API key id), or null when this policy does not apply to it. */
export type RateLimitKeyOf = (ctx: Context) => string | null;

/**
 * The keys the policies are meant for. `clientIp` is the network of Koa's `ctx.ip` (an IPv6 client
 * counts by its /64: domain/clientNetwork.ts), so it is the proxy's unless the app trusts X-Forwarded-For; `loginEmail` needs the parsed body; `apiKey` needs the
 * authenticated caller (`ctx.state.principal` of a merchant endpoint) and is null for dashboard sessions.
 */
export const rateLimitKeys = {
  clientIp: (ctx: Context): string | null => (ctx.ip ? clientNetwork(ctx.ip) : null),
  loginEmail: (ctx: Context): string | null => {
    const email = (ctx.request as { body?: { email?: unknown } }).body?.email;
    return typeof email === 'string' && email.trim() !== '' ? normalizeEmail(email) : null;
  },
  loginEmailAndIp: (ctx: Context): string | null => {
    const email = rateLimitKeys.loginEmail(ctx);
    return email === null || !ctx.ip ? null : `${email}\n${clientNetwork(ctx.ip)}`;
  },
  merchant: (ctx: Context): string | null => {
    const merchant = (ctx.state.principal as Partial<ApiCaller> | null | undefined)?.merchant;
    return merchant ? `merchant:${merchant.id}` : null;
  },
  /** The payment link a checkout request is for (its URL token). */
  paymentLink: (ctx: Context): string | null => (ctx.params?.token ? `link:${ctx.params.token}` : null),
  /** The phone number a checkout payment would prompt, normalised; null when it is no number (the handler refuses it). */
  checkoutPhone: (ctx: Context): string | null => {
    const phone = (ctx.request as { body?: { phone_number?: unknown } }).body?.phone_number;
    if (typeof phone !== 'string') return null;
    try {
      return `phone:${normalizeMsisdn(phone)}`;
    } catch {
      return null; // not a number at all: nothing is sent, and the handler answers 400
    }
  },
  apiKey: (ctx: Context): string | null => {
    const key = (ctx.state.principal as Partial<ApiCaller> | null | undefined)?.apiKey;
    return key ? `api-key:${key.id}` : null;
  },
} satisfies Record<string, RateLimitKeyOf>;

export interface RateLimits {
  /** The limits in force, by policy name. */
  policies: Record<RateLimitPolicyName, RateLimitPolicy>;
  /**
   * Middleware counting each request against `policyName` for the caller `keyOf` names. Every
   * counted answer carries `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds)
   * and `RateLimit-Policy` (IETF httpapi draft); past the limit the request goes no further and
   * AppError `rate_limited` (429, `{ error, code, retry_after }`) is thrown with `Retry-After`
   * (seconds). A null key passes uncounted. Postgres errors propagate.
   */
  rateLimit(policyName: RateLimitPolicyName, keyOf: RateLimitKeyOf): Middleware;
}

export interface RateLimitDeps {
  orm: Orm;
  config: Pick<Config, (typeof RATE_LIMIT_POLICIES)[RateLimitPolicyName]>;
}

/** Keys are hashed: the counters table holds no email, IP address or key id as such. */
const hashedKey = (key: string) => createHash('sha256').update(key).digest('base64url');

/** Builds one Postgres-backed limiter per policy on the ORM's own pool (the table comes from a migration). */
export function createRateLimits({ orm, config }: RateLimitDeps): RateLimits {
  const policies = rateLimitPolicies(config);
  const limiters = new Map<RateLimitPolicyName, RateLimiterPostgres>();
  const limiterOf = (name: RateLimitPolicyName) => {
    let limiter = limiters.get(name);
    if (!limiter) {
      limiter = new RateLimiterPostgres({
        ...rateLimitStore(orm),
        keyPrefix: name,
        points: policies[name].points,
        duration: policies[name].durationSeconds,
      });
      limiters.set(name, limiter);
    }
    return limiter;
  };

  return {
    policies,
    rateLimit(policyName, keyOf) {
      const policy = policies[policyName];
      return async (ctx, next) => {
        const key = keyOf(ctx);
        if (key === null) return next();
        const outcome = await limiterOf(policyName)
          .consume(hashedKey(key))
          .then(
            (res) => ({ allowed: true, res }),
            (rejection: unknown) => {
              // The library rejects with a RateLimiterRes when the limit is reached, with an Error when the store fails.
              if (rejection instanceof RateLimiterRes) return { allowed: false, res: rejection };
              throw rejection;
            },
          );
        const resetSeconds = Math.max(1, Math.ceil(outcome.res.msBeforeNext / 1000));
        ctx.set('RateLimit-Limit', String(policy.points));
        ctx.set('RateLimit-Remaining', String(outcome.res.remainingPoints));
        ctx.set('RateLimit-Reset', String(resetSeconds));
        ctx.set('RateLimit-Policy', `${policy.points};w=${policy.durationSeconds}`);
        if (!outcome.allowed) {
          // Which policy refused, for the metrics (observability/httpMetrics.ts).
          ctx.state.rateLimitedBy = policyName;
          ctx.set('Retry-After', String(resetSeconds));
          throw new AppError(
            'rate_limited',
            `Too many requests: at most ${policy.points} every ${policy.durationSeconds} s. Retry after ${resetSeconds} s.`,
            {
              retry_after: resetSeconds,
            },
          );
        }
        return next();
      };
    },
  };
}

/**
 * The per-account sign-in limit (policy `loginPerAccount`), kept by the login use case rather than
 * by a middleware: only failures count, and an account past its limit still lets its owner in with
 * a valid second factor. Counters share the `rate_limits` table with every other policy.
 */
export interface AccountLockout {
  policy: RateLimitPolicy;
  /** Seconds until the account's failures reset when they have reached the limit; null while under it. */
  lockedFor(email: string): Promise<number | null>;
  /** Counts one failed sign-in against the account. */
  recordFailure(email: string): Promise<void>;
}

/**
 * A per-account lockout on the ORM's pool: `loginPerAccount` (failed sign-ins) by default, or
 * `loginCodesPerAccount` (wrong two-step codes). Its limiter is built on first use (the API document
 * is built without a database).
 */
export function createAccountLockout(
  { orm, config }: RateLimitDeps,
  name: 'loginPerAccount' | 'loginCodesPerAccount' = 'loginPerAccount',
): AccountLockout {
  const policy = rateLimitPolicies(config)[name];
  let limiter: RateLimiterPostgres | undefined;
  const limiterOf = () =>
    (limiter ??= new RateLimiterPostgres({
      ...rateLimitStore(orm),
      keyPrefix: name,
      points: policy.points,
      duration: policy.durationSeconds,
    }));
  return {
    policy,
    async lockedFor(email) {
      const res = await limiterOf().get(hashedKey(normalizeEmail(email)));
      if (!res || res.consumedPoints < policy.points) return null;
      return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    },
    async recordFailure(email) {
      await limiterOf().penalty(hashedKey(normalizeEmail(email)), 1);
    },
  };
}
