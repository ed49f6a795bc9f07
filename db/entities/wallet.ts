import { EntitySchema } from '@mikro-orm/core';

/**
 * A merchant's service wallet, which pays ImaraPay's fees. `balance` is a running total kept
 * equal to the sum of the ledger in the same database transaction; a CHECK keeps it >= 0.
 */
export interface Wallet {
  merchant: number;
  balance: number;
  updatedAt: Date;
}

export const WalletSchema = new EntitySchema<Wallet>({
  name: 'Wallet',
  tableName: 'wallets',
  checks: [{ name: 'wallets_balance_not_negative', expression: 'balance >= 0' }],
  properties: {
    merchant: { kind: '1:1', entity: 'Merchant', mapToPk: true, primary: true, owner: true },
    balance: { type: 'integer', default: 0 },
    updatedAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});

/**
 * - top_up / adjustment: money in or out by the merchant or an admin.
 * - fee_reserve: the fee taken when a push is requested (negative).
 * - fee_capture: the reserved fee is earned (zero amount: the money already left the balance).
 * - fee_release: the reserved fee is returned because the payment failed (positive).
 * - late_fee_capture: a payment that was failed and released later proved successful (negative).
 */
export type LedgerKind = 'top_up' | 'adjustment' | 'fee_reserve' | 'fee_capture' | 'fee_release' | 'late_fee_capture';

/** One append-only wallet movement. */
export interface LedgerEntry {
  id: number;
  merchant: number;
  kind: LedgerKind;
  /** Signed change to the balance, whole KES. */
  amount: number;
  balanceAfter: number;
  /** The payment this fee movement belongs to; null for top-ups and adjustments. */
  transaction: number | null;
  /** Free text: top-up receipt, admin reason. */
  reference: string | null;
  createdAt: Date;
}

export const LedgerEntrySchema = new EntitySchema<LedgerEntry>({
  name: 'LedgerEntry',
  tableName: 'wallet_ledger',
  indexes: [{ properties: ['merchant', 'id'] }],
  uniques: [
    // One movement of each kind per payment: makes every fee activity idempotent.
    { name: 'wallet_ledger_transaction_kind_unique', properties: ['transaction', 'kind'] },
    // A reserved fee ends exactly one way: captured or released, never both.
    {
      name: 'wallet_ledger_fee_settled_once',
      expression: `create unique index "wallet_ledger_fee_settled_once" on "wallet_ledger" ("transaction_id") where kind in ('fee_capture', 'fee_release')`,
    },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    merchant: { kind: 'm:1', entity: 'Merchant', mapToPk: true },
    kind: { type: 'string', length: 20 },
    amount: { type: 'integer' },
    balanceAfter: { type: 'integer' },
    transaction: { kind: 'm:1', entity: 'Transaction', mapToPk: true, nullable: true },
    reference: { type: 'text', nullable: true },
    createdAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
  },
});
