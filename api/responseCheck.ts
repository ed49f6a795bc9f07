import { isDeepStrictEqual } from 'node:util';
import type { Context } from 'koa';
import type { Logger } from '../config/logger';
import type { DescribedEndpoint, ResponseDoc } from './openapi/registry';

/** The code of the 500 an answer that breaks its endpoint's declared schema is replaced by. */
export const RESPONSE_CONTRACT_BROKEN = 'response_contract_broken';

/**
 * Whether an answer keeps its endpoint's contract: null when it does, else what is wrong, for
 * people (`transactions[0].status: Invalid option…`). Checked: a 2xx status is one the endpoint
 * declares; a JSON body (an object or array, as JSON.stringify sends it) parses with the declared
 * schema of that status and carries no field the schema leaves out. Errors (4xx, 5xx) have the
 * error handler's one shape and are not checked; bodies that are not JSON (a CSV stream, a file,
 * HTML) neither.
 */
export function contractBreach(responses: readonly ResponseDoc[], status: number, body: unknown): string | null {
  if (status < 200 || status >= 300) return null;
  const declared = responses.filter((r) => r.status === status);
  if (declared.length === 0) return `status ${status} is not one the endpoint declares`;
  if (!isJsonBody(body)) return null;
  const schema = declared.find((r) => r.schema)?.schema;
  if (!schema) return `a JSON body was answered where ${status} declares none`;
  const sent: unknown = JSON.parse(JSON.stringify(body));
  const parsed = schema.safeParse(sent);
  if (!parsed.success) {
    return parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
      .join('; ');
  }
  const extra = undeclaredField(sent, parsed.data, []);
  return extra ? `${extra} is not in the declared schema` : null;
}

/**
 * Checks the answer the handler left on `ctx` (see contractBreach) and, when it breaks the
 * contract, logs the breach and replaces the answer with a 500 `response_contract_broken`: a
 * loud failure in any test that reaches it, never a silently drifting client.
 */
export function enforceResponseContract(endpoint: DescribedEndpoint, ctx: Context, logger: Logger): void {
  const breach = contractBreach(endpoint.responses, ctx.status, ctx.body);
  if (!breach) return;
  const route = `${endpoint.method.toUpperCase()} ${endpoint.path}`;
  logger.error({ route, status: ctx.status, breach }, 'an answer broke its declared response schema');
  ctx.remove('Content-Disposition');
  ctx.status = 500;
  ctx.body = { error: `The answer of ${route} broke its declared schema: ${breach}`, code: RESPONSE_CONTRACT_BROKEN };
}

function isJsonBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  if (Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function') return false;
  return true;
}

/** The path of the first field of `sent` that parsing dropped (zod objects strip unknown keys), or null. */
function undeclaredField(sent: unknown, parsed: unknown, path: (string | number)[]): string | null {
  if (isDeepStrictEqual(sent, parsed)) return null;
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    for (let i = 0; i < sent.length; i++) {
      const found = undeclaredField(sent[i], parsed[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (sent && parsed && typeof sent === 'object' && typeof parsed === 'object') {
    for (const [key, value] of Object.entries(sent)) {
      if (!(key in parsed)) return [...path, key].join('.');
      const found = undeclaredField(value, (parsed as Record<string, unknown>)[key], [...path, key]);
      if (found) return found;
    }
  }
  return null;
}
