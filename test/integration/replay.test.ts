import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { HistoryAndWorkflowId } from '@temporalio/client';
import axios from 'axios';
import { darajaCallbackUrl } from '../../config/callbackUrl';
import { TransactionSchema } from '../../db/entities';
import { reviewResolutionWorkflowId } from '../../workflows/reviewResolution';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin } from '../support/signedInUsers';

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

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A KES 9,908 push (its prompt stays open) whose success callback says Amount 1: in review. Returns its id. */
async function paymentInReview(merchant: MerchantFixture): Promise<number> {
  const res = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount: 9908 },
    { headers: { Authorization: merchant.authorization } },
  );
  const id = res.data.transaction_id as number;
  await axios.post(darajaCallbackUrl(stack.config, id), {
    Body: {
      stkCallback: {
        MerchantRequestID: 'm-replay',
        CheckoutRequestID: res.data.checkout_request_id,
        ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: 1 },
            { Name: 'MpesaReceiptNumber', Value: 'REPLAY0RCP' },
          ],
        },
      },
    },
  });
  await eventually(async () =>
    (await stack.orm.em.fork().findOneOrFail(TransactionSchema, id)).status === 'needs_review' ? true : undefined,
  );
  return id;
}

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
    expect(recorded).toHaveLength(SCENARIOS.length);
    expect(await replay(recorded.map(({ workflowId, history }) => ({ workflowId, history })))).toEqual([]);

    if (process.env.RECORD_HISTORIES === '1') {
      for (const { name, history } of recorded)
        writeFileSync(join(FIXTURES, `${name}.history.bin`), History.encode(history).finish());
    }
  });

  it('When a payment in review is resolved by an operator, through its open workflow or a resolution workflow once closed, then both histories replay', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
    const [maker, checker] = await Promise.all([signInAdmin(stack), signInAdmin(stack)]);
    const resolve = async (id: number, receipt: string) => {
      const proposal = await stack.http.post(
        `/admin/payments/${id}/review/proposals`,
        { action: 'complete', receipt, reason: 'Found on the M-Pesa statement' },
        { headers: { Authorization: maker } },
      );
      expect(proposal.status).toBe(201);
      const approved = await stack.http.post(
        `/admin/review-proposals/${proposal.data.id}/approve`,
        {},
        { headers: { Authorization: checker } },
      );
      expect(approved.status).toBe(200);
      return proposal.data.id as number;
    };

    const open = await paymentInReview(merchant);
    await resolve(open, 'OPEN0RCPT1');
    const openHandle = stack.temporal.workflow.getHandle(`payment-${open}`);
    expect(await openHandle.result()).toMatchObject({ status: 'completed', decidedBy: 'operator' });

    const closed = await paymentInReview(merchant);
    await stack.temporal.workflow
      .getHandle(`payment-${closed}`)
      .terminate('closed in review, as before review-stays-open');
    const proposalId = await resolve(closed, 'CLOSED0RCP');
    const resolution = stack.temporal.workflow.getHandle(reviewResolutionWorkflowId(closed, proposalId));
    expect(await resolution.result()).toEqual({ status: 'completed', changed: true });

    const recorded = [
      { name: 'review-resolved-by-operator', handle: openHandle },
      { name: 'review-resolution-of-closed-payment', handle: resolution },
    ];
    const histories = await Promise.all(
      recorded.map(async ({ name, handle }) => ({
        name,
        workflowId: handle.workflowId,
        history: await handle.fetchHistory(),
      })),
    );
    expect(await replay(histories.map(({ workflowId, history }) => ({ workflowId, history })))).toEqual([]);
    if (process.env.RECORD_HISTORIES === '1') {
      for (const { name, history } of histories)
        writeFileSync(join(FIXTURES, `${name}.history.bin`), History.encode(history).finish());
    }
  });

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
