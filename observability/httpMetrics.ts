import type { Context, Middleware } from 'koa';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The routes that start a payment: their duration is the push latency merchants see. */
export const PAYMENT_START_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/stk-push',
  'POST /api/v1/payments',
  'POST /api/wallet/top-ups',
  'POST /api/pay/:token/payments',
]);

/** The public route the payment links' checkout page starts payments with. */
export const CHECKOUT_PAYMENT_ROUTE = 'POST /api/pay/:token/payments';

/** The rate-limit policies of the checkout route, by the refusal reason they are counted under. */
const CHECKOUT_LIMIT_REASONS: Readonly<Record<string, string>> = {
  checkoutPerLink: 'per_link',
  checkoutPerIp: 'per_ip',
  checkoutPerPhone: 'per_phone',
};

/**
 * Why the checkout route refused a payment start, as a bounded label, or null when it did not
 * refuse for abuse: `per_link`, `per_ip`, `per_phone` (a rate limit), `prompt_open` (the phone has
 * a prompt open), `link_unavailable` (paused, archived, expired, used, or the merchant cannot take payments).
 */
export function checkoutRefusal(status: number, body: unknown, rateLimitedBy: unknown): string | null {
  if (status === 429)
    return (typeof rateLimitedBy === 'string' && CHECKOUT_LIMIT_REASONS[rateLimitedBy]) || 'rate_limited';
  const code = (body as { code?: unknown } | null)?.code;
  return code === 'prompt_open' || code === 'link_unavailable' ? code : null;
}

/** Requests no registered route matched (dashboard pages, 404s) share one label value. */
const UNMATCHED_ROUTE = '(unmatched)';

/**
 * What a payment start's answer says, as a bounded label: `accepted` (200/201), `unconfirmed`
 * (202: the push's answer was lost), else the error `code` of the body (an enum, so bounded), or
 * `error` when the body has none.
 */
export function pushOutcome(status: number, body: unknown): string {
  if (status === 202) return 'unconfirmed';
  if (status >= 200 && status < 300) return 'accepted';
  const code = (body as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? code : 'error';
}

/**
 * Koa middleware that observes every request's duration (seconds) by method, route template and
 * status as `imarapay_http_request_duration_seconds`, and each payment start's as
 * `imarapay_push_latency_seconds` by route and outcome, and each payment-link checkout refused for
 * abuse or availability as `imarapay_checkout_refusals_total` by reason. The label is the route *template*
 * (`/hooks/daraja/:token/:transactionId`), never the path: paths carry ids and secret tokens.
 * Place it first, so that the status is the one the error middleware finally wrote.
 */
export function httpMetrics(registry: Registry): Middleware {
  const requestDuration = new Histogram({
    name: 'imarapay_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, matched route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const pushLatency = new Histogram({
    name: 'imarapay_push_latency_seconds',
    help: 'Time from the API receiving a payment start to its answer, in seconds, by route and outcome',
    labelNames: ['route', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 30, 60],
    registers: [registry],
  });
  const checkoutRefusals = new Counter({
    name: 'imarapay_checkout_refusals_total',
    help: 'Payment-link checkout payments refused, by reason (per_link, per_ip, per_phone, prompt_open, link_unavailable)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return async (ctx, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const route = matchedRoute(ctx);
      requestDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      if (PAYMENT_START_ROUTES.has(`${ctx.method} ${route}`)) {
        pushLatency.observe({ route, outcome: pushOutcome(ctx.status, ctx.body) }, seconds);
      }
      if (`${ctx.method} ${route}` === CHECKOUT_PAYMENT_ROUTE) {
        const reason = checkoutRefusal(ctx.status, ctx.body, ctx.state.rateLimitedBy);
        if (reason) checkoutRefusals.inc({ reason });
      }
    }
  };
}

function matchedRoute(ctx: Context): string {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof route === 'string' ? route : UNMATCHED_ROUTE;
}
