import { z } from 'zod';
import type { Access } from '../access';
import type { DescribedEndpoint, ResponseDoc } from './registry';

/** JSON Schema as zod 4 writes it (draft 2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, any>;

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security: Array<Record<string, string[]>>;
  'x-imarapay-auth': Access;
  parameters: Array<{
    name: string;
    in: 'path' | 'query' | 'header';
    required: boolean;
    description?: string;
    schema: JsonSchema;
  }>;
  requestBody?: {
    required: true;
    content: Partial<Record<'application/json' | 'multipart/form-data', { schema: JsonSchema }>>;
  };
  responses: Record<
    string,
    {
      description: string;
      /** Keyed by media type: application/json, or the mediaType of a body that is not JSON. */
      content?: Record<
        string,
        {
          schema?: JsonSchema;
          example?: unknown;
          examples?: Record<string, { summary: string; value: unknown }>;
        }
      >;
    }
  >;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Partial<Record<string, OpenApiOperation>>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, JsonSchema> };
}

const SECURITY: Record<Access, Array<Record<string, string[]>>> = {
  public: [],
  merchant: [{ apiKey: [] }, { dashboardSession: [] }],
  dashboard: [{ dashboardSession: [] }],
  signedIn: [{ dashboardSession: [] }, { adminSession: [] }],
  admin: [{ adminSession: [] }],
  // The secret token is part of the path itself.
  darajaCallback: [],
  darajaResult: [],
  darajaReversal: [],
};

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', description: 'What is wrong, for people' },
    code: { type: 'string', description: 'Stable code, for programs (validation_failed, unauthorized, not_found, …)' },
    field: { type: 'string', description: 'The request field at fault (validation_failed)' },
  },
};

/**
 * A zod schema as JSON Schema: for a request the input side (defaults optional), for a response
 * the output side (what the API sends); transforms shown as "any".
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  const jsonSchema = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete jsonSchema.$schema; // the document's dialect (OpenAPI 3.1 = draft 2020-12) applies
  return jsonSchema;
}

/** '/api/webhooks/deliveries/:id' → '/api/webhooks/deliveries/{id}' */
export const openApiPath = (koaPath: string) => koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const pathParams = (koaPath: string) => [...koaPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);

/** Responses every endpoint of an auth kind can give, added when the description leaves them out. */
function implicitResponses(auth: Access): ResponseDoc[] {
  const unauthorized = {
    status: 401,
    description: 'Missing, wrong or revoked credentials',
    example: { error: 'Invalid API credentials', code: 'unauthorized' },
  };
  if (auth === 'public') return [];
  if (auth === 'darajaCallback' || auth === 'darajaResult')
    return [
      { status: 404, description: 'Wrong token: not stored', example: { error: 'Not found', code: 'not_found' } },
    ];
  if (auth === 'merchant' || auth === 'signedIn') return [unauthorized];
  const who = auth === 'admin' ? 'ImaraPay admins' : 'people signed in to the dashboard (not API keys)';
  return [
    unauthorized,
    {
      status: 403,
      description: `Only for ${who}`,
      example: { error: `This endpoint is for ${who}`, code: 'forbidden' },
    },
  ];
}

const RATE_LIMITED: ResponseDoc = {
  status: 429,
  description: 'Too many requests: wait Retry-After seconds (RateLimit-* headers say where you stand)',
  example: {
    error: 'Too many requests: at most 60 every 10 s. Retry after 7 s.',
    code: 'rate_limited',
    retry_after: 7,
  },
};

function responsesOf(endpoint: DescribedEndpoint): OpenApiOperation['responses'] {
  const given = endpoint.responses;
  const implicit = [...implicitResponses(endpoint.access), ...(endpoint.rateLimits?.length ? [RATE_LIMITED] : [])];
  const all = [...given, ...implicit.filter((r) => !given.some((g) => g.status === r.status))];
  const out: OpenApiOperation['responses'] = {};
  for (const status of [...new Set(all.map((r) => r.status))].sort((a, b) => a - b)) {
    const group = all.filter((r) => r.status === status);
    const schema = group.find((r) => r.schema)?.schema;
    const withExamples = group.filter((r) => r.example !== undefined);
    const mediaType = group.find((r) => r.mediaType)?.mediaType;
    const jsonSchema = schema
      ? toJsonSchema(schema, 'output')
      : mediaType
        ? { type: 'string', ...(mediaType === 'application/octet-stream' ? { format: 'binary' } : {}) }
        : status >= 400
          ? { $ref: '#/components/schemas/Error' }
          : undefined;
    const content: NonNullable<OpenApiOperation['responses'][string]['content']>[string] = {};
    if (jsonSchema) content.schema = jsonSchema;
    if (withExamples.length === 1) content.example = withExamples[0]!.example;
    if (withExamples.length > 1)
      content.examples = Object.fromEntries(
        withExamples.map((r, i) => [`example${i + 1}`, { summary: r.description, value: r.example }]),
      );
    out[String(status)] = {
      description: group.map((r) => r.description).join('; '),
      ...(Object.keys(content).length > 0 ? { content: { [mediaType ?? 'application/json']: content } } : {}),
    };
  }
  return out;
}

function operationOf(endpoint: DescribedEndpoint): OpenApiOperation {
  const parameters: OpenApiOperation['parameters'] = pathParams(endpoint.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    ...(endpoint.params?.[name] ? { description: endpoint.params[name] } : {}),
    schema: { type: 'string' },
  }));
  if (endpoint.query) {
    const query = toJsonSchema(endpoint.query);
    for (const [name, schema] of Object.entries<JsonSchema>(query.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({
        name,
        in: 'query',
        required: (query.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  for (const header of endpoint.headers ?? []) {
    parameters.push({
      name: header.name,
      in: 'header',
      required: header.required ?? false,
      description: header.description,
      schema: { type: 'string' },
    });
  }
  return {
    operationId: `${endpoint.method}${endpoint.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: endpoint.summary,
    ...(endpoint.description ? { description: endpoint.description } : {}),
    tags: endpoint.tags,
    security: SECURITY[endpoint.access],
    'x-imarapay-auth': endpoint.access,
    parameters,
    ...(endpoint.body
      ? {
          requestBody: {
            required: true as const,
            content: { [endpoint.bodyMediaType ?? 'application/json']: { schema: toJsonSchema(endpoint.body) } },
          },
        }
      : {}),
    responses: responsesOf(endpoint),
  };
}

/** The OpenAPI 3.1 document of the given endpoints, in their order. */
export function buildOpenApiDocument(
  endpoints: DescribedEndpoint[],
  { version = '1.0.0' }: { version?: string } = {},
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const endpoint of endpoints) {
    const path = openApiPath(endpoint.path);
    (paths[path] ??= {})[endpoint.method] = operationOf(endpoint);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ImaraPay API',
      version,
      description:
        'M-Pesa STK Push payments for Kenyan merchants. Amounts are whole KES. Errors are `{ "error", "code", ... }` with the HTTP status of their code; a request that fails changes nothing.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(endpoints.flatMap((e) => e.tags))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'basic',
          description: 'Authorization: Basic base64(API_USERNAME:API_PASSWORD), from the API Keys page',
        },
        dashboardSession: {
          type: 'http',
          scheme: 'bearer',
          description: 'A merchant user signed in to the dashboard: Authorization: Bearer <session token>',
        },
        adminSession: {
          type: 'http',
          scheme: 'bearer',
          description: 'An ImaraPay admin signed in: Authorization: Bearer <session token>',
        },
      },
      schemas: { Error: errorSchema },
    },
  };
}
