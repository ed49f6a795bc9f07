import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import pino from 'pino';
import openapiTS, { astToString } from 'openapi-typescript';
import { ROUTE_MODULES } from '../../api/routes';
import type { RouteDeps, Routers } from '../../api/routes/module';
import { openApiDocumentFor, type OpenApiDocument } from '../../api/openapi';
import { loadConfig } from '../../config/config';
import { REPO_ROOT } from '../paths';

/** Where the dashboard's typed API client reads the API's paths, parameters and bodies from. */
export const API_TYPES_FILE = path.join(REPO_ROOT, 'web', 'src', 'api', 'schema.d.ts');

/**
 * The app's own OpenAPI document, without a database, Temporal or a server: route modules only
 * register handlers and descriptions, so they are mounted on fresh routers with empty clients.
 */
export function appOpenApiDocument(): OpenApiDocument {
  const routers: Routers = { publicApi: new Router({ prefix: '/api' }), merchantApi: new Router({ prefix: '/api' }), adminApi: new Router({ prefix: '/api/admin' }) };
  const deps = { config: loadConfig({}), logger: pino({ level: 'silent' }) } as RouteDeps;
  for (const mount of ROUTE_MODULES) mount(routers, deps);
  return openApiDocumentFor(routers);
}

/** The TypeScript of the document, as openapi-typescript writes it. */
export async function apiTypesSource(): Promise<string> {
  const ast = await openapiTS(appOpenApiDocument() as never);
  return `// Generated from the API's OpenAPI document by \`npm run web:api-types\`. Do not edit.\n${astToString(ast)}`;
}

/** Writes the types; with --check, only says whether the committed file is current (exit code 1 when not). */
async function main() {
  const source = await apiTypesSource();
  const file = path.relative(REPO_ROOT, API_TYPES_FILE);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(API_TYPES_FILE) && fs.readFileSync(API_TYPES_FILE, 'utf8') === source;
    console.log(current ? `${file} is up to date` : `${file} is stale: run npm run web:api-types`);
    process.exitCode = current ? 0 : 1;
    return;
  }
  fs.writeFileSync(API_TYPES_FILE, source);
  console.log(`wrote ${file}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
