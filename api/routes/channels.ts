import { rateLimitKeys } from '../rateLimits';
import { errorResponse } from '../openapi/registry';
import { addChannel, addChannelSchema, deactivateChannel, listChannels } from '../useCases/channels';
import { setInitiator, setInitiatorSchema, showInitiator } from '../useCases/channelInitiators';
import type { RouteModule } from './module';
import { parseInput } from '../validate';
import { z } from 'zod';
import { channelType, id, timestamp } from '../openapi/responses';

/** A payment channel as every channel endpoint answers it. */
export const channelSchema = z.object({
  id,
  name: z.string(),
  account_type: channelType,
  account_number: z.string(),
  account_reference: z.string(),
  bank_name: z.string().nullable(),
  is_active: z.boolean(),
  created_at: timestamp,
});

/** A channel's M-Pesa initiator, never its password. */
export const initiatorSchema = z.object({
  channel_id: id,
  configured: z.boolean(),
  initiator_name: z.string().nullable(),
  updated_at: timestamp.nullable(),
});

const tillExample = {
  id: 1,
  name: 'Till 3118761',
  account_type: 'till',
  account_number: '3118761',
  account_reference: '3118761',
  bank_name: null,
  is_active: true,
  created_at: '2024-06-15T08:00:00.000Z',
};

/** GET/POST /api/accounts and POST /api/accounts/:id/deactivate: the merchant's payment channels. */
export const channelRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/accounts',
    summary: 'List your payment channels',
    description:
      "Every channel of your account, active and deactivated, oldest first. Pass a channel's `id` as `account_id` to POST /api/stk-push.",
    tags: ['Payment channels'],
    responses: [{ status: 200, description: 'Your channels', schema: z.array(channelSchema), example: [tillExample] }],
    handler: async (ctx, caller) => {
      ctx.body = await listChannels(deps.em(), caller);
    },
  });

  api.add({
    method: 'post',
    access: 'merchant',
    path: '/api/accounts',
    summary: 'Add a payment channel',
    description:
      "A till or paybill (5 to 7 digits), or a bank account (6 to 20 letters and digits) at one of the banks of GET /api/banks: a bank channel pushes to the bank's paybill with your account number as the account reference.\n\n" +
      '`account_reference` (at most 12 characters: letters, digits, spaces and . , _ # / -) defaults to the account number; a bank account number longer than 12 characters needs one. Requires identity verification (KYC).',
    tags: ['Payment channels'],
    body: addChannelSchema,
    responses: [
      {
        status: 201,
        description: 'The new channel',
        schema: channelSchema,
        example: {
          ...tillExample,
          id: 2,
          name: 'Equity Bank 0123456789',
          account_type: 'bank',
          account_number: '0123456789',
          account_reference: '0123456789',
          bank_name: 'Equity Bank',
        },
      },
      errorResponse(400, 'validation_failed', 'A till number is 5 to 7 digits', { field: 'account_number' }),
      errorResponse(403, 'kyc_required', 'Identity verification (KYC) is required before you can add payment channels'),
      errorResponse(409, 'conflict', 'This channel already exists as channel 1', { account_id: 1 }),
    ],
    handler: async (ctx, caller) => {
      ctx.status = 201;
      ctx.body = await addChannel(deps.em(), caller, parseInput(addChannelSchema, ctx.request.body));
    },
  });

  api.add({
    method: 'post',
    access: 'merchant',
    path: '/api/accounts/:id/deactivate',
    summary: 'Deactivate a payment channel',
    description:
      'STK pushes to a deactivated channel are refused with 400; its past payments stay listed. Deactivating twice is harmless.',
    tags: ['Payment channels'],
    params: { id: 'The channel id' },
    responses: [
      {
        status: 200,
        description: 'The channel, now inactive',
        schema: channelSchema,
        example: { ...tillExample, is_active: false },
      },
      errorResponse(404, 'not_found', 'Payment channel 9 does not exist'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await deactivateChannel(deps.em(), caller, ctx.params.id);
    },
  });

  const initiatorExample = {
    channel_id: 1,
    configured: true,
    initiator_name: 'imarapay_api',
    updated_at: '2026-12-07T18:00:00.000Z',
  };

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/accounts/:id/initiator',
    summary: 'Show whether a channel has its M-Pesa initiator',
    description:
      "The initiator (an API operator of the channel's shortcode) lets ImaraPay ask M-Pesa's own record of a payment (Transaction Status) and, later, reverse one. Its password is never shown.",
    tags: ['Payment channels'],
    params: { id: 'The channel id' },
    responses: [
      {
        status: 200,
        description: 'The initiator, without its password',
        schema: initiatorSchema,
        example: initiatorExample,
      },
      errorResponse(404, 'not_found', 'Payment channel 9 does not exist'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await showInitiator(deps.em(), caller, ctx.params.id);
    },
  });

  api.add({
    method: 'put',
    access: 'merchant',
    path: '/api/accounts/:id/initiator',
    rateLimits: [{ policy: 'initiatorChangesPerMerchant', key: rateLimitKeys.merchant }],
    summary: "Set a channel's M-Pesa initiator",
    description:
      'The initiator name and password of an API operator of this till or paybill, created on the M-Pesa organisation portal (business administrator → Operators → API user). ' +
      'Give it the Transaction Status query role (and "Org Reversals Initiator" for reversals). ImaraPay encrypts the password at rest, never shows or logs it, ' +
      "and builds the SecurityCredential from it with M-Pesa's certificate for each request. Replacing it is recorded in the audit log.",
    tags: ['Payment channels'],
    params: { id: 'The channel id' },
    body: setInitiatorSchema,
    responses: [
      {
        status: 200,
        description: 'Saved; the password is not echoed',
        schema: initiatorSchema,
        example: initiatorExample,
      },
      errorResponse(400, 'validation_failed', 'initiator_name cannot be empty', { field: 'initiator_name' }),
      errorResponse(404, 'not_found', 'Payment channel 9 does not exist'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await setInitiator(
        deps.em(),
        caller,
        ctx.params.id,
        parseInput(setInitiatorSchema, ctx.request.body),
        {
          keyMaterial: deps.config.WEBHOOK_SECRET_KEY,
          ip: ctx.ip || null,
        },
      );
    },
  });
};
