import { auditActorOf } from '../auditActor';
import { errorResponse } from '../openapi/registry';
import { createApiKey, createApiKeyRequestSchema, listApiKeys, revokeApiKey } from '../useCases/apiKeys';
import type { RouteModule } from './module';
import { parseInput } from '../validate';
import { z } from 'zod';
import { environment, id, timestamp } from '../openapi/responses';

/** An API key as listed: never its password. */
export const apiKeySchema = z.object({
  id,
  name: z.string(),
  api_username: z.string(),
  account_id: id.describe('The merchant account the key acts for'),
  environment,
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
  revoked_at: timestamp.nullable(),
});

/** A new key, with its password and ready Authorization header (shown in this answer only). */
export const createdApiKeySchema = z.object({
  id,
  name: z.string(),
  api_username: z.string(),
  api_password: z.string(),
  authorization: z.string().describe('A ready `Authorization` header value'),
  environment,
  account_id: id,
  created_at: timestamp,
});

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
export const apiKeyRoutes: RouteModule = (api, deps) => {
  // Keys manage keys nowhere, and KYC is a person's act: a leaked key must not reach these.

  api.add({
    method: 'post',
    access: 'dashboard',
    path: '/api/api-keys',
    summary: 'Create an API key',
    description:
      'Needs a verified merchant (KYC). The password and the ready Authorization header are shown in this answer only: store them now.',
    tags: ['API keys'],
    body: createApiKeyRequestSchema,
    responses: [
      {
        status: 201,
        description: 'The new key, with its password (shown once)',
        schema: createdApiKeySchema,
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
    handler: async (ctx, caller) => {
      const { merchant } = caller;
      ctx.status = 201;
      const request = parseInput(createApiKeyRequestSchema, ctx.request.body);
      ctx.body = await createApiKey(
        { em: deps.em(), pepper: deps.config.API_KEY_PEPPER },
        merchant,
        request,
        auditActorOf(ctx, caller),
      );
    },
  });

  api.add({
    method: 'get',
    access: 'dashboard',
    path: '/api/api-keys',
    summary: 'List your API keys',
    description: 'Newest first, revoked keys included. Passwords are never shown again.',
    tags: ['API keys'],
    responses: [{ status: 200, description: 'Your keys', schema: z.array(apiKeySchema), example: [keyExample] }],
    handler: async (ctx, caller) => {
      ctx.body = await listApiKeys(deps.em(), caller.merchant);
    },
  });

  api.add({
    method: 'delete',
    access: 'dashboard',
    path: '/api/api-keys/:id',
    summary: 'Revoke an API key',
    description:
      'The key stops working at once (401 from the next request on). Revoking a revoked key changes nothing.',
    tags: ['API keys'],
    params: { id: 'The key’s id' },
    responses: [
      {
        status: 200,
        description: 'The key, now revoked',
        schema: apiKeySchema,
        example: { ...keyExample, revoked_at: '2026-11-22T19:00:00.000Z' },
      },
      errorResponse(404, 'not_found', 'API key 9 does not exist'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await revokeApiKey(deps.em(), caller.merchant, ctx.params.id!, auditActorOf(ctx, caller));
    },
  });
};
