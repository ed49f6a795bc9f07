import fs from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { registeredEndpoints } from '../../api/registeredEndpoints';
import { openApiDocumentFor, type OpenApiDocument } from '../../api/openapi';
import { REPO_ROOT } from '../paths';

/** Where the dashboard's typed API client reads the API's paths, parameters and bodies from. */
export const API_TYPES_FILE = path.join(REPO_ROOT, 'web', 'src', 'api', 'schema.d.ts');

/** The app's own OpenAPI document, without a database, Temporal or a server. */
export function appOpenApiDocument(): OpenApiDocument {
  return openApiDocumentFor(registeredEndpoints());
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
