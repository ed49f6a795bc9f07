import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import type { ChannelType } from '../../domain/payment';

/** A till, paybill or bank account that a merchant's payments are deposited into. */
export interface Channel {
  /** Filled in on insert (`onCreate`), so `em.create` does not ask for it. */
  [OptionalProps]?: 'createdAt';
  id: number;
  merchant: number;
  name: string;
  accountType: ChannelType;
  /** Till number, paybill number, or bank account number. */
  accountNumber: string;
  /** Sent to M-Pesa as AccountReference (at most 12 characters). */
  accountReference: string;
  bankName: string | null;
  /** The number pushed to as PartyB: the till, the paybill, or the bank's paybill. */
  partyB: string;
  isActive: boolean;
  createdAt: Date;
}

export const ChannelSchema = new EntitySchema<Channel>({
  name: 'Channel',
  tableName: 'channels',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true, index: true },
    name: { type: 'string', length: 100 },
    accountType: { type: 'string', length: 10 },
    accountNumber: { type: 'string', length: 30 },
    accountReference: { type: 'string', length: 12 },
    bankName: { type: 'string', length: 100, nullable: true },
    partyB: { type: 'string', length: 20 },
    isActive: { type: 'boolean', default: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});
