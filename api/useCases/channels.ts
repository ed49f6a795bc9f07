import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, validationError } from '../../domain/errors';
import { findBank } from '../../domain/banks';
import { ACCOUNT_REFERENCE } from '../../domain/mpesaText';
// Channel ids are serial ids like transaction ids: the same parsing applies.
import { parseTransactionId as parseSerialId } from '../../domain/ids';
import type { Channel } from '../../db/entities';
import { activeChannelLike, channelById, deactivate, merchantChannel, merchantChannels } from '../../db/channels';
import { createChannel } from '../../db/merchants';
import { mpesaTextField } from '../validate';
import type { ApiCaller } from '../auth';
import { assertVerified } from '../guards';

/** The documented channel object. */
export interface ChannelView {
  id: number;
  name: string;
  account_type: Channel['accountType'];
  account_number: string;
  account_reference: string;
  bank_name: string | null;
  is_active: boolean;
  created_at: string;
}

export const channelView = (c: Channel): ChannelView => ({
  id: c.id,
  name: c.name,
  account_type: c.accountType,
  account_number: c.accountNumber,
  account_reference: c.accountReference,
  bank_name: c.bankName,
  is_active: c.isActive,
  created_at: c.createdAt.toISOString(),
});

/** M-Pesa's AccountReference: at most 12 characters (domain/mpesaText.ts holds the whole rule). */
const MAX_ACCOUNT_REFERENCE = ACCOUNT_REFERENCE.max;
/** Tills and paybills are M-Pesa shortcodes. */
const SHORTCODE = /^\d{5,7}$/;
const BANK_ACCOUNT = /^[A-Za-z0-9]{6,20}$/;

const text = (field: string) => z.string({ error: `${field} must be a string` }).trim();

export const addChannelSchema = z.object({
  account_type: z.enum(['till', 'paybill', 'bank'], { error: 'account_type must be till, paybill or bank' }),
  account_number: text('account_number')
    .min(1, 'account_number cannot be empty')
    .max(30, 'account_number must be at most 30 characters'),
  bank_name: text('bank_name').max(100, 'bank_name must be at most 100 characters').nullish(),
  account_reference: mpesaTextField('account_reference', ACCOUNT_REFERENCE).nullish(),
});

/** What a new channel pushes to, once its request is known to be valid. */
interface ChannelPlan {
  bankName: string | null;
  /** PartyB: the till or paybill itself, or the bank's paybill. */
  partyB: string;
  accountReference: string;
}

function planChannel(request: z.infer<typeof addChannelSchema>): ChannelPlan {
  const { account_type: type, account_number: number } = request;
  if (type !== 'bank') {
    if (!SHORTCODE.test(number)) throw validationError(`A ${type} number is 5 to 7 digits`, 'account_number');
    if (request.bank_name) throw validationError('bank_name is only for bank channels', 'bank_name');
    return { bankName: null, partyB: number, accountReference: request.account_reference ?? number };
  }
  if (!request.bank_name)
    throw validationError('bank_name is required for a bank channel; GET /api/banks lists the banks', 'bank_name');
  const bank = findBank(request.bank_name);
  if (!bank)
    throw validationError(
      `${request.bank_name} is not a bank ImaraPay can deposit to; GET /api/banks lists the banks`,
      'bank_name',
    );
  if (!BANK_ACCOUNT.test(number))
    throw validationError('A bank account number is 6 to 20 letters and digits, without spaces', 'account_number');
  // The account number is the reference the bank credits. Cutting a long one short would credit another
  // account (or none), so a longer number needs the 12-character reference the bank gives for M-Pesa.
  if (!request.account_reference && number.length > MAX_ACCOUNT_REFERENCE) {
    throw validationError(
      `This account number is longer than M-Pesa's ${MAX_ACCOUNT_REFERENCE}-character AccountReference: send the account_reference your bank uses for M-Pesa deposits`,
      'account_reference',
    );
  }
  return { bankName: bank.name, partyB: bank.paybill, accountReference: request.account_reference ?? number };
}

/** A parsed POST /api/accounts body. */
export type AddChannelRequest = z.infer<typeof addChannelSchema>;

/**
 * POST /api/accounts: adds a till, paybill or bank channel to the caller's merchant. Throws
 * `validation_failed` for numbers or banks M-Pesa cannot push to, `kyc_required`, and `conflict`
 * when an active channel with the same details exists.
 */
export async function addChannel(
  em: EntityManager,
  caller: ApiCaller,
  request: AddChannelRequest,
): Promise<ChannelView> {
  const plan = planChannel(request);
  assertVerified(caller.merchant, 'add payment channels');

  const duplicate = await activeChannelLike(em, caller.merchant.id, {
    accountType: request.account_type,
    accountNumber: request.account_number,
    accountReference: plan.accountReference,
    bankName: plan.bankName,
  });
  if (duplicate)
    throw new AppError('conflict', `This channel already exists as channel ${duplicate.id}`, {
      account_id: duplicate.id,
    });

  const id = await createChannel(em, {
    merchantId: caller.merchant.id,
    accountType: request.account_type,
    accountNumber: request.account_number,
    accountReference: plan.accountReference,
    bankName: plan.bankName,
    partyB: plan.partyB,
  });
  return channelView(await channelById(em, id));
}

/** GET /api/accounts: the caller's channels, active and deactivated, oldest first. */
export async function listChannels(em: EntityManager, caller: ApiCaller): Promise<ChannelView[]> {
  return (await merchantChannels(em, caller.merchant.id)).map(channelView);
}

/** One of the caller's channels; another merchant's answers exactly like a missing one (`not_found`). */
export async function ownChannel(em: EntityManager, caller: ApiCaller, idText: string | undefined): Promise<Channel> {
  const id = parseSerialId(idText);
  const channel = id === null ? null : await merchantChannel(em, caller.merchant.id, id);
  if (!channel) throw new AppError('not_found', `Payment channel ${idText} does not exist`);
  return channel;
}

/** POST /api/accounts/:id/deactivate: STK pushes to it are refused from now on; its payments stay listed. */
export async function deactivateChannel(
  em: EntityManager,
  caller: ApiCaller,
  idText: string | undefined,
): Promise<ChannelView> {
  const channel = await ownChannel(em, caller, idText);
  await deactivate(em, channel);
  return channelView(channel);
}
