import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** An API answer that was not 2xx: the API's `{ error, code, field? }` body, kept whole. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The CSRF cookie the API sets beside the HttpOnly session cookie (an HMAC of the session). */
export function csrfToken(): string {
  return (
    document.cookie
      .split('; ')
      .find((c) => c.startsWith('imarapay_csrf='))
      ?.slice('imarapay_csrf='.length) ?? ''
  );
}

// The session travels in the HttpOnly cookie; writes prove they come from this page with the CSRF token.
const csrf: Middleware = {
  onRequest({ request }) {
    if (UNSAFE.has(request.method)) request.headers.set('X-CSRF-Token', csrfToken());
    return request;
  },
};

/** The typed client: paths, parameters and bodies come from the API's own OpenAPI document. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf);

/** What openapi-fetch resolves to: `data` typed from the answer's declared schema (schema.d.ts). */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Unwraps an openapi-fetch answer: the body on success, typed by the endpoint's declared response
 * schema (generated into schema.d.ts), or an ApiError otherwise.
 */
export async function unwrap<T>(request: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await request;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: string; code?: string; field?: string };
  throw new ApiError(
    response.status,
    body.code ?? 'internal',
    body.error ?? `The server answered ${response.status}`,
    body.field,
  );
}

/** Like unwrap, for list endpoints: the rows, and the X-Next-Cursor header. */
export async function unwrapPage<T>(
  request: Promise<FetchResult<T[]>>,
): Promise<{ rows: T[]; nextCursor: string | null }> {
  const result = await request;
  const rows = await unwrap(Promise.resolve(result));
  return { rows, nextCursor: result.response.headers.get('X-Next-Cursor') };
}
