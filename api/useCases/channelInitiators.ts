import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import { merchantChannel } from '../../db/channels';
import { channelInitiator, upsertChannelInitiator } from '../../db/mpesaRecords';
import { AppError } from '../../domain/errors';
import { parseTransactionId as parseSerialId } from '../../domain/ids';
import { seal } from '../../domain/secretBox';
import type { ApiCaller } from '../auth';

/**
 * A channel's Daraja initiator: the API operator of its shortcode (made on the M-Pesa organisation
 * portal, with the roles the calls need: Transaction Status query, "Org Reversals Initiator" for
 * reversals) and its password. M-Pesa checks them on Transaction Status and Reversal requests.
 */
export const setInitiatorSchema = z.object({
  initiator_name: z
    .string({ error: 'initiator_name must be a string' })
    .trim()
    .min(1, 'initiator_name cannot be empty')
    .max(100, 'initiator_name must be at most 100 characters')
    .regex(/^[\x21-\x7e][\x20-\x7e]*$/, 'initiator_name must be printable ASCII'),
  initiator_password: z
    .string({ error: 'initiator_password must be a string' })
    .min(1, 'initiator_password cannot be empty')
    .max(200, 'initiator_password must be at most 200 characters'),
});

/** What the API says about a channel's initiator: never the password. */
export interface InitiatorView {
  channel_id: number;
  configured: boolean;
  initiator_name: string | null;
  updated_at: string | null;
}

async function ownChannel(em: EntityManager, caller: ApiCaller, rawId: string) {
  const id = parseSerialId(rawId);
  const channel = id === null ? null : await merchantChannel(em, caller.merchant.id, id);
  if (!channel) throw new AppError('not_found', `Payment channel ${rawId} does not exist`);
  return channel;
}

/** The channel's initiator as far as it may be shown; 404 for another merchant's channel. */
export async function showInitiator(
  em: EntityManager,
  caller: ApiCaller,
  rawChannelId: string,
): Promise<InitiatorView> {
  const channel = await ownChannel(em, caller, rawChannelId);
  const initiator = await channelInitiator(em, channel.id);
  return {
    channel_id: channel.id,
    configured: initiator !== null,
    initiator_name: initiator?.initiatorName ?? null,
    updated_at: initiator?.updatedAt.toISOString() ?? null,
  };
}

/**
 * Sets or replaces the channel's initiator. The password is sealed with `keyMaterial`
 * (WEBHOOK_SECRET_KEY, domain/secretBox.ts) and never shown or logged again; the change is appended to
 * the audit log (name and whether it replaced one, never the password) in the same transaction.
 */
export async function setInitiator(
  em: EntityManager,
  caller: ApiCaller,
  rawChannelId: string,
  input: z.infer<typeof setInitiatorSchema>,
  context: { keyMaterial: string; ip: string | null },
): Promise<InitiatorView> {
  const channel = await ownChannel(em, caller, rawChannelId);
  const saved = await withAudit(em, async (tx) => {
    const result = await upsertChannelInitiator(tx, {
      channelId: channel.id,
      initiatorName: input.initiator_name,
      passwordSealed: seal(input.initiator_password, context.keyMaterial),
    });
    await appendAuditEvent(tx, {
      actorType: caller.apiKey ? 'api_key' : 'merchant',
      actorId: caller.apiKey?.id ?? caller.user?.id ?? null,
      actorLabel: caller.apiKey?.username ?? caller.user?.email ?? null,
      merchantId: caller.merchant.id,
      action: 'channel.initiator_set',
      subjectType: 'channel',
      subjectId: String(channel.id),
      ip: context.ip,
      details: { initiator_name: input.initiator_name, replaced: result.replaced },
    });
    return result;
  });
  return {
    channel_id: channel.id,
    configured: true,
    initiator_name: input.initiator_name,
    updated_at: saved.updatedAt.toISOString(),
  };
}
