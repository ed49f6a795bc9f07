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

interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * Unwraps an openapi-fetch answer: the body as `T` on success, an ApiError otherwise. Most
 * response bodies are documented by example only, so their shape is named by the caller (models.ts).
 */
export async function unwrap<T>(request: Promise<FetchResult>): Promise<T> {
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

/** Like unwrap, with the X-Next-Cursor header of list endpoints. */
export async function unwrapPage<T>(request: Promise<FetchResult>): Promise<{ rows: T[]; nextCursor: string | null }> {
  const result = await request;
  const rows = await unwrap<T[]>(Promise.resolve(result));
  return { rows, nextCursor: result.response.headers.get('X-Next-Cursor') };
}
