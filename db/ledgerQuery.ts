import type { EntityManager } from '@mikro-orm/postgresql';
import { keysetAfter, keysetOrder, keysetPage } from './keyset';
import type { LedgerKind } from './entities';

/** One wallet movement as the API shows it. */
export interface LedgerRow {
  id: number;
  kind: LedgerKind;
  amount: number;
  balanceAfter: number;
  transactionId: number | null;
  reference: string | null;
  createdAt: Date;
}

interface RawLedgerRow {
  id: number;
  kind: LedgerKind;
  amount: number;
  balance_after: number;
  transaction_id: number | null;
  reference: string | null;
  created_at: Date;
}

/**
 * A page of a wallet's ledger, newest first. Entry ids only grow, so "id below the last one seen"
 * pages without skipping or repeating while new movements are appended.
 */
export async function ledgerPage(
  em: EntityManager,
  { merchantId, beforeId, limit }: { merchantId: number; beforeId?: number; limit: number },
): Promise<{ entries: LedgerRow[]; nextBeforeId: number | null }> {
  const after = keysetAfter(['id'], 'desc', beforeId === undefined ? undefined : [beforeId]);
  const rows = await em.getConnection().execute<RawLedgerRow[]>(
    `select id, kind, amount, balance_after, transaction_id, reference, created_at
       from wallet_ledger
      where merchant_id = ? ${after ? `and ${after.sql}` : ''}
      order by ${keysetOrder(['id'], 'desc')}
      limit ?`,
    [merchantId, ...(after?.params ?? []), limit + 1],
  );
  const { page, last } = keysetPage(rows, limit);
  const entries = page.map((r) => ({
    id: r.id,
    kind: r.kind,
    amount: r.amount,
    balanceAfter: r.balance_after,
    transactionId: r.transaction_id,
    reference: r.reference,
    createdAt: new Date(r.created_at),
  }));
  return { entries, nextBeforeId: last ? last.id : null };
}

/** The wallet's balance (0 for a merchant that has never had a wallet row). */
export async function walletBalance(em: EntityManager, merchantId: number): Promise<number> {
  const [row] = await em
    .getConnection()
    .execute<{ balance: number }[]>('select balance from wallets where merchant_id = ?', [merchantId]);
  return row?.balance ?? 0;
}
