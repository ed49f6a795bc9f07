import type { EndpointRegistry } from '../endpoints';
import { buildOpenApiDocument, type OpenApiDocument } from './document';

export { errorResponse, type DescribedEndpoint, type EndpointDoc, type ResponseDoc } from './registry';
export { buildOpenApiDocument, type OpenApiDocument } from './document';
export { renderDocsPage } from './html';

/** The OpenAPI 3.1 document of every endpoint registered on the app. */
export function openApiDocumentFor(registry: EndpointRegistry): OpenApiDocument {
  return buildOpenApiDocument([...registry.endpoints]);
}
