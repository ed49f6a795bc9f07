import Router from '@koa/router';
import { z } from 'zod';
import { EndpointRegistry, routerOf, type EndpointSpec } from '../../api/endpoints';
import { registeredEndpoints } from '../../api/registeredEndpoints';
import { buildOpenApiDocument, type DescribedEndpoint } from '../../api/openapi';
import { stkPushRequestSchema } from '../../api/useCases/startStkPush';
import { settingsRequestSchema } from '../../api/routes/settings';
import { contractBreach, enforceResponseContract, RESPONSE_CONTRACT_BROKEN } from '../../api/responseCheck';
import { needsSchema } from '../../api/openapi/registry';
import { transactionSchema } from '../../api/openapi/responses';
import { transactionExample } from '../../api/routes/transactions';

describe('Endpoint registry', () => {
  const registry = registeredEndpoints();

  it('When the app is built, then its router serves exactly the registered endpoints', () => {
    const router: Router = routerOf(registry, { access: {} as never, rateLimiter: () => (_ctx, next) => next() });
    const served = router.stack.flatMap((layer) =>
      layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path)}`),
    );
    const registered = registry.endpoints.map((e) => `${e.method.toUpperCase()} ${e.path}`);
    expect(served.sort()).toEqual(registered.sort());
  });

  it('When an endpoint is registered, then it has a summary, tags, responses and a description of every path parameter', () => {
    const incomplete = registry.endpoints.filter(
      (e) =>
        !e.summary ||
        e.tags.length === 0 ||
        e.responses.length === 0 ||
        [...e.path.matchAll(/:(\w+)/g)].some((m) => !e.params?.[m[1]!]),
    );
    expect(incomplete.map((e) => `${e.method} ${e.path}`)).toEqual([]);
  });

  it('When an endpoint is registered, then every success with a JSON body declares its schema, and every example keeps it', () => {
    const unshaped = registry.endpoints.flatMap((e) =>
      e.responses.filter((r) => needsSchema(r) && !r.schema).map((r) => `${e.method} ${e.path} ${r.status}`),
    );
    expect(unshaped).toEqual([]);
    const brokenExamples = registry.endpoints.flatMap((e) =>
      e.responses
        .filter((r) => r.schema && r.example !== undefined)
        .map((r) => ({ at: `${e.method} ${e.path} ${r.status}`, breach: contractBreach([r], r.status, r.example) }))
        .filter((r) => r.breach !== null),
    );
    expect(brokenExamples).toEqual([]);
  });

  it('When a success with a JSON body has no schema, then registering refuses it; a file or a 204 needs none', () => {
    const api = new EndpointRegistry();
    const spec: EndpointSpec<'public'> = {
      method: 'get',
      path: '/api/x',
      access: 'public',
      summary: 'x',
      tags: ['T'],
      responses: [{ status: 200, description: 'x', example: { ok: true } }],
      handler: () => undefined,
    };
    expect(() => api.add(spec)).toThrow('GET /api/x: its 200 response needs a schema');
    api.add({ ...spec, responses: [{ status: 200, description: 'x', mediaType: 'text/csv' }] });
    api.add({ ...spec, method: 'post', responses: [{ status: 204, description: 'Done' }] });
    expect(api.endpoints).toHaveLength(2);
  });

  it('When an endpoint is registered twice, or with a relative path, then registering refuses it', () => {
    const api = new EndpointRegistry();
    const spec: EndpointSpec<'public'> = {
      method: 'get',
      path: '/api/x',
      access: 'public',
      summary: 'x',
      tags: ['T'],
      responses: [],
      handler: () => undefined,
    };
    api.add(spec);
    expect(() => api.add(spec)).toThrow('GET /api/x is registered twice');
    expect(() => api.add({ ...spec, path: 'api/y' })).toThrow('absolute');
  });
});

describe('OpenAPI document', () => {
  const query = z.object({
    status: z.enum(['a', 'b']).optional().describe('Filter'),
    limit: z.coerce.number().int().default(5),
  });
  const things: DescribedEndpoint = {
    method: 'post',
    access: 'merchant',
    path: '/api/things/:id',
    summary: 'Make a thing',
    tags: ['Things'],
    body: stkPushRequestSchema,
    query,
    params: { id: 'The thing' },
    responses: [
      { status: 200, description: 'Made', example: { ok: true } },
      {
        status: 400,
        description: 'Bad amount',
        example: { error: 'amount…', code: 'validation_failed', field: 'amount' },
      },
      {
        status: 400,
        description: 'Bad phone',
        example: { error: 'phone…', code: 'validation_failed', field: 'phone_number' },
      },
    ],
  };
  const settings: DescribedEndpoint = {
    method: 'put',
    path: '/api/settings',
    access: 'dashboard',
    summary: 'Settings',
    tags: ['S'],
    body: settingsRequestSchema,
    responses: [{ status: 200, description: 'ok' }],
  };
  const doc = buildOpenApiDocument([things, settings]);

  it('When an endpoint has a body schema, then the request body is that zod schema as JSON Schema (the validator itself)', () => {
    const op = doc.paths['/api/things/{id}']!.post!;
    const schema = op.requestBody!.content['application/json']!.schema;
    expect(schema.required).toEqual(['account_id', 'phone_number', 'amount']);
    expect(schema.properties.amount).toMatchObject({ type: 'integer', minimum: 1, maximum: 250_000 });
    expect(schema.properties.description.anyOf[0]).toMatchObject({ type: 'string', maxLength: 13 });
    expect(schema.$schema).toBeUndefined();
  });

  it('When an endpoint has path and query parameters, then each is listed with its schema and whether it is required', () => {
    const op = doc.paths['/api/things/{id}']!.post!;
    expect(op.parameters).toEqual([
      { name: 'id', in: 'path', required: true, description: 'The thing', schema: { type: 'string' } },
      {
        name: 'status',
        in: 'query',
        required: false,
        description: 'Filter',
        schema: { type: 'string', enum: ['a', 'b'] },
      },
      { name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', default: 5 }) },
    ]);
  });

  it('When two responses share a status, then both examples are kept; authenticated endpoints document 401 (and 403 for dashboard-only)', () => {
    const things = doc.paths['/api/things/{id}']!.post!;
    expect(Object.keys(things.responses)).toEqual(['200', '400', '401']);
    expect(
      Object.values(things.responses['400']!.content!['application/json'].examples!).map((e) => e.summary),
    ).toEqual(['Bad amount', 'Bad phone']);
    expect(things.security).toEqual([{ apiKey: [] }, { dashboardSession: [] }]);
    const settings = doc.paths['/api/settings']!.put!;
    expect(settings.security).toEqual([{ dashboardSession: [] }]);
    expect(Object.keys(settings.responses)).toEqual(['200', '401', '403']);
    expect(doc.openapi).toBe('3.1.0');
  });
});

describe('Response contract', () => {
  const responses = [
    { status: 200, description: 'A page', schema: z.array(transactionSchema) },
    { status: 204, description: 'Nothing' },
    { status: 200, description: 'CSV', mediaType: 'text/csv' },
  ];

  it('When an answer has the declared shape, then it keeps its contract (dates sent as JSON strings)', () => {
    const row = { ...transactionExample, created_at: new Date('2024-06-15T12:34:56.000Z') };
    expect(contractBreach(responses, 200, [row])).toBeNull();
    expect(contractBreach(responses, 204, undefined)).toBeNull();
  });

  it('When a field has another type, a member outside its enum, or is missing, then the breach names it', () => {
    expect(contractBreach(responses, 200, [{ ...transactionExample, amount: '500' }])).toMatch(/^0\.amount: /);
    expect(contractBreach(responses, 200, [{ ...transactionExample, status: 'reversed' }])).toMatch(/^0\.status: /);
    const withoutFee: Record<string, unknown> = { ...transactionExample };
    delete withoutFee.fee_charged;
    expect(contractBreach(responses, 200, [withoutFee])).toMatch(/^0\.fee_charged: /);
  });

  it('When an answer carries a field its schema does not declare, then the breach names the field', () => {
    expect(contractBreach(responses, 200, [{ ...transactionExample, secret: 'x' }])).toBe(
      '0.secret is not in the declared schema',
    );
  });

  it('When the status is not declared, then it is a breach; errors and bodies that are not JSON are not checked', () => {
    expect(contractBreach(responses, 201, [])).toBe('status 201 is not one the endpoint declares');
    expect(contractBreach(responses, 404, { error: 'x', code: 'not_found' })).toBeNull();
    expect(contractBreach(responses, 200, 'id,type\r\n')).toBeNull();
  });
});

describe('Response contract enforcement', () => {
  it('When a handler leaves an answer that breaks its schema, then it becomes a 500 response_contract_broken and the breach is logged', () => {
    const endpoint: DescribedEndpoint = {
      method: 'get',
      path: '/api/transactions',
      access: 'merchant',
      summary: 'x',
      tags: ['T'],
      responses: [{ status: 200, description: 'A page', schema: z.array(transactionSchema) }],
    };
    const headers = new Map<string, string>([['Content-Disposition', 'attachment']]);
    const ctx = {
      status: 200,
      body: [{ ...transactionExample, amount: 1.5 }],
      remove: (h: string) => headers.delete(h),
    };
    const logged: unknown[] = [];
    const logger = { error: (...args: unknown[]) => logged.push(args) };
    enforceResponseContract(endpoint, ctx as never, logger as never);
    expect(ctx.status).toBe(500);
    expect(ctx.body).toEqual({
      error: expect.stringMatching(/^The answer of GET \/api\/transactions broke its declared schema: 0\.amount: /),
      code: RESPONSE_CONTRACT_BROKEN,
    });
    expect(logged).toEqual([
      [
        { route: 'GET /api/transactions', status: 200, breach: expect.stringMatching(/^0\.amount: /) },
        'an answer broke its declared response schema',
      ],
    ]);
    expect(headers.has('Content-Disposition')).toBe(false);
  });
});
