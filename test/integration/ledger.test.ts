import { createOrm, migrate, type Orm } from '../../db/orm';
import { captureFee, chargeLateFee, releaseFee, reserveFee, topUp, walletSnapshot } from '../../db/ledger';
import { createChannel, createMerchant } from '../../db/merchants';
import { InsufficientBalanceError } from '../../domain/errors';
import { createTestDatabase, dropTestDatabase } from '../support/database';

/** The ledger on a real Postgres, without Temporal: the rules the money rests on. */
let orm: Orm;
let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  orm = await createOrm({ databaseUrl, poolSize: 30 });
  await migrate(orm);
});
afterAll(async () => {
  await orm?.close();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

let nextTransaction = 1;
async function setup(walletKes: number) {
  const em = orm.em.fork();
  const merchantId = await createMerchant(em, {
    name: 'Ledger shop',
    email: `ledger-${nextTransaction}-${Date.now()}@example.test`,
  });
  const channelId = await createChannel(em, { merchantId, accountType: 'till', accountNumber: '5123456' });
  if (walletKes > 0) await topUp(em, { merchantId, amount: walletKes, reference: 'opening' });
  const newTransaction = async () => {
    const id = nextTransaction++;
    await em.getConnection().execute(
      `insert into transactions (id, public_id, merchant_id, channel_id, phone_number, amount, fee, description, account_reference, workflow_id)
       values (?, ?, ?, ?, '254712345678', 500, 6, 'Test', '5123456', ?)`,
      [id, `trxn_ledgertest${id}`, merchantId, channelId, `ledger-test-${id}`],
    );
    return id;
  };
  return { merchantId, newTransaction };
}

describe('The wallet ledger', () => {
  it('When 30 reservations race for a wallet that covers 5, then exactly 5 succeed and the rest change nothing', async () => {
    const { merchantId, newTransaction } = await setup(30);
    const ids = await Promise.all(Array.from({ length: 30 }, newTransaction));
    const results = await Promise.allSettled(
      ids.map((transactionId) => reserveFee(orm.em.fork(), { merchantId, transactionId, fee: 6 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(25);
    refused.forEach((r) => expect(r.reason).toBeInstanceOf(InsufficientBalanceError));
    expect(await walletSnapshot(orm.em.fork(), merchantId)).toEqual({ balance: 0, ledgerSum: 0 });
  });

  it('When a reservation, capture or release is repeated, then it moves money once', async () => {
    const { merchantId, newTransaction } = await setup(100);
    const captured = await newTransaction();
    const released = await newTransaction();
    for (let i = 0; i < 3; i++) {
      await reserveFee(orm.em.fork(), { merchantId, transactionId: captured, fee: 6 });
      await reserveFee(orm.em.fork(), { merchantId, transactionId: released, fee: 6 });
      expect(await captureFee(orm.em.fork(), { merchantId, transactionId: captured })).toBe('captured');
      expect(await releaseFee(orm.em.fork(), { merchantId, transactionId: released })).toBe('released');
    }
    expect(await walletSnapshot(orm.em.fork(), merchantId)).toEqual({ balance: 94, ledgerSum: 94 });
  });

  it('When a captured fee is released, then nothing moves: a success is never undone', async () => {
    const { merchantId, newTransaction } = await setup(100);
    const tx = await newTransaction();
    await reserveFee(orm.em.fork(), { merchantId, transactionId: tx, fee: 6 });
    await captureFee(orm.em.fork(), { merchantId, transactionId: tx });
    expect(await releaseFee(orm.em.fork(), { merchantId, transactionId: tx })).toBe('captured_earlier');
    expect((await walletSnapshot(orm.em.fork(), merchantId)).balance).toBe(94);
  });

  it('When capture and release race for one fee, then exactly one of them wins', async () => {
    const { merchantId, newTransaction } = await setup(100);
    const tx = await newTransaction();
    await reserveFee(orm.em.fork(), { merchantId, transactionId: tx, fee: 6 });
    const [capture, release] = await Promise.all([
      captureFee(orm.em.fork(), { merchantId, transactionId: tx }),
      releaseFee(orm.em.fork(), { merchantId, transactionId: tx }),
    ]);
    const outcomes = [capture, release].sort();
    expect([
      ['captured', 'captured_earlier'],
      ['released', 'released_earlier'],
    ]).toContainEqual(outcomes);
    const rows = await orm.em
      .fork()
      .getConnection()
      .execute<{ kind: string }[]>(
        `select kind from wallet_ledger where transaction_id = ? and kind in ('fee_capture', 'fee_release')`,
        [tx],
      );
    expect(rows).toHaveLength(1);
  });

  it('When a released fee turns out to be due after all, then it is charged once, and not while the wallet cannot cover it', async () => {
    const { merchantId, newTransaction } = await setup(6);
    const tx = await newTransaction();
    const other = await newTransaction();
    await reserveFee(orm.em.fork(), { merchantId, transactionId: tx, fee: 6 });
    await releaseFee(orm.em.fork(), { merchantId, transactionId: tx });
    await reserveFee(orm.em.fork(), { merchantId, transactionId: other, fee: 6 }); // the wallet is empty again
    expect(await chargeLateFee(orm.em.fork(), { merchantId, transactionId: tx, fee: 6 })).toBe(false);
    expect(await walletSnapshot(orm.em.fork(), merchantId)).toEqual({ balance: 0, ledgerSum: 0 });

    await releaseFee(orm.em.fork(), { merchantId, transactionId: other });
    expect(await chargeLateFee(orm.em.fork(), { merchantId, transactionId: tx, fee: 6 })).toBe(true);
    expect(await chargeLateFee(orm.em.fork(), { merchantId, transactionId: tx, fee: 6 })).toBe(true);
    expect(await walletSnapshot(orm.em.fork(), merchantId)).toEqual({ balance: 0, ledgerSum: 0 });
    expect(await captureFee(orm.em.fork(), { merchantId, transactionId: tx })).toBe('released_earlier');
  });

  it('When the balance column is pushed below zero directly, then Postgres refuses it', async () => {
    const { merchantId } = await setup(5);
    await expect(
      orm.em.fork().getConnection().execute('update wallets set balance = -1 where merchant_id = ?', [merchantId]),
    ).rejects.toThrow(/wallets_balance_not_negative/);
  });
});
