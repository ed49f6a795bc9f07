import { randomBytes } from 'node:crypto';
import { workerDatabase } from '../../db/workerDatabase';
import pino from 'pino';
import { createReconciliationActivities } from '../../activities/reconciliation';
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

/** The Nairobi day reconciled: three days ago. */
const DAY = nairobiDay(new Date(Date.now() - 3 * 24 * 3600_000));

/**
 * Statement reconciliation over HTTP: a merchant uploads its M-Pesa organisation-portal statement,
 * reads and downloads the day's report; admins see every merchant's; unmatched lines become findings.
 */
let stack: Stack;
let shop: MerchantFixture;
let other: MerchantFixture;

const HEADER =
  'Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.';
const creditLine = (receipt: string, time: string, paidIn: string) =>
  `${receipt},${time},${time},Pay Bill Online,Completed,"${paidIn}",,"10,000.00",Yes,Pay Bill,2547******678 - J*** D**,,SHOP1`;

/** A payment row of `merchant` as its workflow would have left it; answers its id. */
async function payment(
  merchant: MerchantFixture,
  p: { amount: number; status: string; createdAt: string; receipt?: string; decidedBy?: string },
): Promise<number> {
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
        p.createdAt,
        p.createdAt,
        p.createdAt,
        p.receipt ?? null,
        p.decidedBy ?? 'callback',
      ],
    );
  return row!.id;
}

const upload = (merchant: MerchantFixture, body: string | Buffer, channelId = merchant.channelId) =>
  stack.http.post(`/reconciliation/statements?channel_id=${channelId}`, body, {
    headers: { Authorization: merchant.authorization, 'Content-Type': 'text/csv' },
  });

beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
  shop = await createMerchantFixture(stack);
  other = await createMerchantFixture(stack);
});
afterAll(() => stack?.stop());

describe('Statement reconciliation', () => {
  let reportId: number;
  let ids: { matched: number; paidButFailed: number; ghost: number; differs: number };

  it('When a merchant uploads the day statement, then each credit is classed against its payments and the report is stored', async () => {
    // Three days ago, Nairobi time (UTC+3), well within the findings window.
    ids = {
      matched: await payment(shop, {
        amount: 1250,
        status: 'completed',
        createdAt: `${DAY}T10:00:00+03:00`,
        receipt: 'UL1MATCH01',
      }),
      // The issue's "customer who paid is told failed": no answer, no callback, ended failed by no_answer.
      paidButFailed: await payment(shop, {
        amount: 500,
        status: 'failed',
        createdAt: `${DAY}T11:00:00+03:00`,
        decidedBy: 'no_answer',
      }),
      ghost: await payment(shop, {
        amount: 700,
        status: 'completed',
        createdAt: `${DAY}T12:00:00+03:00`,
        receipt: 'UL1GHOST01',
      }),
      // The issue's KES 100 callback for a KES 321 push.
      differs: await payment(shop, {
        amount: 321,
        status: 'needs_review',
        createdAt: `${DAY}T13:00:00+03:00`,
        receipt: 'UL1DIFFER1',
      }),
    };
    const statement = [
      'Account Holder:,Test shop',
      'Time Period:,01-12-2026 - 01-12-2026',
      HEADER,
      creditLine('UL1MATCH01', `${DAY} 10:00:31`, '1,250.00'),
      creditLine('UL1PAIDFA1', `${DAY} 11:00:40`, '500.00'),
      creditLine('UL1NEVER01', `${DAY} 11:30:00`, '2,000.00'),
      creditLine('UL1DIFFER1', `${DAY} 13:00:20`, '100.00'),
      `UL1CHARGE1,${DAY} 14:00:00,,Pay merchant Charge,Completed,,-12.00,,,,,,`,
    ].join('\r\n');

    const answer = await upload(shop, statement);

    expect(answer.status).toBe(201);
    expect(answer.data).toMatchObject({ credits: 4, skipped: 1 });
    expect(answer.data.reports).toEqual([
      expect.objectContaining({ day: `${DAY}`, matched: 1, mpesa_only: 2, imarapay_only: 1, amount_differs: 1 }),
    ]);
    reportId = answer.data.reports[0].id;
    const detail = await stack.http.get(`/reconciliation/statements/${reportId}`, {
      headers: { Authorization: shop.authorization },
    });
    expect(detail.status).toBe(200);
    expect(
      detail.data.lines.map((l: { class: string; receipt: string; transaction_id: number | null }) => [
        l.class,
        l.receipt,
        l.transaction_id,
      ]),
    ).toEqual([
      ['matched', 'UL1MATCH01', ids.matched],
      ['mpesa_only', 'UL1PAIDFA1', ids.paidButFailed],
      ['mpesa_only', 'UL1NEVER01', null],
      ['amount_differs', 'UL1DIFFER1', ids.differs],
      ['imarapay_only', 'UL1GHOST01', ids.ghost],
    ]);
  });

  it('When the merchant downloads the report, then it is a CSV of its lines', async () => {
    const csv = await stack.http.get(`/reconciliation/statements/${reportId}/csv`, {
      headers: { Authorization: shop.authorization },
      responseType: 'text',
    });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(
      new RegExp(`attachment; filename="imarapay-reconciliation-.*-${DAY}-`),
    );
    const rows = (csv.data as string).trim().split('\r\n');
    expect(rows[0]).toBe(
      'class,receipt,completed_at,amount,account_reference,payer,details,transaction_id,payment_amount,payment_status,matched_by,certain',
    );
    expect(rows[2]).toBe(
      `mpesa_only,UL1PAIDFA1,${DAY}T08:00:40.000Z,500,SHOP1,2547******678 - J*** D**,Pay Bill Online,${ids.paidButFailed},500,failed,amount_reference_time,true`,
    );
  });

  it("When another merchant asks for the report or uploads to the shop's channel, then 404 and nothing is stored", async () => {
    const theirs = await stack.http.get(`/reconciliation/statements/${reportId}`, {
      headers: { Authorization: other.authorization },
    });
    expect(theirs.status).toBe(404);
    const foreign = await upload(
      other,
      `${HEADER}\r\n${creditLine('UL1OTHER01', `${DAY} 10:00:00`, '5')}`,
      shop.channelId,
    );
    expect(foreign.status).toBe(404);
    const list = await stack.http.get('/reconciliation/statements', {
      headers: { Authorization: other.authorization },
    });
    expect(list.data).toEqual([]);
  });

  it('When the upload is not a statement (binary, fractions, a form, too large), then it is a 400 naming the problem and nothing is stored', async () => {
    const before = await stack.http.get('/reconciliation/statements', {
      headers: { Authorization: shop.authorization },
    });
    const answers = [
      await upload(shop, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff])),
      await upload(shop, `${HEADER}\r\n${creditLine('UL1FRACT01', `${DAY} 10:00:00`, '10.50')}`),
      await stack.http.post(`/reconciliation/statements?channel_id=${shop.channelId}`, 'a=b', {
        headers: { Authorization: shop.authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
      await upload(shop, Buffer.alloc(6 * 1024 * 1024, '\n')),
      await stack.http.post('/reconciliation/statements?channel_id=abc', HEADER, {
        headers: { Authorization: shop.authorization, 'Content-Type': 'text/csv' },
      }),
    ];
    expect(answers.map((a) => [a.status, a.data.code])).toEqual(Array(5).fill([400, 'validation_failed']));
    expect(answers[0]!.data.error).toMatch(/not UTF-8/);
    expect(answers[1]!.data.error).toBe('Row 2: Paid In 10.50 is not whole shillings');
    expect(answers[3]!.data.error).toMatch(/larger than 5 MB/);
    const after = await stack.http.get('/reconciliation/statements', {
      headers: { Authorization: shop.authorization },
    });
    expect(after.data).toEqual(before.data);
  });

  it('When an admin lists statement reports, then every merchant is there; a merchant session sees only its own', async () => {
    await upload(other, `${HEADER}\r\n${creditLine('UL1OTHER02', `${DAY} 09:00:00`, '50')}`);
    const admin = await signInAdmin(stack);
    const all = await stack.http.get('/admin/reconciliation/statements', { headers: { Authorization: admin } });
    expect(all.status).toBe(200);
    const merchants = new Set(all.data.map((r: { merchant_id: number }) => r.merchant_id));
    expect(merchants).toEqual(new Set([shop.merchantId, other.merchantId]));
    const one = await stack.http.get(`/admin/reconciliation/statements/${reportId}`, {
      headers: { Authorization: admin },
    });
    expect(one.data.lines).toHaveLength(5);
    const session = await signInMerchantUser(stack, shop.merchantId);
    const own = await stack.http.get('/reconciliation/statements', { headers: { Authorization: session } });
    expect(own.data.map((r: { merchant_id: number }) => r.merchant_id)).toEqual([shop.merchantId]);
    const forbidden = await stack.http.get('/admin/reconciliation/statements', { headers: { Authorization: session } });
    expect(forbidden.status).toBe(403);
  });

  it("When the reconciliation audits, then the standing report's unmatched lines are open findings (the paid-but-failed payment for ops)", async () => {
    const activities = createReconciliationActivities({
      db: workerDatabase(stack.orm).reconciliation,
      newSession: workerDatabase(stack.orm).newSession,
      logger: pino({ level: 'silent' }),
    });
    const findings = await activities.auditPayments(reconciliationInput(stack.config));
    const byKind = Object.fromEntries(findings.map((f) => [f.kind, f]));
    expect(byKind.statement_credit_for_failed_payment).toMatchObject({ idKind: 'transaction', repaired: false });
    expect(byKind.statement_credit_for_failed_payment!.ids).toContain(ids.paidButFailed);
    expect(byKind.statement_imarapay_only!.ids).toContain(ids.ghost);
    expect(byKind.statement_amount_differs!.ids).toContain(ids.differs);
    expect(byKind.statement_mpesa_only).toMatchObject({ idKind: 'statement_line' });
  });
});
