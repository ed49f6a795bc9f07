import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { AppError } from '../domain/errors';
import { authorize, type Access, type AccessDeps, type PrincipalOf } from './access';
import { findUnstorableText } from '../domain/controlCharacters';
import { needsSchema, type DescribedEndpoint, type EndpointDoc, type RateLimitUse } from './openapi/registry';
import { jsonBody } from './jsonBody';
import { enforceResponseContract } from './responseCheck';
import type { Logger } from '../config/logger';

/** The JSON body limit of an endpoint that does not set its own. */
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024;

/** Applies a rate-limit policy to an endpoint's requests; answers 429 by throwing (api/rateLimits.ts). */
export type RateLimiter = (use: RateLimitUse) => Middleware;

/**
 * One endpoint, registered once: method, path, access rule, body limit, rate limits, the
 * documentation and the handler together. The route runs, in order: the access rule (nothing is
 * read before it), the rate limits keyed by who calls (so a refused caller costs one counter
 * update, never a body read), the body (only JSON, at most `bodyLimit` bytes, nesting bounded while
 * it is read: api/jsonBody.ts), the refusal of control characters in path, query and body, the rate
 * limits keyed by a field of the body (the login's account), and only then the handler, which
 * receives the rule's principal. A body refused while being read was still counted by the limits
 * before it, so on a credential check (login) it is an attempt like any other.
 */
export interface EndpointSpec<A extends Access> extends EndpointDoc {
  access: A;
  rateLimits?: RateLimitUse[];
  /** Largest JSON body accepted, in bytes (DEFAULT_BODY_LIMIT_BYTES when unset). */
  bodyLimit?: number;
  /**
   * The handler reads the request body itself (the Daraja callback, stored raw; KYC documents,
   * streamed multipart): no JSON parsing. It must bound what it reads on its own.
   */
  rawBody?: boolean;
  handler: (ctx: Context, principal: PrincipalOf<A>) => unknown;
}

type AnyEndpoint = EndpointSpec<Access>;

/**
 * Every endpoint of the app. Route modules `add()` to it; `routerOf` builds the one router from it
 * and the OpenAPI document is built from the same list, so what is served and what is documented
 * cannot differ.
 */
export class EndpointRegistry {
  readonly #endpoints: AnyEndpoint[] = [];

  add<A extends Access>(spec: EndpointSpec<A>): void {
    if (!spec.path.startsWith('/')) throw new Error(`${spec.path}: endpoint paths are absolute`);
    if (this.#endpoints.some((e) => e.method === spec.method && e.path === spec.path)) {
      throw new Error(`${spec.method.toUpperCase()} ${spec.path} is registered twice`);
    }
    const unshaped = spec.responses.find((r) => needsSchema(r) && !r.schema);
    if (unshaped) {
      throw new Error(
        `${spec.method.toUpperCase()} ${spec.path}: its ${unshaped.status} response needs a schema (or a mediaType when it is not JSON)`,
      );
    }
    this.#endpoints.push(spec as unknown as AnyEndpoint);
  }

  get endpoints(): readonly DescribedEndpoint[] {
    return this.#endpoints;
  }

  /** @internal for routerOf */
  specs(): readonly AnyEndpoint[] {
    return this.#endpoints;
  }
}

export interface RouterDeps {
  access: AccessDeps;
  rateLimiter: RateLimiter;
  /**
   * Check every answer against its endpoint's declared response schema (api/responseCheck.ts),
   * logging to this logger; absent: not checked (production, by default: CHECK_RESPONSES).
   */
  checkResponses?: { logger: Logger };
}

/**
 * The app's one router: case-sensitive and strict (no trailing-slash or case variants), every route
 * guarded by its own endpoint's access rule. Anything not matched falls through to a 404.
 */
export function routerOf(registry: EndpointRegistry, deps: RouterDeps): Router {
  const router = new Router({ sensitive: true, strict: true });
  for (const endpoint of registry.specs()) {
    router[endpoint.method](endpoint.path, ...routeChain(endpoint, deps));
  }
  return router;
}

function routeChain(endpoint: AnyEndpoint, deps: RouterDeps): Middleware[] {
  const readsJson = !endpoint.rawBody && endpoint.method !== 'get' && endpoint.method !== 'delete';
  const limits = endpoint.rateLimits ?? [];
  return [
    async (ctx, next) => {
      ctx.state.principal = await authorize(endpoint.access, ctx, deps.access);
      return next();
    },
    ...limits.filter((use) => !use.keyFromBody).map((use) => deps.rateLimiter(use)),
    ...(readsJson ? [jsonBody(endpoint.bodyLimit ?? DEFAULT_BODY_LIMIT_BYTES)] : []),
    async (ctx, next) => {
      refuseUnstorableText({ params: ctx.params, query: ctx.query, body: readsJson ? ctx.request.body : undefined });
      return next();
    },
    ...limits.filter((use) => use.keyFromBody).map((use) => deps.rateLimiter(use)),
    async (ctx) => {
      await endpoint.handler(ctx, ctx.state.principal);
      if (deps.checkResponses) enforceResponseContract(endpoint, ctx, deps.checkResponses.logger);
    },
  ];
}

/**
 * NUL and the other control characters have no business in any field ImaraPay stores or passes to
 * M-Pesa, Postgres refuses NUL (and jsonb unpaired surrogates) outright, and nothing ImaraPay takes
 * nests deeply: all are refused here, for every endpoint, before any handler sees them. Tab, line
 * feed and carriage return stay allowed (free text).
 */
function refuseUnstorableText(parts: { params: Record<string, string>; query: unknown; body: unknown }): void {
  for (const [where, value] of Object.entries(parts)) {
    const found = findUnstorableText(value);
    if (found) {
      const field = found.path.length > 0 ? found.path.join('.') : where;
      throw new AppError('validation_failed', `${field} ${found.problem}`, { field });
    }
  }
}
