import type { z } from 'zod';
import type { Context } from 'koa';
import type { Access } from '../access';
import type { RateLimitPolicyName } from '../rateLimits';

/**
 * The documentation half of an endpoint: what api/endpoints.ts's `add()` takes besides the access
 * rule and the handler. The OpenAPI document and the /docs page are built from these, so an
 * endpoint cannot exist without its description.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseDoc {
  status: number;
  description: string;
  /** A realistic body, shown on the docs page (checked against `schema` by the OpenAPI tests). */
  example?: unknown;
  /**
   * The body's shape. Required for every 2xx JSON answer (`EndpointRegistry.add` refuses an
   * endpoint without it); errors share the `{ error, code }` schema and leave it unset. Outside
   * production the API checks every answer against it (api/responseCheck.ts).
   */
  schema?: z.ZodType;
  /**
   * The body is not JSON: its media type (`text/csv`, `text/html`, or `application/octet-stream`
   * for a stored file of its own type). No schema then.
   */
  mediaType?: string;
}

/** Whether a response must declare its body's schema: a success with a JSON body (not 204, not a file). */
export function needsSchema(response: ResponseDoc): boolean {
  return response.status >= 200 && response.status < 300 && response.status !== 204 && !response.mediaType;
}

export interface EndpointDoc {
  method: HttpMethod;
  /** The full path in Koa syntax, matched case-sensitively and strictly: '/api/webhooks/deliveries/:id'. */
  path: string;
  summary: string;
  /** Longer explanation (plain text; blank lines separate paragraphs). */
  description?: string;
  tags: string[];
  /** The zod schema the handler validates the body with: the very same object (for a form, its fields). */
  body?: z.ZodType;
  /** How the body is sent: JSON unless set (the KYC form is multipart). */
  bodyMediaType?: 'application/json' | 'multipart/form-data';
  /** The zod object the handler validates the query string with. */
  query?: z.ZodObject;
  /** What each `:param` of the path is. */
  params?: Record<string, string>;
  /** Request headers other than Authorization and Content-Type. */
  headers?: Array<{ name: string; description: string; required?: boolean }>;
  responses: ResponseDoc[];
}

/**
 * A rate limit on an endpoint: a policy of api/rateLimits.ts and what requests are counted by (the
 * client address, the API key, the account named in the body); `key` null means "not counted".
 */
export interface RateLimitUse {
  policy: RateLimitPolicyName;
  key: (ctx: Context) => string | null;
  /**
   * The key is a field of the JSON body (the login's email): counted once the body is read. Every
   * other limit is counted before the body is read, so a flood is refused without reading it.
   */
  keyFromBody?: boolean;
}

/** An endpoint's documentation with its access rule and limits: what the OpenAPI document is built from. */
export interface DescribedEndpoint extends EndpointDoc {
  access: Access;
  rateLimits?: RateLimitUse[];
}

/** The documented error body, as a response entry: `errorResponse(404, 'not_found', 'Delivery 9 does not exist')`. */
export function errorResponse(
  status: number,
  code: string,
  error: string,
  details: Record<string, unknown> = {},
  description?: string,
): ResponseDoc {
  return { status, description: description ?? error, example: { error, code, ...details } };
}
