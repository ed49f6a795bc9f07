import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { PaymentActivities, SettleResult } from '../../activities/types';
import { FailureType } from '../../domain/failureTypes';
import type { CallbackOutcome, PaymentDecision } from '../../domain/payment';
import {
  darajaCallbackSignal,
  operatorVerdictSignal,
  progressQuery,
  pushOutcomeUpdate,
  type PaymentProgress,
  type PaymentTimings,
  type PushOutcome,
} from '../../workflows/definitions';
import type { paymentWorkflow } from '../../workflows/payment';
import { CHECKOUT_REQUEST_ID, EVIDENCE } from '../../workflows/searchAttributes';
import { eventually } from '../support/harness';

try {
  // The scripted refusals below are activity failures the worker logs as warnings: expected here.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed by an earlier test file in this worker process
}

/**
 * The payment workflow's decisions on the real Temporal server, with stub activities in place of
 * Postgres, Daraja and the merchant: each payment gets a script of what its activities answer, and
 * the test drives callbacks as signals and reads what the workflow settled.
 */
const PUSHED = 'ws_CO_PUSHED';
const TIMINGS: PaymentTimings = {
  callbackTimeoutMs: 1_000,
  unconfirmedWaitMs: 60_000,
  queryWindowMs: 2_000,
  queryIntervalMs: 200,
  queryMaxIntervalMs: 400,
  lateCallbackWindowMs: 1_000,
  pushDeadlineMs: 5_000,
  webhookInitialRetryMs: 100,
  webhookMaxRetryMs: 200,
  webhookRetryWindowMs: 2_000,
};

/** A promise the test resolves when it chooses. */
class Gate {
  open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
}

/** What one payment's activities answer, and what they were asked. */
class Script {
  reserveFee: () => Promise<void> = async () => undefined;
  sendStkPush: () => Promise<{ checkoutRequestId: string; merchantRequestId: string }> = async () => ({
    checkoutRequestId: PUSHED,
    merchantRequestId: 'MR-1',
  });
  queryStkStatus: () => Promise<Awaited<ReturnType<PaymentActivities['queryStkStatus']>>> = async () => ({
    state: 'pending',
    description: 'The transaction is being processed',
  });
  /** Webhook deliveries wait for this gate (open unless a test holds it). */
  webhookGate: Promise<void> = Promise.resolve();

  readonly pushes: number[] = [];
  readonly queries: number[] = [];
  readonly settlements: PaymentDecision[] = [];
  /** Settlements of decisions this picks are refused as Postgres refuses bad data. */
  refuseSettlement: (decision: PaymentDecision) => boolean = () => false;
  /** The reasons markNeedsReview put the payment in review for. */
  readonly reviewMarks: string[] = [];
  readonly webhooks: string[] = [];
  lateFees = 0;
  /** The stored status, with the settlement's rules: a completed payment is never failed. */
  private status: 'pending' | 'completed' | 'failed' | 'needs_review' = 'pending';
  private receipt: string | null = null;

  markNeedsReview(reason: string): void {
    this.reviewMarks.push(reason);
    if (this.status !== 'completed') this.status = 'needs_review';
  }

  settle(decision: PaymentDecision): SettleResult {
    this.settlements.push(decision);
    if (this.refuseSettlement(decision))
      throw ApplicationFailure.create({
        type: FailureType.SettlementDataInvalid,
        message: 'Recording the outcome failed on its data: value too long for type character varying(20)',
        nonRetryable: true,
      });
    if (decision.reviewReason) {
      // The review rule found the evidence in doubt: the real settlement holds the payment in review.
      this.status = 'needs_review';
      return { status: 'needs_review', lateFeeDue: false, changed: true, conflicts: decision.disagreeing?.length ?? 0 };
    }
    if (this.status === 'completed') {
      const conflicts =
        decision.status === 'completed' && this.receipt !== null && decision.receipt !== this.receipt ? 1 : 0;
      const bringsReceipt = this.receipt === null && decision.receipt !== null;
      if (bringsReceipt) this.receipt = decision.receipt;
      return { status: 'completed', lateFeeDue: false, changed: bringsReceipt, conflicts };
    }
    if (decision.source === 'operator' && this.status === 'failed')
      return { status: this.status, lateFeeDue: false, changed: false, conflicts: 0 };
    const wasFailed = this.status === 'failed';
    this.status = decision.status;
    this.receipt = decision.receipt;
    return {
      status: decision.status,
      lateFeeDue: wasFailed && decision.status === 'completed',
      changed: true,
      conflicts: 0,
    };
  }
}

const scripts = new Map<number, Script>();
const scriptOf = (transactionId: number) => scripts.get(transactionId)!;

const activities: PaymentActivities = {
  async reserveFee({ transactionId }) {
    await scriptOf(transactionId).reserveFee();
    return { balance: 100 };
  },
  async sendStkPush({ transactionId }) {
    scriptOf(transactionId).pushes.push(Date.now());
    return scriptOf(transactionId).sendStkPush();
  },
  async queryStkStatus({ transactionId }) {
    scriptOf(transactionId).queries.push(Date.now());
    return scriptOf(transactionId).queryStkStatus();
  },
  async settlePayment({ transactionId, decision }) {
    return scriptOf(transactionId).settle(decision);
  },
  async markNeedsReview({ transactionId, reason }) {
    scriptOf(transactionId).markNeedsReview(reason);
  },
  async chargeLateFee({ transactionId }) {
    scriptOf(transactionId).lateFees++;
  },
  async deliverWebhook({ transactionId, event }) {
    await scriptOf(transactionId).webhookGate;
    scriptOf(transactionId).webhooks.push(event);
    return { delivered: true, skippedReason: null };
  },
  async markWebhookGivenUp() {},
  async redeliverWebhook() {
    throw new Error('not part of a payment');
  },
  async markRedeliveryGivenUp() {},
};

const taskQueue = `workflow-decisions-${randomUUID()}`;
let connection: Connection;
let client: Client;
let workerConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let nextTransactionId = 1;

beforeAll(async () => {
  const address = process.env.TEMPORAL_TEST_ADDRESS!;
  connection = await Connection.connect({ address });
  client = new Client({ connection });
  workerConnection = await NativeConnection.connect({ address });
  worker = await Worker.create({
    connection: workerConnection,
    taskQueue,
    workflowBundle: { codePath: process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE! },
    activities,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await connection?.close();
});

/**
 * Starts a payment whose activities follow `script` and waits for its push outcome, both in one
 * update-with-start as the API does (a refused payment may close before a separate update reached it).
 */
async function startPayment(
  script: Script,
  timings: Partial<PaymentTimings> = {},
): Promise<{ handle: WorkflowHandle<typeof paymentWorkflow>; push: PushOutcome }> {
  const transactionId = nextTransactionId++;
  scripts.set(transactionId, script);
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof paymentWorkflow>('paymentWorkflow', {
    taskQueue,
    workflowId: `workflow-decisions-${randomUUID()}-payment-${transactionId}`,
    workflowIdConflictPolicy: 'FAIL',
    args: [
      {
        transactionId,
        merchantId: 1,
        amount: 500,
        fee: 6,
        externalReference: null,
        environment: 'sandbox',
        timings: { ...TIMINGS, ...timings },
      },
    ],
  });
  const push = await client.workflow.executeUpdateWithStart(pushOutcomeUpdate, { startWorkflowOperation });
  return { handle: await startWorkflowOperation.workflowHandle(), push };
}

let nextCallbackId = 1;
function callback(resultCode: string, fields: Partial<CallbackOutcome> = {}): CallbackOutcome {
  const success = resultCode === '0';
  const callbackId = nextCallbackId++;
  return {
    callbackId,
    checkoutRequestId: PUSHED,
    resultCode,
    resultDesc: success ? 'The service request is processed successfully.' : 'Request cancelled by user',
    receipt: success ? `RCPT${callbackId}` : null,
    amount: success ? 500 : null,
    phoneNumber: success ? '254712345678' : null,
    transactionDate: success ? '20261130120000' : null,
    problems: [],
    ...fields,
  };
}

/** Waits until the workflow's progress satisfies `check`. */
function progressUntil(handle: WorkflowHandle, check: (p: PaymentProgress) => boolean): Promise<PaymentProgress> {
  return eventually(async () => {
    const progress = await handle.query(progressQuery);
    return check(progress) ? progress : undefined;
  });
}

describe('The payment workflow decides (stub activities)', () => {
  it('When a success callback follows a failure callback, then the payment fails, then completes with the late fee charged and both webhooks sent', async () => {
    const script = new Script();
    const { handle, push } = await startPayment(script, { lateCallbackWindowMs: 60_000 });
    expect(push).toEqual({
      outcome: 'accepted',
      checkoutRequestId: PUSHED,
      merchantRequestId: 'MR-1',
    });

    await handle.signal(darajaCallbackSignal, callback('1032'));
    await progressUntil(handle, (p) => p.stage === 'failed');
    const success = callback('0');
    await handle.signal(darajaCallbackSignal, success);

    expect(await handle.result()).toEqual({ status: 'completed', decidedBy: 'callback', receipt: success.receipt });
    expect(script.settlements.map((d) => [d.status, d.source])).toEqual([
      ['failed', 'callback'],
      ['completed', 'callback'],
    ]);
    expect(script.lateFees).toBe(1);
    expect(script.webhooks.sort()).toEqual(['payment.completed', 'payment.failed']);
  });

  it('When a second success disagrees with the first while the workflow is open, then the payment goes to review with both receipts and its workflow stays open', async () => {
    const script = new Script();
    const webhookHeld = new Gate();
    script.webhookGate = webhookHeld.opened;
    const { handle } = await startPayment(script);

    const first = callback('0');
    await handle.signal(darajaCallbackSignal, first);
    await progressUntil(handle, (p) => p.stage === 'completed');
    await handle.signal(darajaCallbackSignal, callback('0', { receipt: 'OTHER0RCPT', amount: 499 }));
    await eventually(async () => (script.settlements.length === 2 ? true : undefined));
    webhookHeld.open();

    const second = script.settlements[1]!;
    expect(second.receipt).toBe(first.receipt);
    expect(second.reviewReason).toEqual(expect.any(String));
    expect(second.disagreeing?.map((d) => d.receipt)).toEqual(['OTHER0RCPT']);
    await progressUntil(handle, (p) => p.stage === 'needs_review');
    expect((await handle.describe()).typedSearchAttributes.get(EVIDENCE)).toBe('conflict');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('the review is left to an operator');
  });

  it("When an operator's approved verdict reaches a payment in review, twice, then it settles once through the workflow, which sends the ending and closes", async () => {
    const script = new Script();
    const { handle } = await startPayment(script);
    await handle.signal(darajaCallbackSignal, callback('0', { amount: 1 }));
    await progressUntil(handle, (p) => p.stage === 'needs_review');
    const verdict = { proposalId: 7, action: 'complete' as const, receipt: 'OPER0RCPT1', reason: 'Statement line' };
    await handle.signal(operatorVerdictSignal, verdict);
    await handle.signal(operatorVerdictSignal, verdict);

    expect(await handle.result()).toEqual({ status: 'completed', decidedBy: 'operator', receipt: 'OPER0RCPT1' });
    expect(script.settlements.map((d) => [d.status, d.source, d.reviewReason !== undefined])).toEqual([
      ['completed', 'callback', true],
      ['completed', 'operator', false],
    ]);
    expect(script.webhooks).toEqual(['payment.review_started', 'payment.completed']);
  });

  it("When a payment's settlement was refused on its data and it waits in review, then an operator's approved verdict ends the review through the workflow, settled once, and the workflow closes", async () => {
    const script = new Script();
    script.refuseSettlement = (decision) => decision.source === 'callback';
    const { handle } = await startPayment(script);
    await handle.signal(darajaCallbackSignal, callback('0', { receipt: 'R'.repeat(20) }));
    await progressUntil(handle, (p) => p.stage === 'needs_review');
    expect(script.reviewMarks).toHaveLength(1);
    const verdict = { proposalId: 8, action: 'fail' as const, receipt: null, reason: 'Not on the statement' };
    await handle.signal(operatorVerdictSignal, verdict);
    await handle.signal(operatorVerdictSignal, verdict);

    expect(await handle.result()).toEqual({ status: 'failed', decidedBy: 'operator', receipt: null });
    expect(script.settlements.map((d) => [d.status, d.source])).toEqual([
      ['completed', 'callback'],
      ['failed', 'operator'],
    ]);
    expect(script.webhooks).toEqual(['payment.review_started', 'payment.failed']);
    // test/integration/replay.test.ts replays this path's committed history (RECORD_HISTORIES=1 records it).
    if (process.env.RECORD_HISTORIES === '1') {
      const file = join(
        __dirname,
        '..',
        'fixtures',
        'histories',
        'refused-settlement-resolved-by-operator.history.bin',
      );
      writeFileSync(file, temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
    }
  });

  it('When the query decides a success and a callback then brings the receipt, then the payment keeps one completion and gains the receipt', async () => {
    const script = new Script();
    script.queryStkStatus = async () => ({
      state: 'final',
      resultCode: '0',
      resultDesc: 'The service request is processed successfully.',
    });
    const { handle } = await startPayment(script, { lateCallbackWindowMs: 60_000 });

    await progressUntil(handle, (p) => p.stage === 'completed' && p.decision?.source === 'query');
    const success = callback('0');
    await handle.signal(darajaCallbackSignal, success);

    expect(await handle.result()).toEqual({ status: 'completed', decidedBy: 'callback', receipt: success.receipt });
    expect(script.settlements.map((d) => [d.source, d.receipt])).toEqual([
      ['query', null],
      ['callback', success.receipt],
    ]);
    expect(script.lateFees).toBe(0);
    expect(script.webhooks).toEqual(['payment.completed']);
  });

  it('When a callback arrives while the query is being asked, then the callback decides and the query is not asked again', async () => {
    const script = new Script();
    const queried = new Gate();
    const answer = new Gate();
    script.queryStkStatus = async () => {
      queried.open();
      await answer.opened;
      return { state: 'pending', description: 'The transaction is being processed' };
    };
    const { handle } = await startPayment(script);

    await queried.opened;
    const success = callback('0');
    await handle.signal(darajaCallbackSignal, success);
    await progressUntil(handle, (p) => p.callbacksReceived === 1);
    answer.open();

    expect(await handle.result()).toEqual({ status: 'completed', decidedBy: 'callback', receipt: success.receipt });
    expect(script.queries).toHaveLength(1);
    expect(script.settlements).toHaveLength(1);
  });

  it('When the same callback id is signalled twice, then it counts once, settles once and sends one webhook', async () => {
    const script = new Script();
    const webhookHeld = new Gate();
    script.webhookGate = webhookHeld.opened;
    const { handle } = await startPayment(script);

    const success = callback('0');
    await handle.signal(darajaCallbackSignal, success);
    await handle.signal(darajaCallbackSignal, success);
    await handle.signal(darajaCallbackSignal, { ...success, receipt: 'OTHER0RCPT' });
    const progress = await progressUntil(handle, (p) => p.stage === 'completed');
    expect(progress.callbacksReceived).toBe(1);
    webhookHeld.open();

    expect(await handle.result()).toEqual({ status: 'completed', decidedBy: 'callback', receipt: success.receipt });
    expect(script.settlements).toHaveLength(1);
    expect(script.webhooks).toEqual(['payment.completed']);
  });

  it('When the push call times out and the callback then arrives, then the callback completes the payment, which takes its CheckoutRequestID, without a query', async () => {
    const script = new Script();
    script.sendStkPush = async () => {
      throw ApplicationFailure.create({
        type: FailureType.DarajaIndeterminate,
        message: 'Daraja did not answer in time',
        nonRetryable: true,
      });
    };
    const { handle, push } = await startPayment(script);
    expect(push).toEqual({
      outcome: 'unconfirmed',
      message: 'Daraja did not answer in time',
    });

    const success = callback('0', { checkoutRequestId: 'ws_CO_FROM_CALLBACK' });
    await handle.signal(darajaCallbackSignal, success);

    expect(await handle.result()).toEqual({ status: 'completed', decidedBy: 'callback', receipt: success.receipt });
    expect(script.pushes).toHaveLength(1);
    expect(script.queries).toHaveLength(0);
    expect((await handle.describe()).typedSearchAttributes.get(CHECKOUT_REQUEST_ID)).toBe('ws_CO_FROM_CALLBACK');
  });

  it('When the wallet cannot cover the fee, then the push is refused with the fee and balance, nothing is pushed and no webhook is sent', async () => {
    const script = new Script();
    script.reserveFee = async () => {
      throw ApplicationFailure.create({
        type: FailureType.InsufficientBalance,
        message: 'Insufficient service balance: the fee is KES 6, the wallet holds KES 1',
        details: [{ fee: 6, balance: 1 }],
        nonRetryable: true,
      });
    };
    const { handle, push } = await startPayment(script);
    expect(push).toEqual({
      outcome: 'refused',
      code: 'insufficient_balance',
      message: 'Insufficient service balance: the fee is KES 6, the wallet holds KES 1',
      fee: 6,
      balance: 1,
    });
    expect(await handle.result()).toEqual({ status: 'failed', decidedBy: 'push_rejected', receipt: null });
    expect(script.pushes).toHaveLength(0);
    expect(script.settlements.map((d) => [d.status, d.source])).toEqual([['failed', 'push_rejected']]);
    expect(script.webhooks).toEqual([]);
  });

  it('When a success callback names another CheckoutRequestID than the push got, then it neither decides nor completes the payment', async () => {
    const script = new Script();
    script.queryStkStatus = async () => ({
      state: 'final',
      resultCode: '1032',
      resultDesc: 'Request cancelled by user',
    });
    const { handle } = await startPayment(script);

    await handle.signal(darajaCallbackSignal, callback('0', { checkoutRequestId: 'ws_CO_SOMEONE_ELSE' }));

    expect(await handle.result()).toEqual({ status: 'failed', decidedBy: 'query', receipt: null });
    expect(script.queries.length).toBeGreaterThanOrEqual(1);
    expect(script.settlements.map((d) => [d.status, d.source])).toEqual([['failed', 'query']]);
    expect(script.lateFees).toBe(0);
    expect(script.webhooks).toEqual(['payment.failed']);
  });
});
