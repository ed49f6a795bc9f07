import { workerDatabase } from '../../db/workerDatabase';
import { randomBytes } from 'node:crypto';
import axios from 'axios';
import pino from 'pino';
import { createReconciliationActivities } from '../../activities/reconciliation';
import { createStatementPullActivities } from '../../activities/statementPulls';
import { darajaCredentials } from '../../config/config';
import { createMpesaRecordClient } from '../../daraja/recordClient';
import { nairobiDay } from '../../domain/statementMatch';
import { reconciliationInput } from '../../worker/reconciliationSchedule';
import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin, signInMerchantUser } from '../support/signedInUsers';

quietTemporalRuntime();

/**
 * Pull Transactions as a statement source, over HTTP: the API asks the simulator's M-Pesa record
 * for a channel's credits of one day and reconciles them through the same matcher and report as
 * an uploaded statement. ImaraPay's side is payment rows as their workflows would have left them.
 */
let stack: Stack;
let shop: MerchantFixture;
let other: MerchantFixture;

/** A credit M-Pesa holds for the till (as if a customer paid it), through the simulator's control API; answers its receipt. */
async function mpesaCredit(amount: number, billReference = 'SHOP1'): Promise<string> {
  const answer = await axios.post(`${stack.config.DARAJA_BASE_URL}/__control/credits`, {
    shortcode: '5123456',
    amount,
    billReference,
  });
  return (answer.data as { receipt: string }).receipt;
}

/** A payment row of `merchant` created a minute ago, as its workflow would have left it; answers its id. */
async function payment(
  merchant: MerchantFixture,
  p: { amount: number; status: string; receipt?: string; decidedBy?: string; createdAt?: Date },
): Promise<number> {
  const createdAt = p.createdAt ?? new Date(Date.now() - 60_000);
  const [row] = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ id: number }[]>(
      `insert into transactions (public_id, merchant_id, channel_id, environment, phone_number, amount, fee, status, stage,
              push_state, description, account_reference, workflow_id, created_at, updated_at, completed_at, mpesa_receipt,
              decided_by)
       values (?, ?, ?, 'sandbox', '254712345678', ?, 6, ?, ?, 'accepted', 'Order', 'SHOP1', ?, ?::timestamptz,
               ?::timestamptz, ?::timestamptz + interval '30 seconds', ?, ?) returning id`,
      [
        `trxn_${randomBytes(8).toString('hex')}`,
        merchant.merchantId,
        merchant.channelId,
        p.amount,
        p.status,
        p.status,
        `payment-test-${randomBytes(6).toString('hex')}`,
        createdAt,
        createdAt,
        createdAt,
        p.receipt ?? null,
        p.decidedBy ?? 'callback',
      ],
    );
  return row!.id;
}

const pull = (merchant: MerchantFixture, body: unknown) =>
  stack.http.post('/reconciliation/pulls', body, { headers: { Authorization: merchant.authorization } });

const reportsOf = async (merchant: MerchantFixture) =>
  (await stack.http.get('/reconciliation/statements', { headers: { Authorization: merchant.authorization } })).data;

beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
  shop = await createMerchantFixture(stack);
  other = await createMerchantFixture(stack);
});
afterAll(() => stack?.stop());

describe("Statement reconciliation from M-Pesa's Pull Transactions", () => {
  const today = nairobiDay(new Date());
  let ids: { matched: number; paidButFailed: number; ghost: number; differs: number };
  let receipts: { matched: string; paidButFailed: string; never: string; differs: string };
  let reportId: number;

  it("When a merchant pulls today's credits, then each is classed against its payments and the report names its source", async () => {
    receipts = {
      matched: await mpesaCredit(1250),
      // A credit ImaraPay never pushed: the customer paid the till directly.
      never: await mpesaCredit(2000),
      paidButFailed: await mpesaCredit(500),
      differs: await mpesaCredit(100),
    };
    ids = {
      matched: await payment(shop, { amount: 1250, status: 'completed', receipt: receipts.matched }),
      paidButFailed: await payment(shop, { amount: 500, status: 'failed', decidedBy: 'no_answer' }),
      ghost: await payment(shop, { amount: 700, status: 'completed', receipt: 'UL1GHOST01' }),
      differs: await payment(shop, { amount: 321, status: 'needs_review', receipt: receipts.differs }),
    };

    const answer = await pull(shop, { channel_id: shop.channelId, day: today });

    expect(answer.status).toBe(201);
    expect(answer.data).toMatchObject({ credits: 4, unreadable: 0 });
    expect(answer.data.report).toMatchObject({
      day: today,
      source: 'pull_transactions',
      channel_id: shop.channelId,
      matched: 1,
      mpesa_only: 2,
      imarapay_only: 1,
      amount_differs: 1,
    });
    reportId = answer.data.report.id;
    const detail = await stack.http.get(`/reconciliation/statements/${reportId}`, {
      headers: { Authorization: shop.authorization },
    });
    const lines = detail.data.lines.map((l: { class: string; receipt: string; transaction_id: number | null }) => [
      l.class,
      l.receipt,
      l.transaction_id,
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        ['matched', receipts.matched, ids.matched],
        ['mpesa_only', receipts.never, null],
        ['mpesa_only', receipts.paidButFailed, ids.paidButFailed],
        ['amount_differs', receipts.differs, ids.differs],
        ['imarapay_only', 'UL1GHOST01', ids.ghost],
      ]),
    );
    expect(lines).toHaveLength(5);
  });

  it('When the merchant pulls the same day again, then a new report supersedes the old', async () => {
    const again = await pull(shop, { channel_id: shop.channelId });
    expect(again.status).toBe(201);
    expect(again.data.report).toMatchObject({ day: today, source: 'pull_transactions', superseded: false });
    const reports = await reportsOf(shop);
    expect(reports.map((r: { id: number; superseded: boolean }) => [r.id, r.superseded])).toEqual([
      [again.data.report.id, false],
      [reportId, true],
    ]);
    reportId = again.data.report.id;
  });

  it("When the day is past M-Pesa's 48 hours, in the future or not a date, or the channel is not the caller's, then 4xx and nothing is stored", async () => {
    const before = await reportsOf(shop);
    const threeDaysAgo = nairobiDay(new Date(Date.now() - 3 * 24 * 3600_000));
    const tomorrow = nairobiDay(new Date(Date.now() + 24 * 3600_000));
    const answers = [
      await pull(shop, { channel_id: shop.channelId, day: threeDaysAgo }),
      await pull(shop, { channel_id: shop.channelId, day: tomorrow }),
      await pull(shop, { channel_id: shop.channelId, day: '2026-02-30' }),
      await pull(shop, { channel_id: String(shop.channelId) }),
    ];
    expect(answers.map((a) => [a.status, a.data.code, a.data.field ?? a.data.details?.field])).toEqual([
      [400, 'validation_failed', 'day'],
      [400, 'validation_failed', 'day'],
      [400, 'validation_failed', 'day'],
      [400, 'validation_failed', 'channel_id'],
    ]);
    expect(answers[0]!.data.error).toMatch(/48 hours/);
    const foreign = await pull(other, { channel_id: shop.channelId });
    expect(foreign.status).toBe(404);
    expect(await reportsOf(shop)).toEqual(before);
    expect(await reportsOf(other)).toEqual([]);
  });

  it("When an admin pulls a merchant's channel, then the report is that merchant's; a merchant cannot use the admin action", async () => {
    const admin = await signInAdmin(stack);
    const answer = await stack.http.post(
      '/admin/reconciliation/pulls',
      { channel_id: shop.channelId, environment: 'sandbox' },
      { headers: { Authorization: admin } },
    );
    expect(answer.status).toBe(201);
    expect(answer.data.report).toMatchObject({
      merchant_id: shop.merchantId,
      source: 'pull_transactions',
      matched: 1,
      mpesa_only: 2,
      imarapay_only: 1,
      amount_differs: 1,
    });
    reportId = answer.data.report.id;
    const missingEnvironment = await stack.http.post(
      '/admin/reconciliation/pulls',
      { channel_id: shop.channelId },
      { headers: { Authorization: admin } },
    );
    expect([missingEnvironment.status, missingEnvironment.data.code]).toEqual([400, 'validation_failed']);
    const session = await signInMerchantUser(stack, shop.merchantId);
    const asMerchant = await stack.http.post(
      '/admin/reconciliation/pulls',
      { channel_id: shop.channelId, environment: 'sandbox' },
      { headers: { Authorization: session } },
    );
    expect(asMerchant.status).toBe(403);
  });

  it("When the reconciliation audits, then the pulled report's unmatched lines are open findings", async () => {
    const activities = createReconciliationActivities({
      db: workerDatabase(stack.orm).reconciliation,
      newSession: workerDatabase(stack.orm).newSession,
      logger: pino({ level: 'silent' }),
    });
    const findings = await activities.auditPayments(reconciliationInput(stack.config));
    const byKind = Object.fromEntries(findings.map((f) => [f.kind, f]));
    expect(byKind.statement_credit_for_failed_payment!.ids).toContain(ids.paidButFailed);
    expect(byKind.statement_imarapay_only!.ids).toContain(ids.ghost);
    expect(byKind.statement_amount_differs!.ids).toContain(ids.differs);
    expect(byKind.statement_mpesa_only).toMatchObject({ idKind: 'statement_line' });
  });

  it("When the reconciliation runs, then each channel's yesterday is reconciled from Pull Transactions, once", async () => {
    const third = await createMerchantFixture(stack);
    const yesterday = nairobiDay(new Date(Date.now() - 24 * 3600_000));
    const noon = new Date(`${yesterday}T12:00:00+03:00`);
    const credit = stack.simulator.control.addCredit({
      shortcode: '5123456',
      amount: 880,
      billReference: 'SHOP1',
      at: noon,
    });
    const paid = await payment(third, { amount: 880, status: 'completed', receipt: credit.receipt, createdAt: noon });
    const activities = createStatementPullActivities({
      db: workerDatabase(stack.orm).statementPulls,
      logger: pino({ level: 'silent' }),
      recordClientFor: (environment) =>
        environment === 'sandbox'
          ? createMpesaRecordClient({ credentials: darajaCredentials(stack.config, 'sandbox')!, timeoutMs: 3000 })
          : null,
      pullRegistration: { callbackUrl: `${stack.apiUrl}/pull`, nominatedNumber: '254708374149' },
    });

    await activities.pullYesterdaysStatements(reconciliationInput(stack.config));
    await activities.pullYesterdaysStatements(reconciliationInput(stack.config));

    const reports = await reportsOf(third);
    expect(reports).toEqual([
      expect.objectContaining({
        day: yesterday,
        source: 'pull_transactions',
        matched: 1,
        mpesa_only: 0,
        imarapay_only: 0,
      }),
    ]);
    const detail = await stack.http.get(`/reconciliation/statements/${reports[0].id}`, {
      headers: { Authorization: third.authorization },
    });
    expect(detail.data.lines).toEqual([
      expect.objectContaining({ class: 'matched', receipt: credit.receipt, transaction_id: paid }),
    ]);
  });

  it('When Daraja cannot be reached, then 503 daraja_unavailable and nothing is stored', async () => {
    const before = await reportsOf(shop);
    await stack.simulator.stop();
    const answer = await pull(shop, { channel_id: shop.channelId });
    expect([answer.status, answer.data.code]).toEqual([503, 'daraja_unavailable']);
    expect(await reportsOf(shop)).toEqual(before);
  });
});
