import { auditActorOf } from '../auditActor';
import { lookup as dnsLookup } from 'node:dns/promises';
import { z } from 'zod';
import type { RouteModule } from './module';
import { parseInput } from '../validate';
import { errorResponse } from '../openapi';
import type { LookupAll } from '../../domain/urlSafety';
import { acceptableCallbackUrl, callbackUrlRulesOf } from '../callbackUrls';
import { SIGNATURE_ALGORITHM, SIGNATURE_HEADER } from '../../domain/webhookSignature';
import { newWebhookSecret, saveCallbackUrl, webhookSecret } from '../useCases/settings';

/** The body of PUT /api/settings. */
export const settingsRequestSchema = z.object({
  callback_url: z
    .string({ error: 'callback_url must be an https URL, or null to stop webhooks' })
    .trim()
    .nullable()
    .describe('Where ImaraPay POSTs payment results; null stops webhooks. HTTPS and a public address in production.'),
});

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The merchant's webhook settings. */
export const settingsSchema = z.object({
  callback_url: z.string().nullable(),
  webhook_signing: z.object({
    header: z.string().describe('The header that carries the signature'),
    algorithm: z.string(),
  }),
});

/** The webhook signing secret. */
export const webhookSecretSchema = z.object({ secret: z.string() });

const settingsBody = (callbackUrl: string | null) => ({
  callback_url: callbackUrl,
  webhook_signing: { header: SIGNATURE_HEADER, algorithm: SIGNATURE_ALGORITHM },
});

const SETTINGS_EXAMPLE = settingsBody('https://shop.example.com/payment/callback');
const SECRET_EXAMPLE = { secret: 'whsec_q1Jr0Cq9mJ9r3r2YbKQ5dVtq3Yt0bZy3Qq8b6Xo3o8E' };

/** The merchant's account settings: callback URL and webhook signing secret. */
export const settingsRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/settings',
    summary: 'Your webhook settings',
    description: 'The callback URL payment results are POSTed to, and how those deliveries are signed.',
    tags: ['Settings'],
    responses: [{ status: 200, description: 'Your settings', schema: settingsSchema, example: SETTINGS_EXAMPLE }],
    handler: async (ctx, caller) => {
      const { merchant } = caller;
      ctx.body = settingsBody(merchant.callbackUrl);
    },
  });

  api.add({
    method: 'put',
    access: 'merchant',
    path: '/api/settings',
    summary: 'Set or clear your callback URL',
    description:
      'In production the URL must be HTTPS and must not point at a private, loopback, link-local or otherwise non-public address, ' +
      'whether written as an IP or reached through a hostname. Outside production http is allowed; private and loopback addresses only when the deployment sets WEBHOOK_ALLOW_PRIVATE_TARGETS.',
    tags: ['Settings'],
    body: settingsRequestSchema,
    responses: [
      { status: 200, description: 'The saved settings', schema: settingsSchema, example: SETTINGS_EXAMPLE },
      errorResponse(400, 'validation_failed', 'callback_url points at a non-public address (10.0.0.5)', {
        field: 'callback_url',
      }),
    ],
    handler: async (ctx, caller) => {
      const { merchant } = caller;
      const { callback_url: raw } = parseInput(settingsRequestSchema, ctx.request.body);
      const callbackUrl =
        raw === null ? null : await acceptableCallbackUrl(raw, callbackUrlRulesOf(deps.config), systemLookup);
      await saveCallbackUrl(deps.em(), merchant.id, callbackUrl, auditActorOf(ctx, caller));
      ctx.body = settingsBody(callbackUrl);
    },
  });

  api.add({
    method: 'get',
    access: 'dashboard',
    path: '/api/settings/webhook-secret',
    summary: 'Reveal your webhook signing secret',
    description:
      'Creates the secret if you have none yet. Keep it on your server only: it proves that a webhook comes from ImaraPay.',
    tags: ['Settings'],
    responses: [
      { status: 200, description: 'The current secret', schema: webhookSecretSchema, example: SECRET_EXAMPLE },
    ],
    handler: async (ctx, caller) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { secret: await webhookSecret(deps.em(), caller.merchant.id, deps.config.WEBHOOK_SECRET_KEY) };
    },
  });

  api.add({
    method: 'post',
    access: 'dashboard',
    path: '/api/settings/webhook-secret/rotate',
    summary: 'Rotate your webhook signing secret',
    description:
      'Replaces the secret at once: every delivery from now on (retries of older ones too) is signed with the new one. The old one stops being used immediately.',
    tags: ['Settings'],
    responses: [{ status: 200, description: 'The new secret', schema: webhookSecretSchema, example: SECRET_EXAMPLE }],
    handler: async (ctx, caller) => {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        secret: await newWebhookSecret(
          deps.em(),
          caller.merchant.id,
          deps.config.WEBHOOK_SECRET_KEY,
          auditActorOf(ctx, caller),
        ),
      };
    },
  });
};
