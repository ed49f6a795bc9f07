import type Router from '@koa/router';
import type { z } from 'zod';

/**
 * Where route modules describe their endpoints for the OpenAPI document and the /docs page.
 * One call per endpoint, next to the route it describes:
 *
 *   describeEndpoint(merchantApi, {
 *     method: 'put', path: '/settings', summary: 'Set your callback URL', tags: ['Settings'],
 *     body: settingsRequestSchema,            // the same schema object the handler validates with
 *     responses: [{ status: 200, description: 'The new settings', example: { … } }, errorResponse(400, 'validation_failed', '…')],
 *   });
 *
 * The path is the one given to the router ('/settings', '/webhooks/deliveries/:id'); the router
 * supplies the prefix and the authentication (publicApi → public, merchantApi → merchant,
 * adminApi → admin). test/unit/openapi-coverage.test.ts fails for a mounted route without a description.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call: nobody in particular; a merchant's API key or dashboard session; only a merchant's
 * dashboard session (merchantApi routes that call assertDashboardUser); an ImaraPay admin's session.
 */
export type EndpointAuth = 'public' | 'merchant' | 'dashboard' | 'admin';

export interface ResponseDoc {
  status: number;
  description: string;
  /** A realistic body, shown on the docs page. */
  example?: unknown;
  /** The body's shape, when a zod schema for it exists. */
  schema?: z.ZodType;
}

export interface EndpointDoc {
  method: HttpMethod;
  /** As given to the router: '/settings', '/webhooks/deliveries/:id'. */
  path: string;
  summary: string;
  /** Longer explanation (plain text; blank lines separate paragraphs). */
  description?: string;
  tags: string[];
  /** Defaults to the router's; 'dashboard' narrows a merchantApi route to dashboard sessions. */
  auth?: EndpointAuth;
  /** The zod schema the handler validates the JSON body with: the very same object. */
  body?: z.ZodType;
  /** The zod object the handler validates the query string with. */
  query?: z.ZodObject;
  /** What each `:param` of the path is. */
  params?: Record<string, string>;
  /** Request headers other than Authorization and Content-Type. */
  headers?: Array<{ name: string; description: string; required?: boolean }>;
  responses: ResponseDoc[];
}

/** An endpoint with its full path (Koa syntax, prefix included) and its authentication settled. */
export interface ResolvedEndpoint extends Omit<EndpointDoc, 'auth'> {
  auth: EndpointAuth;
  fullPath: string;
}

// Keyed by the router object itself: every app instance has its own routers, so nothing is shared
// between apps (or between test files) and nothing is registered at import time.
const docsByRouter = new WeakMap<Router, EndpointDoc[]>();

/** Describes one endpoint of `router` (call it where the route is registered). */
export function describeEndpoint(router: Router, doc: EndpointDoc): void {
  const docs = docsByRouter.get(router) ?? [];
  if (docs.some((d) => d.method === doc.method && d.path === doc.path)) {
    throw new Error(`${doc.method.toUpperCase()} ${doc.path} is described twice`);
  }
  docs.push(doc);
  docsByRouter.set(router, docs);
}

/** The endpoints described on `router`, in the order they were described. */
export function endpointDocsOf(router: Router): readonly EndpointDoc[] {
  return docsByRouter.get(router) ?? [];
}

/** Joins a router prefix and a route path the way @koa/router does ('/api' + '/' → '/api'). */
export function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  return path === '/' ? prefix : `${prefix}${path}`;
}

/** The router's endpoints with full paths, checking that no description claims a stronger or weaker auth than its router gives. */
export function resolveEndpoints(router: Router, routerAuth: Exclude<EndpointAuth, 'dashboard'>): ResolvedEndpoint[] {
  const prefix = router.opts.prefix ?? '';
  return endpointDocsOf(router).map((doc) => {
    const auth = doc.auth ?? routerAuth;
    const compatible = auth === routerAuth || (auth === 'dashboard' && routerAuth === 'merchant');
    if (!compatible) throw new Error(`${doc.method.toUpperCase()} ${joinPath(prefix, doc.path)} is described as ${auth} but its router is ${routerAuth}`);
    return { ...doc, auth, fullPath: joinPath(prefix, doc.path) };
  });
}

/** The documented error body, as a response entry: `errorResponse(404, 'not_found', 'Delivery 9 does not exist')`. */
export function errorResponse(status: number, code: string, error: string, details: Record<string, unknown> = {}, description?: string): ResponseDoc {
  return { status, description: description ?? error, example: { error, code, ...details } };
}
