import { dashboardCallerOf } from '../guards';
import { describeEndpoint, errorResponse } from '../openapi/registry';
import { createApiKey, createApiKeyRequestSchema, listApiKeys, revokeApiKey } from '../useCases/apiKeys';
import type { RouteModule } from './module';

const keyExample = {
  id: 3,
  name: 'Shop backend',
  api_username: 'ak_test_4f9c2a7d1e0b3c58',
  account_id: 5,
  environment: 'sandbox',
  created_at: '2026-11-22T18:04:11.000Z',
  last_used_at: null,
  revoked_at: null,
};

/** POST/GET /api/api-keys and DELETE /api/api-keys/:id: a signed-in merchant manages its credentials. */
export const apiKeyRoutes: RouteModule = ({ merchantApi: router }, deps) => {
  // Keys manage keys nowhere, and KYC is a person's act: a leaked key must not reach these.

  describeEndpoint(router, {
    method: 'post',
    path: '/api-keys',
    summary: 'Create an API key',
    description: 'Needs a verified merchant (KYC). The password and the ready Authorization header are shown in this answer only: store them now.',
    tags: ['API keys'],
    auth: 'dashboard',
    body: createApiKeyRequestSchema,
    responses: [
      {
        status: 201,
        description: 'The new key, with its password (shown once)',
        example: {
          id: 3,
          name: 'Shop backend',
          api_username: 'ak_test_4f9c2a7d1e0b3c58',
          api_password: 'hR3v…Qk',
          authorization: 'Basic YWtfdGVzdF80ZjljMmE3ZDFlMGIzYzU4OmhSM3bigKZRaw==',
          environment: 'sandbox',
          account_id: 5,
          created_at: '2026-11-22T18:04:11.000Z',
        },
      },
      errorResponse(400, 'validation_failed', 'name cannot be empty', { field: 'name' }),
      errorResponse(403, 'kyc_required', 'Identity verification (KYC) is required before you can create API keys'),
    ],
  });
  router.post('/api-keys', async (ctx) => {
    const { merchant } = dashboardCallerOf(ctx.state);
    ctx.status = 201;
    ctx.body = await createApiKey({ em: deps.em(), pepper: deps.config.API_KEY_PEPPER }, merchant, ctx.request.body);
  });

  describeEndpoint(router, {
    method: 'get',
    path: '/api-keys',
    summary: 'List your API keys',
    description: 'Newest first, revoked keys included. Passwords are never shown again.',
    tags: ['API keys'],
    auth: 'dashboard',
    responses: [{ status: 200, description: 'Your keys', example: [keyExample] }],
  });
  router.get('/api-keys', async (ctx) => {
    ctx.body = await listApiKeys(deps.em(), dashboardCallerOf(ctx.state).merchant);
  });

  describeEndpoint(router, {
    method: 'delete',
    path: '/api-keys/:id',
    summary: 'Revoke an API key',
    description: 'The key stops working at once (401 from the next request on). Revoking a revoked key changes nothing.',
    tags: ['API keys'],
    auth: 'dashboard',
    params: { id: 'The key’s id' },
    responses: [
      { status: 200, description: 'The key, now revoked', example: { ...keyExample, revoked_at: '2026-11-22T19:00:00.000Z' } },
      errorResponse(404, 'not_found', 'API key 9 does not exist'),
    ],
  });
  router.delete('/api-keys/:id', async (ctx) => {
    ctx.body = await revokeApiKey(deps.em(), dashboardCallerOf(ctx.state).merchant, ctx.params.id!);
  });
};
