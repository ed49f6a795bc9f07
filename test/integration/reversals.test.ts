/**
 * Reversals over HTTP: the API starts the reversal workflow, the worker asks the simulator's Reversal
 * API, the simulator posts its result (or not) to the reversal's own URL, and the merchant reads the
 * outcome on the payment, the reversal and its webhook. One stack for the file; short real timings.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import axios from 'axios';
import { parse } from 'csv-parse/sync';
import { reversalLateOutcomeWorkflowId, reversalWorkflowId } from '../../workflows/reversal';
import { recordReversal } from '../../db/reversals';
import { reconciliationInput } from '../../worker/reconciliationSchedule';
import { reversalResultUrl } from '../../config/callbackUrl';
import { AuditEventSchema, LedgerEntrySchema, TransactionSchema } from '../../db/entities';
import { startWebhookReceiver } from '../support/webhookReceiver';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';

quietTemporalRuntime();

/** RECORD_HISTORIES=1 writes the reversal paths' histories as replay fixtures (test/integration/replay.test.ts replays them). */
async function recordHistory(transactionId: number, name: string, workflowId = reversalWorkflowId(transactionId)) {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const handle = stack.temporal.workflow.getHandle(workflowId);
  await handle.result();
  const history = await handle.fetchHistory();
  writeFileSync(
    join(__dirname, '..', 'fixtures', 'histories', `${name}.history.bin`),
    temporal.api.history.v1.History.encode(history).finish(),
  );
}

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  stack = await startStack({
    withSimulatorCertificate: true,
    simulator: { reversalResultDelayMs: 100, reversalLongDelayMs: 5000 },
    env: {
      REVERSAL_RESULT_TIMEOUT_MS: '1500',
      REVERSAL_QUERY_INTERVAL_MS: '600',
      REVERSAL_DOUBT_AFTER_MS: '3000',
      REVERSAL_LATE_RESULT_WINDOW_MS: '20000',
      RECONCILIATION_ORPHAN_GRACE_SECONDS: '1',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

const SIMULATOR_PASSWORD = 'Safaricom999!*!';

/** A verified merchant whose channel has initiator credentials (the simulator's, unless told otherwise). */
async function merchantWithInitiator(password = SIMULATOR_PASSWORD): Promise<MerchantFixture> {
  const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
  const set = await stack.http.put(
    `/accounts/${merchant.channelId}/initiator`,
    { initiator_name: 'testapi', initiator_password: password },
    { headers: { Authorization: merchant.authorization } },
  );
  expect(set.status).toBe(200);
  return merchant;
}

/** A completed payment of `amount` (the amount also chooses the simulator's reversal outcome). */
async function completedPayment(merchant: MerchantFixture, amount: number): Promise<number> {
  const push = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount },
    { headers: { Authorization: merchant.authorization } },
  );
  expect(push.status).toBe(200);
  const id = push.data.transaction_id as number;
  await eventually(async () => {
    const status = await stack.http.get(`/transaction/status/${id}`, {
      headers: { Authorization: merchant.authorization },
    });
    return status.data.status === 'completed' ? true : undefined;
  });
  return id;
}

const reverse = (merchant: MerchantFixture, id: number, key?: string) =>
  stack.http.post(
    `/transactions/${id}/reversal`,
    { remarks: 'Customer paid twice' },
    { headers: { Authorization: merchant.authorization, ...(key ? { 'Idempotency-Key': key } : {}) } },
  );

/** Waits until the reversal has `status` (anything but requested by default) and returns it. */
async function reversalOnceSettled(merchant: MerchantFixture, id: number, status?: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const res = await stack.http.get(`/transactions/${id}/reversal`, {
        headers: { Authorization: merchant.authorization },
      });
      if (res.status !== 200) return undefined;
      const done = status ? res.data.status === status : res.data.status !== 'requested';
      return done ? res.data : undefined;
    },
    { timeoutMs },
  );
}

const webhooksFor = (id: number, event: string) =>
  receiver.received.filter((w) => w.headers['x-imarapay-event'] === event && w.body.ImaraPay?.transaction_id === id);

/** The reversal requests the simulated M-Pesa received for the payment's receipt. */
const requestsFor = async (id: number) => {
  const { mpesaReceipt } = await stack.orm.em.fork().findOneOrFail(TransactionSchema, id);
  return stack.simulator.control.reversals().filter((r) => r.request.transactionId === mpesaReceipt);
};

describe('Reversing a payment', () => {
  it('When a merchant reverses a completed payment, then M-Pesa is asked once, the payment shows reversed, one webhook is sent and the fee is kept', async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 700);

    const first = await reverse(merchant, id, 'rev-1');
    expect(first.status).toBe(202);
    expect(first.data).toMatchObject({ created: true, reversal: { transaction_id: id, amount: 700, fee_refunded: 0 } });

    const reversal = await reversalOnceSettled(merchant, id);
    expect(reversal).toMatchObject({ status: 'reversed', decided_by: 'result', result_code: '0' });
    expect(reversal.reversal_receipt).toMatch(/^[A-Z0-9]{10}$/);
    expect(reversal.evidence.map((e: { kind: string; disposition: string }) => [e.kind, e.disposition])).toEqual([
      ['result', 'outcome'],
    ]);

    const status = await stack.http.get(`/transaction/status/${id}`, {
      headers: { Authorization: merchant.authorization },
    });
    expect(status.data).toMatchObject({ status: 'completed', reversal_status: 'reversed' });
    const list = await stack.http.get('/transactions', { headers: { Authorization: merchant.authorization } });
    expect(list.data.find((t: { id: number }) => t.id === id)).toMatchObject({ reversal_status: 'reversed' });
    const csv = await stack.http.get('/transactions.csv', { headers: { Authorization: merchant.authorization } });
    const records = parse(String(csv.data), { columns: true }) as Array<Record<string, string>>;
    expect(records.find((r) => r.id === String(id))?.reversal_status).toBe('reversed');
    const { publicId } = await stack.orm.em.fork().findOneOrFail(TransactionSchema, id);
    const express = await stack.http.get(`/v1/payments/${publicId}`, {
      headers: { Authorization: merchant.authorization },
    });
    expect(express.data).toMatchObject({ status: 'completed', reversalStatus: 'reversed' });

    await eventually(async () => (webhooksFor(id, 'reversal.succeeded').length === 1 ? true : undefined));
    const [webhook] = webhooksFor(id, 'reversal.succeeded');
    expect(webhook!.body.Body).toBeUndefined();
    expect(webhook!.body.ImaraPay).toMatchObject({ status: 'reversed', amount: 700, fee_refunded: 0 });
    expect(String(webhook!.headers['imarapay-signature'])).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const ledger = await stack.orm.em.fork().find(LedgerEntrySchema, { transaction: id }, { orderBy: { id: 'asc' } });
    expect(ledger.map((e) => e.kind)).toEqual(['fee_reserve', 'fee_capture']);
    expect(await requestsFor(id)).toHaveLength(1);
    await recordHistory(id, 'reversal-succeeded');

    // The same result posted again (a retry, or a replay by whoever holds the URL) is kept and decides nothing.
    const [delivered] = stack.simulator.control
      .reversalDeliveries()
      .filter(
        (d) =>
          (d.body as { Result: { ResultParameters?: unknown } }).Result.ResultParameters &&
          d.url.includes(`/${reversal.reversal_id}/result`),
      );
    const replay = await axios.post(delivered!.url, delivered!.body, { validateStatus: () => true });
    expect(replay.status).toBe(200);
    const after = await reversalOnceSettled(merchant, id);
    expect(after.evidence.map((e: { disposition: string }) => e.disposition)).toEqual(['outcome', 'repeat']);
    expect([after.status, after.reversal_receipt]).toEqual(['reversed', reversal.reversal_receipt]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(webhooksFor(id, 'reversal.succeeded')).toHaveLength(1);
  });

  it('When the same reversal is asked for again, with the same key and another, then each answer is that one reversal and M-Pesa is asked once', async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 701);
    const answers = await Promise.all([
      reverse(merchant, id, 'double-click'),
      reverse(merchant, id, 'double-click'),
      reverse(merchant, id, 'another-key'),
    ]);
    const ids = new Set(answers.map((a) => a.data.reversal.reversal_id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200).map((a) => a.data.created)).toEqual([false, false]);
    await reversalOnceSettled(merchant, id, 'reversed');
    const later = await reverse(merchant, id, 'a-third-key');
    expect([later.status, later.data.reversal.status]).toEqual([200, 'reversed']);
    await eventually(async () => (webhooksFor(id, 'reversal.succeeded').length === 1 ? true : undefined));
    expect(await requestsFor(id)).toHaveLength(1);
    const audited = await stack.orm.em
      .fork()
      .find(AuditEventSchema, { action: 'reversal.requested', subjectId: String(id) });
    expect(audited).toHaveLength(1);
  });

  it('When the till lacks the funds (9921), then the reversal fails with ResultCode 1 and reversal.failed is sent', async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 9921);
    expect((await reverse(merchant, id)).status).toBe(202);
    const reversal = await reversalOnceSettled(merchant, id);
    expect(reversal).toMatchObject({ status: 'failed', result_code: '1', decided_by: 'result' });
    await eventually(async () => (webhooksFor(id, 'reversal.failed').length === 1 ? true : undefined));
    await recordHistory(id, 'reversal-failed');
    const status = await stack.http.get(`/transaction/status/${id}`, {
      headers: { Authorization: merchant.authorization },
    });
    expect(status.data).toMatchObject({ status: 'completed', reversal_status: 'failed' });
  });

  it('When the initiator password is wrong, then M-Pesa refuses it (2001) and the reversal fails with nothing moved', async () => {
    const merchant = await merchantWithInitiator('not-the-password');
    const id = await completedPayment(merchant, 702);
    await reverse(merchant, id);
    expect(await reversalOnceSettled(merchant, id)).toMatchObject({ status: 'failed', result_code: '2001' });
  });

  it('When the initiator is refused (9922), then the reversal fails with 2001', async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 9922);
    await reverse(merchant, id);
    expect(await reversalOnceSettled(merchant, id)).toMatchObject({ status: 'failed', result_code: '2001' });
  });

  it('When M-Pesa says the payment was already reversed (9923), then the money is back with the customer: reversed', async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 9923);
    await reverse(merchant, id);
    expect(await reversalOnceSettled(merchant, id)).toMatchObject({ status: 'reversed', result_code: 'R000001' });
  });

  it('When no result ever comes (9924, a queue timeout), then the reversal ends in_doubt for ops, never failed', async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 9924);
    await reverse(merchant, id);
    const reversal = await reversalOnceSettled(merchant, id);
    expect(reversal.status).toBe('in_doubt');
    expect(reversal.evidence.map((e: { kind: string }) => e.kind)).toContain('timeout');
    const status = await stack.http.get(`/transaction/status/${id}`, {
      headers: { Authorization: merchant.authorization },
    });
    expect(status.data.reversal_status).toBe('in_doubt');
    expect(webhooksFor(id, 'reversal.failed')).toHaveLength(0);
  });

  it("When a result arrives after the in_doubt reversal's workflow ended, then it settles the reversal and its webhook is sent exactly once", async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 9924);
    await reverse(merchant, id);
    const doubtful = await reversalOnceSettled(merchant, id, 'in_doubt');
    // Its late window ends: the reversal's workflow is over, and only then does M-Pesa's result come.
    await stack.temporal.workflow.getHandle(reversalWorkflowId(id)).terminate('late window over');
    const [sent] = await requestsFor(id);
    const late = {
      Result: {
        ResultType: 0,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        OriginatorConversationID: sent!.originatorConversationId,
        ConversationID: sent!.conversationId,
        TransactionID: 'OEI2AK4XQ9',
        ResultParameters: { ResultParameter: [{ Key: 'Amount', Value: 9924 }] },
      },
    };
    const url = reversalResultUrl(stack.config, doubtful.reversal_id, 'result');
    expect((await axios.post(url, late, { validateStatus: () => true })).status).toBe(200);
    const reversal = await reversalOnceSettled(merchant, id, 'reversed');
    expect([reversal.decided_by, reversal.reversal_receipt]).toEqual(['result', 'OEI2AK4XQ9']);
    await eventually(async () => (webhooksFor(id, 'reversal.succeeded').length === 1 ? true : undefined));
    await recordHistory(id, 'reversal-late-outcome', reversalLateOutcomeWorkflowId(id));

    // M-Pesa posting it again changes nothing and sends nothing more.
    expect((await axios.post(url, late, { validateStatus: () => true })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(webhooksFor(id, 'reversal.succeeded')).toHaveLength(1);
    expect(webhooksFor(id, 'reversal.failed')).toHaveLength(0);
  });

  it('When the result comes only after a long delay (9925), then Transaction Status is asked meanwhile and the late result still ends it reversed', async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 9925);
    await reverse(merchant, id);
    const reversal = await reversalOnceSettled(merchant, id, 'reversed');
    expect(reversal.decided_by).toBe('result');
    expect(reversal.evidence.map((e: { kind: string }) => e.kind)).toContain('status');
    await eventually(async () => (webhooksFor(id, 'reversal.succeeded').length === 1 ? true : undefined));
    await recordHistory(id, 'reversal-late-result');
  });

  it("When the result is lost (9926), then M-Pesa's own record (Transaction Status) ends it reversed", async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 9926);
    await reverse(merchant, id);
    const reversal = await reversalOnceSettled(merchant, id, 'reversed');
    expect(reversal.decided_by).toBe('mpesa_record');
    expect(reversal.reversal_receipt).toMatch(/^[A-Z0-9]{10}$/);
  });
});

describe('A reversal recorded without its workflow', () => {
  it('When the request ended before starting the workflow, then the reconciliation starts it once and it ends reversed', async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 705);
    const payment = await stack.orm.em.fork().findOneOrFail(TransactionSchema, id);
    await recordReversal(stack.orm.em.fork(), {
      transactionId: id,
      merchantId: merchant.merchantId,
      channelId: merchant.channelId,
      environment: 'sandbox',
      amount: 705,
      receipt: payment.mpesaReceipt!,
      idempotencyKey: null,
      requestedBy: 'an API that died',
      remarks: 'Recorded, never started',
      workflowId: reversalWorkflowId(id),
    });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const runs = await Promise.all(
      [1, 2].map((n) =>
        stack.temporal.workflow.execute('reconciliationWorkflow', {
          taskQueue: stack.taskQueue,
          workflowId: `reconciliation-reversal-${id}-${n}`,
          args: [reconciliationInput(stack.config)],
        }),
      ),
    );
    expect(runs).toHaveLength(2);
    expect(await reversalOnceSettled(merchant, id)).toMatchObject({ status: 'reversed' });
    expect(await requestsFor(id)).toHaveLength(1);
  });
});

describe('Who may reverse what', () => {
  it("When a merchant asks to reverse another merchant's payment, then the answer is 404 and nothing is recorded", async () => {
    const owner = await merchantWithInitiator();
    const other = await merchantWithInitiator();
    const id = await completedPayment(owner, 703);
    const res = await reverse(other, id);
    expect([res.status, res.data.code]).toEqual([404, 'not_found']);
    const get = await stack.http.get(`/transactions/${id}/reversal`, {
      headers: { Authorization: owner.authorization },
    });
    expect(get.status).toBe(404);
  });

  it('When the channel has no initiator, then the answer is 409 initiator_required naming the Org Reversals Initiator role', async () => {
    const merchant = await createMerchantFixture(stack);
    const id = await completedPayment(merchant, 704);
    const res = await reverse(merchant, id);
    expect([res.status, res.data.code]).toEqual([409, 'initiator_required']);
    expect(res.data.error).toMatch(/Org Reversals Initiator/);
  });

  it('When the payment did not complete, then the answer is 409 not_reversible', async () => {
    const merchant = await merchantWithInitiator();
    const push = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 1032 },
      { headers: { Authorization: merchant.authorization } },
    );
    const id = push.data.transaction_id as number;
    await eventually(async () => {
      const s = await stack.http.get(`/transaction/status/${id}`, {
        headers: { Authorization: merchant.authorization },
      });
      return s.data.status === 'failed' ? true : undefined;
    });
    const res = await reverse(merchant, id);
    expect([res.status, res.data.code]).toEqual([409, 'not_reversible']);
  });

  it('When a result carries a ResultCode longer than any M-Pesa sends, then it is still stored as it came, never lost to a 503', async () => {
    const merchant = await merchantWithInitiator();
    const id = await completedPayment(merchant, 9926);
    const asked = await reverse(merchant, id);
    const reversalId = asked.data.reversal.reversal_id as number;
    const sent = await eventually(async () => (await requestsFor(id))[0]);
    const odd = {
      Result: {
        ResultType: 0,
        ResultCode: 'SVC0001-UNEXPECTED-LONG-CODE-42',
        ResultDesc: 'Something new',
        OriginatorConversationID: sent.originatorConversationId,
        ConversationID: sent.conversationId,
        TransactionID: 'OEI2AK4XR1',
      },
    };
    const url = reversalResultUrl(stack.config, reversalId, 'result');
    expect((await axios.post(url, odd, { validateStatus: () => true })).status).toBe(200);
    const rows = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ result_code: string }[]>('select result_code from reversal_results where reversal_id = ?', [
        reversalId,
      ]);
    expect(rows.map((r) => r.result_code)).toContain('SVC0001-UNEXPECTED-LONG-CODE-42');
  });

  it('When a result is posted with a wrong token, then it is answered 404 and not stored', async () => {
    const good = reversalResultUrl(stack.config, 1, 'result');
    const wrong = good.replace(/daraja-reversals\/[0-9a-f]+\//, `daraja-reversals/${'0'.repeat(32)}/`);
    const res = await axios.post(wrong, { Result: {} }, { validateStatus: () => true });
    expect(res.status).toBe(404);
  });
});
