import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import axios from 'axios';
import { darajaCallbackUrl } from '../../config/callbackUrl';
import { TransactionSchema } from '../../db/entities';
import type { MpesaRecordEvidence } from '../../domain/mpesaRecord';
import { mpesaRecordSignal } from '../../workflows/definitions';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

/**
 * Workflow code must replay every history it ever wrote. Committed histories (test/fixtures/histories,
 * protobuf binary) guard payments already running in production: a change that breaks one must come
 * with a patch (`patched()`) or a new worker version, and its old fixture stays to prove it. Fresh
 * histories from this run cover every branch of today's code. RECORD_HISTORIES=1 records today's set.
 */
const History = temporal.api.history.v1.History;
const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');
const SCENARIOS: Array<[name: string, amount: number, walletKes: number]> = [
  ['completed-by-callback', 500, 100],
  ['cancelled-fee-released', 1032, 100],
  ['completed-by-query', 9902, 100],
  ['late-success-after-failed', 9904, 100],
  ['spike-arrest-retried', 9906, 100],
  ['push-timed-out', 9907, 100],
  ['refused-insufficient-wallet', 500, 1],
];

/** What the evidence paths do after the push: the payment's id and CheckoutRequestID. */
type Drive = (payment: { id: number; checkoutRequestId: string }) => Promise<void>;

/** Paths that need evidence from outside the simulator: a disagreeing callback, M-Pesa's own record. */
const DRIVEN: Array<[name: string, amount: number, drive: Drive]> = [
  [
    'review-settled-by-mpesa-record',
    9908,
    async (payment) => {
      await callBack(payment, 1, 'RVW0RECPT1');
      await statusReached(payment.id, 'needs_review');
      await recordFound(payment, 'RVW0RECPT1');
    },
  ],
  [
    'failed-completed-by-mpesa-record',
    9908,
    async (payment) => {
      await axios.post(darajaCallbackUrl(stack.config, payment.id), {
        Body: {
          stkCallback: {
            MerchantRequestID: 'm-replay',
            CheckoutRequestID: payment.checkoutRequestId,
            ResultCode: 1032,
            ResultDesc: 'Request cancelled by user',
          },
        },
      });
      await statusReached(payment.id, 'failed');
      await recordFound(payment, 'FLD0RECPT1');
    },
  ],
];

async function callBack(payment: { id: number; checkoutRequestId: string }, amount: number, receipt: string) {
  const stkCallback = {
    MerchantRequestID: 'm-replay',
    CheckoutRequestID: payment.checkoutRequestId,
    ResultCode: 0,
    ResultDesc: 'The service request is processed successfully.',
    CallbackMetadata: {
      Item: [
        { Name: 'Amount', Value: amount },
        { Name: 'MpesaReceiptNumber', Value: receipt },
        { Name: 'TransactionDate', Value: 20261207203000 },
        { Name: 'PhoneNumber', Value: 254712345678 },
      ],
    },
  };
  await axios.post(darajaCallbackUrl(stack.config, payment.id), { Body: { stkCallback } });
}
const statusReached = (id: number, status: string) =>
  eventually(async () =>
    (await stack.orm.em.fork().findOneOrFail(TransactionSchema, id)).status === status ? true : undefined,
  );
async function recordFound(payment: { id: number }, receipt: string) {
  const record: MpesaRecordEvidence = {
    recordId: `ts-${payment.id}`,
    source: 'transaction_status',
    outcome: 'completed',
    receipt,
    amount: 9908,
    payer: null,
    completedAt: '2026-12-07T20:30:00+03:00',
    description: 'The service request is processed successfully.',
  };
  await stack.temporal.workflow.getHandle(`payment-${payment.id}`).signal(mpesaRecordSignal, record);
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function replay(histories: HistoryAndWorkflowId[]) {
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: { codePath: process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE! } },
    histories,
  )) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

describe('Workflow determinism', () => {
  it('When every payment path is run and its history replayed, then no replay diverges', async () => {
    const recorded = await Promise.all(
      SCENARIOS.map(async ([name, amount, walletKes]) => {
        const merchant = await createMerchantFixture(stack, { walletKes });
        const res = await stack.http.post(
          '/stk-push',
          { account_id: merchant.channelId, phone_number: '0712345678', amount },
          { headers: { Authorization: merchant.authorization } },
        );
        const handle = stack.temporal.workflow.getHandle(`payment-${res.data.transaction_id}`);
        await handle.result();
        return { name, workflowId: handle.workflowId, history: await handle.fetchHistory() };
      }),
    );
    const driven = await Promise.all(
      DRIVEN.map(async ([name, amount, drive]) => {
        const merchant = await createMerchantFixture(stack, { walletKes: 100 });
        const res = await stack.http.post(
          '/stk-push',
          { account_id: merchant.channelId, phone_number: '0712345678', amount },
          { headers: { Authorization: merchant.authorization } },
        );
        const handle = stack.temporal.workflow.getHandle(`payment-${res.data.transaction_id}`);
        await drive({ id: res.data.transaction_id, checkoutRequestId: res.data.checkout_request_id });
        expect(await handle.result()).toMatchObject({ status: 'completed', decidedBy: 'mpesa_record' });
        return { name, workflowId: handle.workflowId, history: await handle.fetchHistory() };
      }),
    );
    recorded.push(...driven);
    expect(recorded).toHaveLength(SCENARIOS.length + DRIVEN.length);
    expect(await replay(recorded.map(({ workflowId, history }) => ({ workflowId, history })))).toEqual([]);

    if (process.env.RECORD_HISTORIES === '1') {
      for (const { name, history } of recorded)
        writeFileSync(join(FIXTURES, `${name}.history.bin`), History.encode(history).finish());
    }
  }, 300_000);

  it('When the committed histories are replayed with today’s code, then none diverges', async () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.history.bin'));
    expect(files.length).toBeGreaterThanOrEqual(SCENARIOS.length);
    const histories = files.map((file) => ({
      workflowId: file.replace(/\.history\.bin$/, ''),
      history: History.decode(readFileSync(join(FIXTURES, file))),
    }));
    expect(await replay(histories)).toEqual([]);
  });
});
