import Router from '@koa/router';
import type { RouteModule, Routers } from './module';
import { describeCoreEndpoints, describeEndpoint, openApiDocumentFor, renderDocsPage } from '../openapi';

/** GET /api/openapi.json: the OpenAPI 3.1 document of every described endpoint (and the core's descriptions). */
export const docsRoutes: RouteModule = (routers) => {
  describeCoreEndpoints(routers);
  describeEndpoint(routers.publicApi, {
    method: 'get',
    path: '/openapi.json',
    summary: 'The OpenAPI 3.1 document of this API',
    description: 'Built from the same descriptions as the /docs page; request bodies are the JSON Schema of the validators the endpoints use.',
    tags: ['Platform'],
    responses: [{ status: 200, description: 'OpenAPI 3.1 document', example: { openapi: '3.1.0', info: { title: 'ImaraPay API', version: '1.0.0' }, paths: {} } }],
  });
  routers.publicApi.get('/openapi.json', (ctx) => {
    ctx.body = openApiDocumentFor(routers);
  });
};

/** GET /docs (outside /api, so app.ts mounts it): the same document as a self-contained HTML page. */
export function docsPageRouter(routers: Routers): Router {
  const router = new Router();
  router.get('/docs', (ctx) => {
    ctx.type = 'html';
    // Nothing on the page is fetched or executed: inline styles only.
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.body = renderDocsPage(openApiDocumentFor(routers));
  });
  return router;
}
