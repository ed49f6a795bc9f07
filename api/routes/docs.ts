import type { RouteModule } from './module';
import { openApiDocumentFor, renderDocsPage } from '../openapi';
import { z } from 'zod';

/** The OpenAPI 3.1 document, as far as its clients rely on it: the rest is OpenAPI's own. */
const openApiDocumentSchema = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** GET /api/health, GET /api/openapi.json and GET /docs (the same document as a self-contained page). */
export const docsRoutes: RouteModule = (api) => {
  api.add({
    method: 'get',
    path: '/api/health',
    access: 'public',
    summary: 'Health check',
    tags: ['Platform'],
    responses: [
      {
        status: 200,
        description: 'The API is up',
        schema: z.object({ status: z.literal('ok') }),
        example: { status: 'ok' },
      },
    ],
    handler: (ctx) => {
      ctx.body = { status: 'ok' };
    },
  });

  api.add({
    method: 'get',
    path: '/api/openapi.json',
    access: 'public',
    summary: 'The OpenAPI 3.1 document of this API',
    description:
      'Built from the same registrations as the routes themselves (access rule, request schemas, responses) and the /docs page.',
    tags: ['Platform'],
    responses: [
      {
        status: 200,
        description: 'OpenAPI 3.1 document',
        schema: openApiDocumentSchema,
        example: { openapi: '3.1.0', info: { title: 'ImaraPay API', version: '1.0.0' }, paths: {} },
      },
    ],
    handler: (ctx) => {
      ctx.body = openApiDocumentFor(api);
    },
  });

  api.add({
    method: 'get',
    path: '/docs',
    access: 'public',
    summary: 'This documentation, as a web page',
    description: 'A page rendered from the same OpenAPI document as GET /api/openapi.json.',
    tags: ['Platform'],
    responses: [{ status: 200, description: 'HTML', mediaType: 'text/html' }],
    handler: (ctx) => {
      ctx.type = 'html';
      // Nothing on the page is fetched or executed: inline styles only.
      ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      ctx.body = renderDocsPage(openApiDocumentFor(api));
    },
  });
};
