import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../domain/errors';
import { feeFor, type FeeTier } from '../../domain/pricing';
import type { Channel, Environment } from '../../db/entities';
import { firstActiveChannel, merchantChannel } from '../../db/channels';
import { loadFeeTiers } from '../../db/pricing';
import type { ApiCaller } from '../auth';
import { assertVerified } from '../guards';

/**
 * The checks every payment start makes before anything is recorded (POST /api/stk-push,
 * POST /api/v1/payments, wallet top-ups), in this order: KYC verified, live payments enabled,
 * the channel (exists, is the caller's, is active), a fee tier covering the amount.
 */

export interface PaymentGuardDeps {
  em: EntityManager;
  /** Whether production Daraja credentials are configured. */
  liveEnabled: boolean;
}

/** Where the money goes, as the request named it. */
export interface ChannelChoice {
  /** The channel id the request sent; undefined picks the merchant's oldest active channel. */
  id: number | undefined;
  /** The request field that names the channel, for the error's `field` (`account_id`, `accountId`). */
  field: string;
}

export interface PaymentGuardInput<C extends ChannelChoice | null> {
  caller: ApiCaller;
  /** Whole KES. */
  amount: number;
  /**
   * What the caller is doing, for the KYC refusal ("send STK pushes"); null when no KYC is needed
   * (a top-up pays the merchant's own wallet).
   */
  kycAction: string | null;
  /** The merchant channel paid into; null for a payment to ImaraPay's own paybill (no channel, no fee). */
  channel: C;
}

/** What a guarded payment may go ahead with: the channel to push to (none for null) and the KES fee. */
export interface GuardedPayment<C extends ChannelChoice | null> {
  channel: C extends null ? null : Channel;
  fee: number;
}

/**
 * Runs the checks in order and answers the channel and fee. Throws AppError: `kyc_required`,
 * `forbidden` (live payments off), `not_found` (no such channel of the caller's), `validation_failed`
 * (channel deactivated, no active channel, no fee tier covers the amount).
 *
 * POST /api/stk-push calls it as
 * ```
 * guardPayment(deps, {
 *   caller, amount, kycAction: 'send STK pushes', channel: { id: account_id, field: 'account_id' },
 * })
 * ```
 */
export async function guardPayment<C extends ChannelChoice | null>(
  deps: PaymentGuardDeps,
  input: PaymentGuardInput<C>,
): Promise<GuardedPayment<C>> {
  const { caller } = input;
  if (input.kycAction !== null) assertVerified(caller.merchant, input.kycAction);
  assertLiveAllowed(caller.environment, deps.liveEnabled);
  if (input.channel === null) return { channel: null, fee: 0 } as GuardedPayment<C>;
  const channel = await payableChannel(deps.em, caller.merchant.id, input.channel);
  const fee = feeCovering(input.amount, await loadFeeTiers(deps.em));
  return { channel, fee } as GuardedPayment<C>;
}

/** Refuses a production payment when this deployment has no production Daraja credentials. */
export function assertLiveAllowed(environment: Environment, liveEnabled: boolean): void {
  if (environment === 'production' && !liveEnabled) {
    throw new AppError(
      'forbidden',
      'Live (production) payments are not enabled on this ImaraPay deployment; use a sandbox key',
    );
  }
}

/**
 * The channel the request named, if it exists, is the merchant's and is active; or, when none was
 * named, the merchant's oldest active channel. Another merchant's channel answers exactly like a
 * missing one: existence is not for others to learn.
 */
export async function payableChannel(em: EntityManager, merchantId: number, choice: ChannelChoice): Promise<Channel> {
  if (choice.id === undefined) {
    const first = await firstActiveChannel(em, merchantId);
    if (!first) {
      throw new AppError('validation_failed', 'Add a payment channel before taking payments', { field: choice.field });
    }
    return first;
  }
  return assertPayable(await merchantChannel(em, merchantId, choice.id), choice.id, choice.field);
}

/** The channel found for `id` (null when none of the caller's), refused unless it exists and is active. */
export function assertPayable(channel: Channel | null, id: number, field: string): Channel {
  if (!channel) throw new AppError('not_found', `Payment channel ${id} does not exist`, { field });
  if (!channel.isActive) throw new AppError('validation_failed', `Payment channel ${id} is deactivated`, { field });
  return channel;
}

/** The KES fee of the tier covering `amount`; throws `validation_failed` (field `amount`) when none does. */
export function feeCovering(amount: number, tiers: FeeTier[]): number {
  const fee = feeFor(amount, tiers);
  if (fee === undefined)
    throw new AppError('validation_failed', `No fee tier covers KES ${amount}`, { field: 'amount' });
  return fee;
}
