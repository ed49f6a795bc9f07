import type { Server } from 'node:http';
import axios, { type AxiosInstance } from 'axios';
import pino from 'pino';
import { createApp } from '../../api/app';
import { createHttpServer } from '../../api/httpServer';
import { darajaCallbackUrl } from '../../config/callbackUrl';
import { TransactionSchema, WebhookDeliverySchema } from '../../db/entities';
import { walletSnapshot } from '../../db/ledger';
import { freePort } from '../../scripts/net';
import { reviewResolutionWorkflowId } from '../../workflows/reviewResolution';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin, signInMerchantUser } from '../support/signedInUsers';
import { startWebhookReceiver } from '../support/webhookReceiver';

quietTemporalRuntime();

/**
 * Ending a review: one admin proposes, a second approves, and the payment's workflow settles the
 * verdict once. The stack runs in development; a second API over the same database and Temporal runs
 * in production, where an admin can never approve their own proposal.
 */
let stack: Stack;
/** Another API over the same database and Temporal, with its own configuration. */
type ExtraApi = { http: AxiosInstance; server: Server };
let production: ExtraApi;
let selfApproving: ExtraApi;
const as = (authorization: string) => ({ headers: { Authorization: authorization } });
let maker: string;
let checker: string;
let thirdAdmin: string;

async function extraApi(config: Partial<Stack['config']>): Promise<ExtraApi> {
  const port = await freePort();
  const app = createApp({
    config: { ...stack.config, ...config },
    orm: stack.orm,
    runSql: stack.runSql,
    temporal: stack.temporal,
    logger: pino({ level: 'silent' }),
  });
  const server = createHttpServer(app, { requestTimeoutMs: 20_000 }).listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { server, http: axios.create({ baseURL: `http://127.0.0.1:${port}/api`, validateStatus: () => true }) };
}

beforeAll(async () => {
  stack = await startStack();
  [maker, checker, thirdAdmin] = await Promise.all([signInAdmin(stack), signInAdmin(stack), signInAdmin(stack)]);
  production = await extraApi({ APP_ENV: 'production' });
  selfApproving = await extraApi({ REVIEW_SELF_APPROVAL: true });
});
afterAll(async () => {
  for (const api of [production, selfApproving])
    await new Promise<void>((resolve) => api?.server.close(() => resolve()));
  await stack?.stop();
});

/**
 * A KES 9,908 push (its prompt stays open) whose success callback says Amount 1: the payment goes to
 * review. `topUp`: the push is the merchant's own wallet top-up (POST /api/wallet/top-ups).
 */
async function paymentInReview(merchant: MerchantFixture, { topUp = false } = {}) {
  const res = topUp
    ? await stack.http.post('/wallet/top-ups', { phone_number: '0712345678', amount: 9908 }, as(merchant.authorization))
    : await stack.http.post(
        '/stk-push',
        { account_id: merchant.channelId, phone_number: '0712345678', amount: 9908 },
        as(merchant.authorization),
      );
  expect(res.status).toBe(200);
  const payment = { id: res.data.transaction_id as number, fee: res.data.fee_to_be_charged as number };
  const callback = await axios.post(darajaCallbackUrl(stack.config, payment.id), {
    Body: {
      stkCallback: {
        MerchantRequestID: 'm-review',
        CheckoutRequestID: res.data.checkout_request_id,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: 1 },
            { Name: 'MpesaReceiptNumber', Value: `RVW${String(payment.id).slice(-7).padStart(7, '0')}` },
            { Name: 'PhoneNumber', Value: 254712345678 },
          ],
        },
      },
    },
  });
  expect(callback.data).toEqual({ ResultCode: 0, ResultDesc: 'Accept' });
  await eventually(async () => ((await txOf(payment.id)).status === 'needs_review' ? true : undefined));
  return payment;
}
const txOf = (id: number) => stack.orm.em.fork().findOneOrFail(TransactionSchema, id);
const statusOf = async (id: number, status: string) =>
  eventually(async () => ((await txOf(id)).status === status ? txOf(id) : undefined));
async function ledgerKinds(id: number): Promise<string[]> {
  const rows = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ kind: string }[]>('select kind from wallet_ledger where transaction_id = ? order by id', [id]);
  return rows.map((r) => r.kind);
}
async function webhookEvents(id: number): Promise<string[]> {
  const rows = await stack.orm.em.fork().find(WebhookDeliverySchema, { transaction: id }, { orderBy: { id: 'asc' } });
  return rows.map((d) => d.event);
}
async function auditActions(subjectId: number): Promise<string[]> {
  const rows = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ action: string }[]>(
      `select action from audit_events where subject_type = 'transaction' and subject_id = ? order by id`,
      [String(subjectId)],
    );
  return rows.map((r) => r.action);
}
const propose = (id: number, body: Record<string, unknown>, who = maker) =>
  stack.http.post(`/admin/payments/${id}/review/proposals`, body, as(who));
const approve = (proposalId: number, who: string, http: AxiosInstance = stack.http) =>
  http.post(`/admin/review-proposals/${proposalId}/approve`, {}, as(who));

describe('Ending a review with maker-checker', () => {
  it('When one admin proposes completing with a receipt and two others approve at once, then the payment completes through its workflow with the fee captured once and one payment.completed', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { walletKes: 1000, callbackUrl: receiver.url });
      const payment = await paymentInReview(merchant);

      const queue = await stack.http.get('/admin/payments/review', as(checker));
      expect(queue.status).toBe(200);
      expect(queue.data).toContainEqual(
        expect.objectContaining({
          transaction_id: payment.id,
          push: expect.objectContaining({ phone_number: '254712345678' }),
          callbacks: [expect.objectContaining({ parsed: expect.objectContaining({ amount: 1, resultCode: '0' }) })],
          proposals: [],
        }),
      );

      const proposed = await propose(payment.id, {
        action: 'complete',
        receipt: 'R33MVBMXSF',
        reason: 'The org portal statement shows R33MVBMXSF for KES 9,908',
      });
      expect(proposed.status).toBe(201);
      expect(proposed.data).toMatchObject({ status: 'pending', action: 'complete', receipt: 'R33MVBMXSF' });
      // Pending proposals are visible to the other admins, and nothing has moved yet.
      const detail = await stack.http.get(`/admin/payments/review/${payment.id}`, as(checker));
      expect(detail.data.proposals).toEqual([expect.objectContaining({ id: proposed.data.id, status: 'pending' })]);
      expect(detail.data.timeline.length).toBeGreaterThan(0);
      expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve']);
      expect((await propose(payment.id, { action: 'fail', reason: 'A second proposal while one waits' })).status).toBe(
        409,
      );

      const [first, second] = await Promise.all([
        approve(proposed.data.id, checker),
        approve(proposed.data.id, thirdAdmin),
      ]);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(first.data).toMatchObject({ status: 'approved', handed_over_at: expect.any(String) });

      const tx = await statusOf(payment.id, 'completed');
      expect(tx).toMatchObject({ mpesaReceipt: 'R33MVBMXSF', decidedBy: 'operator' });
      expect(await stack.temporal.workflow.getHandle(`payment-${payment.id}`).result()).toMatchObject({
        status: 'completed',
        decidedBy: 'operator',
      });
      expect((await approve(proposed.data.id, checker)).status).toBe(200); // approving again settles nothing more
      expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve', 'fee_capture']);
      expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({
        balance: 1000 - payment.fee,
        ledgerSum: 1000 - payment.fee,
      });
      await eventually(async () => (receiver.received.length >= 2 ? true : undefined));
      expect(await webhookEvents(payment.id)).toEqual(['payment.review_started', 'payment.completed']);
      const completed = receiver.received.find((r) => r.headers['x-imarapay-event'] === 'payment.completed')!;
      expect(completed.body.ImaraPay).toMatchObject({ status: 'completed', mpesa_receipt: 'R33MVBMXSF' });
      expect(completed.body.Body.stkCallback.ResultCode).toBe(0);
      // The amount the operator confirmed, never the KES 1 of the callback that raised the doubt.
      expect(completed.body.Body.stkCallback.CallbackMetadata.Item).toContainEqual({ Name: 'Amount', Value: 9908 });
      expect(await auditActions(payment.id)).toEqual(['review.proposed', 'review.approved']);
    } finally {
      await receiver.close();
    }
  });

  it('When two payments are proposed complete with the same receipt and both approved at once, then one completes and the other is refused: one receipt proves one payment', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const [x, y] = [await paymentInReview(merchant), await paymentInReview(merchant)];
    const receipt = `TWN${String(x.id).slice(-7).padStart(7, '0')}`;
    const proposals = [
      await propose(x.id, { action: 'complete', receipt, reason: 'Statement line' }),
      await propose(y.id, { action: 'complete', receipt, reason: 'Statement line' }),
    ];
    expect(proposals.map((p) => p.status)).toEqual([201, 201]);
    const approvals = await Promise.all(proposals.map((p) => approve(p.data.id, checker)));
    expect(approvals.map((a) => a.status).sort()).toEqual([200, 409]);
    const refused = approvals.find((a) => a.status === 409)!;
    expect(refused.data.error).toMatch(/one receipt proves one payment/);
    const [winner, loser] = approvals[0]!.status === 200 ? [x, y] : [y, x];
    expect(await statusOf(winner.id, 'completed')).toMatchObject({ mpesaReceipt: receipt });
    expect((await txOf(loser.id)).status).toBe('needs_review');
    expect(await ledgerKinds(loser.id)).toEqual(['fee_reserve']);
  });

  it('When a proposal to fail is approved, then the fee is released once and the merchant gets payment.failed', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { walletKes: 1000, callbackUrl: receiver.url });
      const payment = await paymentInReview(merchant);
      const proposed = await propose(payment.id, { action: 'fail', reason: 'M-Pesa has no such credit' });
      expect(proposed.status).toBe(201);
      expect((await approve(proposed.data.id, checker)).status).toBe(200);
      expect(await statusOf(payment.id, 'failed')).toMatchObject({ decidedBy: 'operator' });
      await stack.temporal.workflow.getHandle(`payment-${payment.id}`).result();
      expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve', 'fee_release']);
      expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({
        balance: 1000,
        ledgerSum: 1000,
      });
      expect(await webhookEvents(payment.id)).toEqual(['payment.review_started', 'payment.failed']);
    } finally {
      await receiver.close();
    }
  });

  it('When a proposal to complete a wallet top-up is approved, then the wallet is credited once with the pushed amount, as a completed top-up is', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const topUp = await paymentInReview(merchant, { topUp: true });
    expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({ balance: 1000, ledgerSum: 1000 });

    const proposed = await propose(topUp.id, {
      action: 'complete',
      receipt: 'R44TOPUPSF',
      reason: 'The paybill statement shows R44TOPUPSF for KES 9,908',
    });
    expect(proposed.status).toBe(201);
    expect((await approve(proposed.data.id, checker)).status).toBe(200);
    expect(await statusOf(topUp.id, 'completed')).toMatchObject({ decidedBy: 'operator', mpesaAmount: 9908 });
    await stack.temporal.workflow.getHandle(`payment-${topUp.id}`).result();
    expect((await approve(proposed.data.id, checker)).status).toBe(200); // handed over again: credited once

    const entries = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ kind: string; amount: number; reference: string | null }[]>(
        'select kind, amount, reference from wallet_ledger where transaction_id = ? order by id',
        [topUp.id],
      );
    expect(entries).toEqual([
      { kind: 'fee_reserve', amount: 0, reference: null },
      { kind: 'fee_capture', amount: 0, reference: null },
      { kind: 'top_up', amount: 9908, reference: 'M-Pesa R44TOPUPSF' },
    ]);
    expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({
      balance: 1000 + 9908,
      ledgerSum: 1000 + 9908,
    });
  });

  it('When the proposer approves their own, then production and a development stack without REVIEW_SELF_APPROVAL refuse it with 403 and move nothing, and only REVIEW_SELF_APPROVAL allows it', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const payment = await paymentInReview(merchant);
    const proposed = await propose(payment.id, { action: 'fail', reason: 'M-Pesa has no such credit' });

    const refused = await approve(proposed.data.id, maker, production.http);
    expect(refused.status).toBe(403);
    expect(refused.data).toEqual({
      error: 'A resolution moves money: a second admin must approve it, not the one who proposed it',
      code: 'forbidden',
    });
    expect((await txOf(payment.id)).status).toBe('needs_review');
    expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve']);

    // Development without REVIEW_SELF_APPROVAL refuses too: the rule fails closed.
    expect((await approve(proposed.data.id, maker)).status).toBe(403);
    expect((await approve(proposed.data.id, maker, selfApproving.http)).status).toBe(200);
    await statusOf(payment.id, 'failed');
    expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve', 'fee_release']);
  });

  it("When the payment's workflow had closed in review, then approval settles it once through its resolution workflow", async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { walletKes: 1000, callbackUrl: receiver.url });
      const payment = await paymentInReview(merchant);
      // As a payment from before a workflow in review stayed open: its workflow is over.
      await stack.temporal.workflow.getHandle(`payment-${payment.id}`).terminate('closed in review');
      const proposed = await propose(payment.id, {
        action: 'complete',
        receipt: 'CLOSED0RCPT',
        reason: 'Statement line',
      });
      const approved = await approve(proposed.data.id, checker);
      expect(approved.status).toBe(200);
      const resolution = stack.temporal.workflow.getHandle(reviewResolutionWorkflowId(payment.id, proposed.data.id));
      expect(await resolution.result()).toEqual({ status: 'completed', changed: true });
      expect((await approve(proposed.data.id, checker)).status).toBe(200);
      expect(await txOf(payment.id)).toMatchObject({ status: 'completed', mpesaReceipt: 'CLOSED0RCPT' });
      expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve', 'fee_capture']);
      expect(await webhookEvents(payment.id)).toContain('payment.completed');

      // Were the payment back in review, a second resolution could be proposed but never approved.
      await stack.orm.em
        .fork()
        .getConnection()
        .execute(`update transactions set status = 'needs_review' where id = ?`, [payment.id]);
      const again = await propose(payment.id, { action: 'complete', receipt: 'AGAIN0RCPT', reason: 'Another line' });
      expect(again.status).toBe(201);
      const refused = await approve(again.data.id, checker);
      expect(refused.status).toBe(409);
      expect(refused.data.error).toContain('already has an approved resolution');
      expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve', 'fee_capture']);
    } finally {
      await receiver.close();
    }
  });

  it('When a proposal is rejected, then nothing moves, the rejection is audited and a new proposal can be made', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const payment = await paymentInReview(merchant);
    const proposed = await propose(payment.id, { action: 'fail', reason: 'M-Pesa has no such credit' });
    const noReason = await stack.http.post(`/admin/review-proposals/${proposed.data.id}/reject`, {}, as(checker));
    expect(noReason.status).toBe(400);
    const rejected = await stack.http.post(
      `/admin/review-proposals/${proposed.data.id}/reject`,
      { reason: 'The statement shows the credit' },
      as(checker),
    );
    expect(rejected.status).toBe(200);
    expect(rejected.data).toMatchObject({ status: 'rejected', decision_reason: 'The statement shows the credit' });
    expect((await approve(proposed.data.id, thirdAdmin)).status).toBe(409);
    expect((await txOf(payment.id)).status).toBe('needs_review');
    expect(await ledgerKinds(payment.id)).toEqual(['fee_reserve']);
    expect(await auditActions(payment.id)).toEqual(['review.proposed', 'review.rejected']);
    expect((await propose(payment.id, { action: 'complete', receipt: 'NEW0RCPT01', reason: 'Found it' })).status).toBe(
      201,
    );
    await stack.temporal.workflow.getHandle(`payment-${payment.id}`).terminate('test over');
  });
});

describe('Who may resolve, and with what', () => {
  it('When a merchant asks for the queue or proposes, then it is 403; and bad proposals are 400 or 409 and change nothing', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const session = await signInMerchantUser(stack, merchant.merchantId);
    expect((await stack.http.get('/admin/payments/review', as(session))).status).toBe(403);
    expect((await stack.http.get('/admin/payments/review', as(merchant.authorization))).status).toBe(401);
    const payment = await paymentInReview(merchant);
    expect((await propose(payment.id, { action: 'fail', reason: 'Not mine to decide' }, session)).status).toBe(403);

    const bad = await propose(payment.id, { action: 'complete', receipt: "r3'; drop--", reason: 'Statement' });
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ code: 'validation_failed', field: 'receipt' });
    expect((await propose(payment.id, { action: 'complete', reason: 'No receipt' })).data).toMatchObject({
      field: 'receipt',
    });
    expect((await propose(payment.id, { action: 'fail' })).data).toMatchObject({ field: 'reason' });
    expect((await propose(999_999_999, { action: 'fail', reason: 'No such payment' })).status).toBe(404);
    expect(await auditActions(payment.id)).toEqual([]);

    const done = await createMerchantFixture(stack, { walletKes: 1000 });
    const pushed = await stack.http.post(
      '/stk-push',
      { account_id: done.channelId, phone_number: '0712345678', amount: 500 },
      as(done.authorization),
    );
    await statusOf(pushed.data.transaction_id, 'completed');
    const notInReview = await propose(pushed.data.transaction_id, { action: 'fail', reason: 'Not in review' });
    expect(notInReview.status).toBe(409);
    const { mpesaReceipt } = await txOf(pushed.data.transaction_id);
    const taken = await propose(payment.id, { action: 'complete', receipt: mpesaReceipt, reason: 'Wrong line' });
    expect(taken.status).toBe(409);
    expect(taken.data.error).toContain('belongs to another payment');
    await stack.temporal.workflow.getHandle(`payment-${payment.id}`).terminate('test over');
  });
});
