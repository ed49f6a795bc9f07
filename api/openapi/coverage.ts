import type Koa from 'koa';
import type Router from '@koa/router';
import { endpointDocsOf, joinPath, type ResolvedEndpoint } from './registry';

/** "METHOD /full/path" for a route, the way coverage reports name it. */
const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/** Every router mounted on the app (found through @koa/router's `routes()` middleware, which carries its router). */
export function mountedRouters(app: Koa): Router[] {
  return app.middleware.map((mw) => (mw as { router?: Router }).router).filter((r): r is Router => r !== undefined);
}

/** Every "METHOD /path" the app's routers answer (HEAD, added by @koa/router for each GET, left out). */
export function mountedRoutes(app: Koa): string[] {
  const routes = mountedRouters(app).flatMap((router) =>
    router.stack.flatMap((layer) => (typeof layer.path === 'string' ? layer.methods.filter((m) => m !== 'HEAD').map((m) => routeKey(m, layer.path as string)) : [])),
  );
  return [...new Set(routes)];
}

/**
 * Compares what the app serves with what is described: routes without a description, and
 * descriptions of routes that do not exist. `standalone` covers routes outside the described
 * routers (the Daraja callback, the /docs page).
 */
export function routeCoverage(app: Koa, standalone: ResolvedEndpoint[]): { undocumented: string[]; stale: string[] } {
  const documented = new Set([
    ...mountedRouters(app).flatMap((router) => endpointDocsOf(router).map((doc) => routeKey(doc.method, joinPath(router.opts.prefix ?? '', doc.path)))),
    ...standalone.map((e) => routeKey(e.method, e.fullPath)),
  ]);
  const mounted = mountedRoutes(app);
  return {
    undocumented: mounted.filter((route) => !documented.has(route)).sort(),
    stale: [...documented].filter((route) => !mounted.includes(route)).sort(),
  };
}
