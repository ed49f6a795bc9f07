import Koa from 'koa';
import Router from '@koa/router';
import pino from 'pino';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config/config';
import type { Orm } from '../../db/orm';
import { buildOpenApiDocument, describeEndpoint, routeCoverage, STANDALONE_ENDPOINTS } from '../../api/openapi';
import { resolveEndpoints } from '../../api/openapi/registry';
import { stkPushRequestSchema } from '../../api/useCases/startStkPush';
import { settingsRequestSchema } from '../../api/routes/settings';

/** The real app, built without listening; routes only register handlers, so no database or Temporal is touched. */
const buildRealApp = () => createApp({ config: loadConfig({}), orm: {} as Orm, temporal: {} as Client, logger: pino({ level: 'silent' }) });

describe('OpenAPI coverage of the mounted routes', () => {
  it('When the app is built, then every route on its routers has an OpenAPI description (and no description is stale)', () => {
    const { undocumented, stale } = routeCoverage(buildRealApp(), STANDALONE_ENDPOINTS);
    // Listed one per line so the failure says exactly which routes lack docs: describe each with
    // describeEndpoint(router, { … }) next to its route (api/openapi/registry.ts).
    expect({ undocumented: undocumented.join('\n'), stale: stale.join('\n') }).toEqual({ undocumented: '', stale: '' });
  });

  it('When a route is added without a description, then the coverage check names it', () => {
    const app = new Koa();
    const router = new Router({ prefix: '/api' });
    router.get('/described', (ctx) => (ctx.body = 1));
    router.post('/undescribed/:id', (ctx) => (ctx.body = 2));
    describeEndpoint(router, { method: 'get', path: '/described', summary: 'x', tags: ['T'], responses: [{ status: 200, description: 'ok' }] });
    describeEndpoint(router, { method: 'delete', path: '/gone', summary: 'x', tags: ['T'], responses: [{ status: 204, description: 'ok' }] });
    app.use(router.routes());
    expect(routeCoverage(app, [])).toEqual({ undocumented: ['POST /api/undescribed/:id'], stale: ['DELETE /api/gone'] });
  });

  it('When a description claims another auth than its router gives, then resolving refuses it', () => {
    const router = new Router({ prefix: '/api/admin' });
    describeEndpoint(router, { method: 'get', path: '/x', auth: 'public', summary: 'x', tags: ['T'], responses: [] });
    expect(() => resolveEndpoints(router, 'admin')).toThrow('described as public but its router is admin');
  });
});

describe('OpenAPI document', () => {
  const router = new Router({ prefix: '/api' });
  const query = z.object({ status: z.enum(['a', 'b']).optional().describe('Filter'), limit: z.coerce.number().int().default(5) });
  describeEndpoint(router, {
    method: 'post',
    path: '/things/:id',
    summary: 'Make a thing',
    tags: ['Things'],
    body: stkPushRequestSchema,
    query,
    params: { id: 'The thing' },
    responses: [
      { status: 200, description: 'Made', example: { ok: true } },
      { status: 400, description: 'Bad amount', example: { error: 'amount…', code: 'validation_failed', field: 'amount' } },
      { status: 400, description: 'Bad phone', example: { error: 'phone…', code: 'validation_failed', field: 'phone_number' } },
    ],
  });
  describeEndpoint(router, { method: 'put', path: '/settings', auth: 'dashboard', summary: 'Settings', tags: ['S'], body: settingsRequestSchema, responses: [{ status: 200, description: 'ok' }] });
  const doc = buildOpenApiDocument(resolveEndpoints(router, 'merchant'));

  it('When an endpoint has a body schema, then the request body is that zod schema as JSON Schema (the validator itself)', () => {
    const op = doc.paths['/api/things/{id}']!.post!;
    const schema = op.requestBody!.content['application/json'].schema;
    expect(schema.required).toEqual(['account_id', 'phone_number', 'amount']);
    expect(schema.properties.amount).toMatchObject({ type: 'integer', minimum: 1, maximum: 250_000 });
    expect(schema.properties.description.anyOf[0]).toMatchObject({ type: 'string', maxLength: 13 });
    expect(schema.$schema).toBeUndefined();
  });

  it('When an endpoint has path and query parameters, then each is listed with its schema and whether it is required', () => {
    const op = doc.paths['/api/things/{id}']!.post!;
    expect(op.parameters).toEqual([
      { name: 'id', in: 'path', required: true, description: 'The thing', schema: { type: 'string' } },
      { name: 'status', in: 'query', required: false, description: 'Filter', schema: { type: 'string', enum: ['a', 'b'] } },
      { name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', default: 5 }) },
    ]);
  });

  it('When two responses share a status, then both examples are kept; authenticated endpoints document 401 (and 403 for dashboard-only)', () => {
    const things = doc.paths['/api/things/{id}']!.post!;
    expect(Object.keys(things.responses)).toEqual(['200', '400', '401']);
    expect(Object.values(things.responses['400']!.content!['application/json'].examples!).map((e) => e.summary)).toEqual(['Bad amount', 'Bad phone']);
    expect(things.security).toEqual([{ apiKey: [] }, { dashboardSession: [] }]);
    const settings = doc.paths['/api/settings']!.put!;
    expect(settings.security).toEqual([{ dashboardSession: [] }]);
    expect(Object.keys(settings.responses)).toEqual(['200', '401', '403']);
    expect(doc.openapi).toBe('3.1.0');
  });
});
