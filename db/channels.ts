import type { EntityManager } from '@mikro-orm/postgresql';
import { ChannelSchema, type Channel } from './entities';
import type { ChannelType } from '../domain/payment';

/** The merchant's channel with this id, or null when there is none (or it is another merchant's). */
export async function merchantChannel(
  em: EntityManager,
  merchantId: number,
  channelId: number,
): Promise<Channel | null> {
  return em.findOne(ChannelSchema, { id: channelId, merchant: merchantId });
}

/** The merchant's oldest active channel, or null when it has none. */
export async function firstActiveChannel(em: EntityManager, merchantId: number): Promise<Channel | null> {
  const [first] = await em.find(
    ChannelSchema,
    { merchant: merchantId, isActive: true },
    { orderBy: { id: 'asc' }, limit: 1 },
  );
  return first ?? null;
}

/** All the merchant's channels, active and deactivated, oldest first. */
export async function merchantChannels(em: EntityManager, merchantId: number): Promise<Channel[]> {
  return em.find(ChannelSchema, { merchant: merchantId }, { orderBy: { id: 'asc' } });
}

/** An active channel of the merchant's with exactly these details, or null. */
export async function activeChannelLike(
  em: EntityManager,
  merchantId: number,
  details: { accountType: ChannelType; accountNumber: string; accountReference: string; bankName: string | null },
): Promise<Channel | null> {
  return em.findOne(ChannelSchema, { merchant: merchantId, ...details, isActive: true });
}

/** The channel with this id; throws when it does not exist. */
export async function channelById(em: EntityManager, channelId: number): Promise<Channel> {
  return em.findOneOrFail(ChannelSchema, channelId);
}

/** Stops pushes to the channel; its payments stay listed. Deactivating twice changes nothing. */
export async function deactivate(em: EntityManager, channel: Channel): Promise<void> {
  if (!channel.isActive) return;
  channel.isActive = false;
  await em.flush();
}

/** Any merchant's channel with this id (for staff), or null. */
export async function findChannel(em: EntityManager, channelId: number): Promise<Channel | null> {
  return em.findOne(ChannelSchema, { id: channelId });
}
