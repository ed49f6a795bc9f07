/**
 * The reconciliation asks M-Pesa's own record (Pull Transactions, over HTTP against the simulator)
 * about payments that ended without M-Pesa's final word, and hands what it finds to the payment.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { MpesaRecordSchema, TransactionSchema } from '../../db/entities';
import { walletSnapshot } from '../../db/ledger';
import { reconciliationInput } from '../../worker/reconciliationSchedule';
import { mpesaRecordWorkflowId } from '../../workflows/mpesaRecord';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

let stack: Stack;

beforeAll(async () => {
  // Short windows: a payment with no answer fails and its workflow closes within seconds.
  stack = await startStack({
    env: {
      PAYMENT_CALLBACK_TIMEOUT_MS: '1000',
      PAYMENT_UNCONFIRMED_WAIT_MS: '2000',
      PAYMENT_QUERY_WINDOW_MS: '1500',
      PAYMENT_LATE_CALLBACK_WINDOW_MS: '1500',
      RECONCILIATION_ORPHAN_GRACE_SECONDS: '0',
      RECONCILIATION_INTERVAL_SECONDS: '3600',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const em = () => stack.orm.em.fork();
const tx = (id: number) => em().findOneOrFail(TransactionSchema, id);

async function runReconciliation() {
  return stack.temporal.workflow.execute('reconciliationWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId: `reconciliation-test-${randomBytes(4).toString('hex')}`,
    args: [reconciliationInput(stack.config)],
  });
}

/** Waits until the payment's own workflow has closed (its late-callback window is over). */
async function workflowClosed(id: number) {
  await eventually(
    async () => {
      const row = await tx(id);
      const description = await stack.temporal.workflow.getHandle(row.workflowId).describe();
      return description.status.name === 'RUNNING' ? undefined : row;
    },
    { timeoutMs: 60_000 },
  );
}

describe("M-Pesa's own record ends the payments nobody answered", () => {
  it('When the push answer and the callback are both lost, then the payment ends failed, and the reconciliation finds it in Pull Transactions and completes it with its receipt, fee charged once', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const pushed = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 9909 },
      { headers: { Authorization: merchant.authorization } },
    );
    // The push's answer was lost: ImaraPay holds no CheckoutRequestID, and no callback ever comes.
    expect(pushed.status).toBe(202);
    const id = pushed.data.transaction_id as number;
    expect((await tx(id)).checkoutRequestId).toBeNull();
    const failed = await eventually(async () => ((await tx(id)).status === 'failed' ? tx(id) : undefined));
    expect(failed.decidedBy).toBe('no_answer');
    await workflowClosed(id);
    const [push] = stack.simulator.control.pushes().filter((p) => p.amount === 9909);
    expect(push?.callbacks).toEqual([]);
    expect(push?.receipt).toMatch(/^[A-Z0-9]{10}$/);

    const run = await runReconciliation();
    expect(run.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'mpesa_record_found', ids: expect.arrayContaining([id]) }),
      ]),
    );
    const done = await eventually(async () => ((await tx(id)).status === 'completed' ? tx(id) : undefined));
    expect(done.mpesaReceipt).toBe(push!.receipt);
    expect(done.decidedBy).toBe('mpesa_record');
    const [record] = await em().find(MpesaRecordSchema, { transaction: id });
    expect(record).toMatchObject({
      source: 'pull_transactions',
      disposition: 'evidence',
      outcome: 'completed',
      receipt: push!.receipt,
      amount: 9909,
      delivery: 'late_workflow',
    });

    // The late path is a workflow of its own: its history replays, and is kept as a fixture (RECORD_HISTORIES=1).
    const lateHandle = stack.temporal.workflow.getHandle(mpesaRecordWorkflowId(id, String(record!.id)));
    expect(await lateHandle.result()).toEqual({ completed: true });
    const history = await lateHandle.fetchHistory();
    for await (const replayed of Worker.runReplayHistories(
      { workflowBundle: { codePath: process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE! } },
      [{ workflowId: lateHandle.workflowId, history }],
    ))
      expect(replayed.error).toBeUndefined();
    if (process.env.RECORD_HISTORIES === '1')
      writeFileSync(
        join(__dirname, '..', 'fixtures', 'histories', 'mpesa-record-completes-failed.history.bin'),
        temporal.api.history.v1.History.encode(history).finish(),
      );

    // The fee (released when it failed) is charged again exactly once, and a second run changes nothing.
    const fee = done.fee;
    await eventually(async () => {
      const wallet = await walletSnapshot(em(), merchant.merchantId);
      return wallet.balance === 1000 - fee ? wallet : undefined;
    });
    await runReconciliation();
    expect(await em().count(MpesaRecordSchema, { transaction: id })).toBe(1);
    expect(await walletSnapshot(em(), merchant.merchantId)).toEqual({ balance: 1000 - fee, ledgerSum: 1000 - fee });
  });

  it('When M-Pesa holds a credit ImaraPay never pushed, then no payment is completed by it', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const pushed = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 9908 },
      { headers: { Authorization: merchant.authorization } },
    );
    const id = pushed.data.transaction_id as number;
    await eventually(async () => ((await tx(id)).status === 'failed' ? true : undefined));
    await workflowClosed(id);
    const row = await tx(id);
    // Same till and reference, another amount, and a second same-reference credit: nothing can be told apart.
    stack.simulator.control.addCredit({ shortcode: row.partyB!, amount: 50, billReference: row.accountReference });
    stack.simulator.control.addCredit({ shortcode: row.partyB!, amount: 60, billReference: row.accountReference });
    await runReconciliation();
    expect((await tx(id)).status).toBe('failed');
    expect(await em().count(MpesaRecordSchema, { transaction: id })).toBe(0);
  });
});
