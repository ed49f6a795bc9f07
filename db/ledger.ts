import type { EntityManager } from '@mikro-orm/postgresql';
import { InsufficientBalanceError } from '../domain/errors';
import type { LedgerKind } from './entities';

/**
 * The service wallet's ledger. Every function runs in one database transaction that appends
 * the ledger entry and moves the running balance together, so the balance always equals the
 * sum of the ledger. Fee movements are keyed by (transaction, kind): calling one twice is safe.
 */

type Row = Record<string, unknown>;

/** Runs SQL inside the transaction `em` belongs to. */
function sql(em: EntityManager) {
  return <T extends Row = Row>(query: string, params: unknown[] = []) =>
    em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());
}

async function balanceOf(em: EntityManager, merchantId: number): Promise<number> {
  const [row] = await sql(em)<{ balance: number }>('select balance from wallets where merchant_id = ?', [merchantId]);
  return row?.balance ?? 0;
}

async function existingKinds(em: EntityManager, transactionId: number): Promise<Map<LedgerKind, number>> {
  const rows = await sql(em)<{ kind: LedgerKind; amount: number }>(
    'select kind, amount from wallet_ledger where transaction_id = ?',
    [transactionId],
  );
  return new Map(rows.map((r) => [r.kind, r.amount]));
}

/** Moves the balance by `delta` (refusing to go below zero) and appends the entry. Returns the new balance, or null if refused. */
async function move(
  em: EntityManager,
  entry: { merchantId: number; kind: LedgerKind; delta: number; transactionId?: number; reference?: string },
): Promise<number | null> {
  const params = [
    entry.delta,
    entry.merchantId,
    entry.delta,
    entry.merchantId,
    entry.kind,
    entry.delta,
    entry.transactionId ?? null,
    entry.reference ?? null,
  ];
  // One statement, so the wallet row is locked for a single round trip (every payment of a merchant
  // queues on it). The `balance + ? >= 0` guard keeps concurrent reservations from overdrawing.
  const [moved] = await sql(em)<{ balance_after: number }>(
    `with updated as (
       update wallets set balance = balance + ?, updated_at = now() where merchant_id = ? and balance + ? >= 0 returning balance
     )
     insert into wallet_ledger (merchant_id, kind, amount, balance_after, transaction_id, reference)
     select ?, ?, ?, updated.balance, ?, ? from updated
     returning balance_after`,
    params,
  );
  return moved ? moved.balance_after : null;
}

/**
 * Appends a zero-amount entry (a fee capture) without taking the wallet row's lock: the balance does
 * not move, so balance_after is simply the balance as it stands.
 */
async function note(
  em: EntityManager,
  entry: { merchantId: number; kind: LedgerKind; transactionId: number },
): Promise<void> {
  await sql(em)(
    `insert into wallet_ledger (merchant_id, kind, amount, balance_after, transaction_id)
     select ?, ?, 0, balance, ? from wallets where merchant_id = ?`,
    [entry.merchantId, entry.kind, entry.transactionId, entry.merchantId],
  );
}

/** Creates the merchant's wallet if it has none. */
export async function ensureWallet(em: EntityManager, merchantId: number): Promise<void> {
  await sql(em)('insert into wallets (merchant_id, balance) values (?, 0) on conflict (merchant_id) do nothing', [
    merchantId,
  ]);
}

export interface WalletMovement {
  merchantId: number;
  amount: number;
  reference: string;
}

/** Adds money to a wallet. */
export async function topUp(em: EntityManager, { merchantId, amount, reference }: WalletMovement): Promise<number> {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new RangeError(`top-up must be a positive whole KES, got ${amount}`);
  return em.transactional(async (tx) => {
    await ensureWallet(tx, merchantId);
    const balance = await move(tx, { merchantId, kind: 'top_up', delta: amount, reference });
    return balance!;
  });
}

export interface FeeMovement {
  merchantId: number;
  transactionId: number;
  fee: number;
}

/**
 * Takes the fee out of the wallet when a push is requested.
 * Throws InsufficientBalanceError (changing nothing) when the wallet cannot cover it.
 * This must be idempotent: an activity retry finds the earlier reservation and returns.
 */
export async function reserveFee(em: EntityManager, { merchantId, transactionId, fee }: FeeMovement): Promise<number> {
  return em.transactional(async (tx) => {
    // Serialise fee movements of one payment; different payments still run in parallel.
    await sql(tx)('select pg_advisory_xact_lock(?)', [transactionId]);
    if ((await existingKinds(tx, transactionId)).has('fee_reserve')) return balanceOf(tx, merchantId);
    const balance = await move(tx, { merchantId, kind: 'fee_reserve', delta: -fee, transactionId });
    if (balance === null) throw new InsufficientBalanceError(fee, await balanceOf(tx, merchantId));
    return balance;
  });
}

/**
 * - captured: the fee is now earned (or already was).
 * - released_earlier: the payment had been failed and its fee returned; a late success must charge it anew (chargeLateFee).
 * - not_reserved: nothing was reserved (the push was refused before reservation).
 */
export type CaptureResult = 'captured' | 'released_earlier' | 'not_reserved';

/** Marks a reserved fee as earned. Zero amount: the money left the balance at reservation. */
export async function captureFee(
  em: EntityManager,
  { merchantId, transactionId }: Omit<FeeMovement, 'fee'>,
): Promise<CaptureResult> {
  return em.transactional(async (tx) => {
    await sql(tx)('select pg_advisory_xact_lock(?)', [transactionId]);
    const kinds = await existingKinds(tx, transactionId);
    if (kinds.has('fee_capture')) return 'captured';
    if (kinds.has('fee_release')) return 'released_earlier';
    if (!kinds.has('fee_reserve')) return 'not_reserved';
    await note(tx, { merchantId, kind: 'fee_capture', transactionId });
    return 'captured';
  });
}

/**
 * - released: the reserved fee is back in the wallet (or already was).
 * - captured_earlier: the payment already succeeded; a success is never undone.
 * - not_reserved: nothing to give back.
 */
export type ReleaseResult = 'released' | 'captured_earlier' | 'not_reserved';

/** Returns a reserved fee to the wallet because the payment failed. */
export async function releaseFee(
  em: EntityManager,
  { merchantId, transactionId }: Omit<FeeMovement, 'fee'>,
): Promise<ReleaseResult> {
  return em.transactional(async (tx) => {
    await sql(tx)('select pg_advisory_xact_lock(?)', [transactionId]);
    const kinds = await existingKinds(tx, transactionId);
    if (kinds.has('fee_release')) return 'released';
    if (kinds.has('fee_capture')) return 'captured_earlier';
    const reserved = kinds.get('fee_reserve');
    if (reserved === undefined) return 'not_reserved';
    await move(tx, { merchantId, kind: 'fee_release', delta: -reserved, transactionId });
    return 'released';
  });
}

/**
 * Charges the fee of a payment that was failed (fee released) and later proved successful.
 * Returns false, changing nothing, while the wallet cannot cover it; the caller retries later.
 */
export async function chargeLateFee(
  em: EntityManager,
  { merchantId, transactionId, fee }: FeeMovement,
): Promise<boolean> {
  return em.transactional(async (tx) => {
    await sql(tx)('select pg_advisory_xact_lock(?)', [transactionId]);
    const kinds = await existingKinds(tx, transactionId);
    if (kinds.has('late_fee_capture') || kinds.has('fee_capture')) return true;
    if (!kinds.has('fee_release')) return true; // nothing was given back, so nothing to charge again
    return (await move(tx, { merchantId, kind: 'late_fee_capture', delta: -fee, transactionId })) !== null;
  });
}

/** The wallet balance and, for checks, the sum of its ledger. */
export async function walletSnapshot(
  em: EntityManager,
  merchantId: number,
): Promise<{ balance: number; ledgerSum: number }> {
  const [row] = await sql(em)<{ balance: number | null; ledger_sum: string | null }>(
    `select (select balance from wallets where merchant_id = ?) as balance,
            (select coalesce(sum(amount), 0) from wallet_ledger where merchant_id = ?) as ledger_sum`,
    [merchantId, merchantId],
  );
  return { balance: row?.balance ?? 0, ledgerSum: Number(row?.ledger_sum ?? 0) };
}

/**
 * - credited: the top-up's amount is now in the wallet;
 * - already_credited: an earlier call credited it (a repeated callback, a retried activity).
 */
export type TopUpCreditResult = 'credited' | 'already_credited';

/**
 * Credits a completed wallet top-up payment. This must be idempotent: it is keyed by the payment
 * (unique (transaction, kind)), so however many times the success is settled, the money arrives once.
 */
export async function creditTopUpPayment(
  em: EntityManager,
  { merchantId, transactionId, amount, reference }: WalletMovement & { transactionId: number },
): Promise<TopUpCreditResult> {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new RangeError(`top-up must be a positive whole KES, got ${amount}`);
  return em.transactional(async (tx) => {
    await sql(tx)('select pg_advisory_xact_lock(?)', [transactionId]);
    if ((await existingKinds(tx, transactionId)).has('top_up')) return 'already_credited';
    await ensureWallet(tx, merchantId);
    await move(tx, { merchantId, kind: 'top_up', delta: amount, transactionId, reference });
    return 'credited';
  });
}

/**
 * An admin's correction: a credit (amount > 0) or a debit (amount < 0), with the reason in the
 * entry's reference. A debit the balance cannot cover changes nothing and returns null.
 */
export async function adjustWallet(
  em: EntityManager,
  { merchantId, amount, reference }: WalletMovement,
): Promise<{ entryId: number; createdAt: Date; balance: number } | null> {
  if (!Number.isSafeInteger(amount) || amount === 0)
    throw new RangeError(`adjustment must be a non-zero whole KES, got ${amount}`);
  return em.transactional(async (tx) => {
    await ensureWallet(tx, merchantId);
    const balance = await move(tx, { merchantId, kind: 'adjustment', delta: amount, reference });
    if (balance === null) return null;
    // currval is per session: the id of the entry `move` just inserted on this connection.
    const [entry] = await sql(tx)<{ id: number; created_at: Date }>(
      `select id, created_at from wallet_ledger where id = currval(pg_get_serial_sequence('wallet_ledger', 'id'))`,
    );
    return { entryId: entry!.id, createdAt: new Date(entry!.created_at), balance };
  });
}
