import { auditActorOf } from '../auditActor';
import { errorResponse } from '../openapi/registry';
import {
  disableTwoFactor,
  disableTwoFactorRequestSchema,
  enableTwoFactor,
  enableTwoFactorRequestSchema,
  startTwoFactorSetup,
  twoFactorStatus,
} from '../useCases/twoFactor';
import type { RouteModule } from './module';
import { parseInput } from '../validate';
import { z } from 'zod';
import { count, timestamp } from '../openapi/responses';

/** Two-step sign-in (TOTP and recovery codes) of the signed-in person, merchant user or admin. */
export const twoFactorRoutes: RouteModule = (api, deps) => {
  const twoFactorDeps = () => ({ em: deps.em(), pepper: deps.config.API_KEY_PEPPER });

  api.add({
    method: 'get',
    path: '/api/me/two-factor',
    access: 'signedIn',
    summary: 'Your two-step sign-in',
    description:
      'Whether sign-in asks for an authenticator app’s code, since when, and how many recovery codes are unused.',
    tags: ['Accounts'],
    responses: [
      {
        status: 200,
        description: 'The state of two-step sign-in',
        schema: z.object({
          enabled: z.boolean(),
          enabled_at: timestamp.nullable(),
          recovery_codes_left: count.describe('Unused recovery codes; 0 when two-step sign-in is off'),
        }),
        example: { enabled: true, enabled_at: '2026-12-07T09:00:00.000Z', recovery_codes_left: 9 },
      },
    ],
    handler: async (ctx, { user }) => {
      ctx.body = await twoFactorStatus(deps.em(), user);
    },
  });

  api.add({
    method: 'post',
    path: '/api/me/two-factor/setup',
    access: 'signedIn',
    summary: 'Start setting up two-step sign-in',
    description:
      'Draws a new secret for an authenticator app (TOTP, RFC 6238: 6 digits every 30 s) and answers it typed, as an ' +
      '`otpauth://` URL and as a QR code to scan. Nothing changes at sign-in until POST /api/me/two-factor/enable confirms it.',
    tags: ['Accounts'],
    responses: [
      {
        status: 200,
        description: 'The secret to add to the app',
        schema: z.object({
          secret: z.string().describe('Base32, for typing into the app by hand'),
          otpauth_url: z.string().describe('The otpauth:// URL (Key Uri Format)'),
          qr_code: z.string().describe('A PNG data: URL of a QR code of otpauth_url'),
        }),
        example: {
          secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
          otpauth_url:
            'otpauth://totp/ImaraPay:owner%40mamamboga.co.ke?issuer=ImaraPay&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
          qr_code: 'data:image/png;base64,iVBORw0KGgo…',
        },
      },
      errorResponse(409, 'conflict', 'Two-step sign-in is already on: turn it off first to set up another app'),
    ],
    handler: async (ctx, { user }) => {
      ctx.body = await startTwoFactorSetup(twoFactorDeps(), user);
    },
  });

  api.add({
    method: 'post',
    path: '/api/me/two-factor/enable',
    access: 'signedIn',
    summary: 'Turn on two-step sign-in',
    description:
      'With the first code the app shows. Answers ten recovery codes, shown this once: each signs in once in place of a ' +
      'code when the phone is lost. From now on sign-in asks for a code, and a code with the password signs in even when ' +
      'the account’s limit of failed sign-ins was reached by someone else.',
    tags: ['Accounts'],
    body: enableTwoFactorRequestSchema,
    responses: [
      {
        status: 200,
        description: 'On; the recovery codes',
        schema: z.object({ recovery_codes: z.array(z.string()) }),
        example: { recovery_codes: ['k7m2p-x9q4r', 'a3b8c-d2e6f'] },
      },
      errorResponse(400, 'validation_failed', 'code is not the current code of the authenticator app', {
        field: 'code',
      }),
      errorResponse(409, 'conflict', 'Start with POST /api/me/two-factor/setup: no authenticator app is being set up'),
    ],
    handler: async (ctx, who) => {
      const request = parseInput(enableTwoFactorRequestSchema, ctx.request.body);
      ctx.body = await enableTwoFactor(twoFactorDeps(), who.user, request, auditActorOf(ctx, who));
    },
  });

  api.add({
    method: 'post',
    path: '/api/me/two-factor/disable',
    access: 'signedIn',
    summary: 'Turn off two-step sign-in',
    description:
      'With your password and a current code (or an unused recovery code). Every recovery code stops working.',
    tags: ['Accounts'],
    body: disableTwoFactorRequestSchema,
    responses: [
      { status: 204, description: 'Off' },
      errorResponse(400, 'validation_failed', 'code is not a current code or an unused recovery code', {
        field: 'code',
      }),
      errorResponse(409, 'conflict', 'Two-step sign-in is not on'),
    ],
    handler: async (ctx, who) => {
      const request = parseInput(disableTwoFactorRequestSchema, ctx.request.body);
      await disableTwoFactor(twoFactorDeps(), who.user, request, auditActorOf(ctx, who));
      ctx.status = 204;
    },
  });
};
