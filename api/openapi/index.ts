import type { Routers } from '../routes/module';
import { STANDALONE_ENDPOINTS } from './coreEndpoints';
import { buildOpenApiDocument, type OpenApiDocument } from './document';
import { resolveEndpoints, type ResolvedEndpoint } from './registry';

export { describeEndpoint, errorResponse, type EndpointDoc, type ResponseDoc } from './registry';
export { describeCoreEndpoints, STANDALONE_ENDPOINTS } from './coreEndpoints';
export { buildOpenApiDocument, type OpenApiDocument } from './document';
export { renderDocsPage } from './html';
export { routeCoverage } from './coverage';

/** Every described endpoint of the app: public, merchant and admin routers, then the standalone ones. */
export function describedEndpoints({ publicApi, merchantApi, adminApi }: Routers): ResolvedEndpoint[] {
  return [
    ...resolveEndpoints(publicApi, 'public'),
    ...resolveEndpoints(merchantApi, 'merchant'),
    ...resolveEndpoints(adminApi, 'admin'),
    ...STANDALONE_ENDPOINTS,
  ];
}

/** The OpenAPI 3.1 document of the app whose routers these are. */
export function openApiDocumentFor(routers: Routers): OpenApiDocument {
  return buildOpenApiDocument(describedEndpoints(routers));
}
