import { EntitySchema } from '@mikro-orm/core';
import type { Environment } from './merchant';
import type { LinkAmountKind, LinkState } from '../../domain/paymentLinks';

/**
 * A payment link: a shareable, unguessable URL (`/pay/<token>`) whose hosted checkout page starts
 * ordinary payments into one of the merchant's channels.
 */
export interface PaymentLink {
  id: number;
  /** Public id, `plink_…` (what the API answers and takes). */
  publicId: string;
  /** The secret part of the checkout URL; whoever holds it can pay (never a merchant's credential). */
  token: string;
  merchant: number;
  channel: number;
  /** The environment of the credential that created it: its payments run there. */
  environment: Environment;
  amountKind: LinkAmountKind;
  /** The fixed amount in whole KES; null for a link whose customer enters the amount. */
  amount: number | null;
  /** Bounds in whole KES of an amount the customer enters; null for a fixed-amount link. */
  minAmount: number | null;
  maxAmount: number | null;
  /** M-Pesa's TransactionDesc (at most 13 characters), also the page's "what you pay for". */
  description: string;
  /** M-Pesa's AccountReference (at most 12 characters) of each payment. */
  accountReference: string;
  singleUse: boolean;
  expiresAt: Date | null;
  state: LinkState;
  metadata: Record<string, string | number | boolean>;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const PaymentLinkSchema = new EntitySchema<PaymentLink>({
  name: 'PaymentLink',
  tableName: 'payment_links',
  indexes: [{ properties: ['merchant', 'environment', 'id'] }],
  uniques: [
    {
      name: 'payment_links_merchant_environment_idempotency_key_unique',
      properties: ['merchant', 'environment', 'idempotencyKey'],
    },
  ],
  checks: [
    {
      name: 'payment_links_amount_shape',
      expression:
        "(amount_kind = 'fixed' and amount > 0 and min_amount is null and max_amount is null) or (amount_kind = 'open' and amount is null and min_amount > 0 and max_amount >= min_amount)",
    },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    publicId: { type: 'string', length: 40, unique: true },
    token: { type: 'string', length: 64, unique: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true },
    channel: { kind: 'm:1', entity: 'Channel', mapToPk: true, index: true },
    environment: { type: 'string', length: 20 },
    amountKind: { type: 'string', length: 10 },
    amount: { type: 'integer', nullable: true },
    minAmount: { type: 'integer', nullable: true },
    maxAmount: { type: 'integer', nullable: true },
    description: { type: 'string', length: 13 },
    accountReference: { type: 'string', length: 12 },
    singleUse: { type: 'boolean', default: false },
    expiresAt: { type: 'datetime', nullable: true },
    state: { type: 'string', length: 12, default: 'active' },
    metadata: { type: 'json', default: '{}' },
    idempotencyKey: { type: 'string', length: 255, nullable: true },
    requestHash: { type: 'string', length: 64, nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
