import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import axios from 'axios';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createHttpServer } from '../../api/httpServer';
import { receiveDarajaCallback, type CallbackDeps } from '../../payments/receiveDarajaCallback';
import { paymentTimings } from '../../config/config';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm';
import { ALL_ENTITIES, DarajaCallbackSchema, ReconciliationRunSchema, TransactionSchema } from '../../db/entities';
import { walletSnapshot } from '../../db/ledger';
import { freePort } from '../../scripts/net';
import {
  ensureReconciliationSchedule,
  reconciliationInput,
  reconciliationScheduleId,
} from '../../worker/reconciliationSchedule';
import { killHard, spawnWorkerProcess, waitForWorkerStarted } from '../support/workerProcess';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin, signInMerchantUser } from '../support/signedInUsers';

quietTemporalRuntime();

const silent = pino({ level: 'silent' });
let stack: Stack;
let closedPort: number;
let unreachableTemporal: Client;
let unreachableOrm: Orm;

beforeAll(async () => {
  // Short windows: a 9908 payment fails and its workflow closes within seconds; orphans are acted on at once.
  stack = await startStack({
    env: {
      PAYMENT_CALLBACK_TIMEOUT_MS: '1000',
      PAYMENT_QUERY_WINDOW_MS: '1500',
      PAYMENT_LATE_CALLBACK_WINDOW_MS: '1500',
      RECONCILIATION_ORPHAN_GRACE_SECONDS: '0',
      RECONCILIATION_ORPHAN_START_WINDOW_SECONDS: '600',
      RECONCILIATION_INTERVAL_SECONDS: '3600',
    },
  });
  closedPort = await freePort(); // nothing listens there
  unreachableTemporal = new Client({
    connection: Connection.lazy({ address: `127.0.0.1:${closedPort}` }),
    namespace: stack.config.TEMPORAL_NAMESPACE,
  });
  // Postgres gone: an ORM whose server does not answer (not connected at start, or init itself would fail).
  unreachableOrm = await MikroORM.init({
    clientUrl: `postgres://postgres@127.0.0.1:${closedPort}/nowhere`,
    entities: ALL_ENTITIES,
    connect: false,
    allowGlobalContext: false,
  });
});
afterAll(async () => {
  await unreachableOrm?.close().catch(() => undefined);
  await stack?.stop();
});

const em = () => stack.orm.em.fork();
const tx = (id: number) => em().findOneOrFail(TransactionSchema, id);

function callbackDeps(overrides: Partial<CallbackDeps>): CallbackDeps {
  return {
    em: em(),
    temporal: stack.temporal,
    logger: silent,
    taskQueue: stack.taskQueue,
    timings: paymentTimings(stack.config),
    ...overrides,
  };
}

/** Daraja's success callback for a push, as M-Pesa would send it. */
function successBody(checkoutRequestId: string, amount: number, receipt: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      Body: {
        stkCallback: {
          MerchantRequestID: `mr-${randomBytes(4).toString('hex')}`,
          CheckoutRequestID: checkoutRequestId,
          ResultCode: 0,
          ResultDesc: 'The service request is processed successfully.',
          CallbackMetadata: {
            Item: [
              { Name: 'Amount', Value: amount },
              { Name: 'MpesaReceiptNumber', Value: receipt },
              { Name: 'TransactionDate', Value: 20261130120000 },
              { Name: 'PhoneNumber', Value: 254712345678 },
            ],
          },
        },
      },
    }),
  );
}

const receipt = () => `R${randomBytes(5).toString('hex').toUpperCase().slice(0, 9)}`;

async function openPrompt(merchant: MerchantFixture): Promise<{ id: number; checkoutRequestId: string }> {
  const res = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount: 9908 },
    { headers: { Authorization: merchant.authorization } },
  );
  expect(res.status).toBe(200);
  return { id: res.data.transaction_id, checkoutRequestId: res.data.checkout_request_id };
}

async function runReconciliation() {
  return stack.temporal.workflow.execute('reconciliationWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId: `reconciliation-test-${randomBytes(4).toString('hex')}`,
    args: [reconciliationInput(stack.config)],
  });
}

describe('A stored callback that never reached its workflow', () => {
  it('When Temporal could not be signalled, then the reconciliation hands the callback over and the payment completes with its receipt', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const payment = await openPrompt(merchant);
    const mpesaReceipt = receipt();
    const received = await receiveDarajaCallback(callbackDeps({ temporal: unreachableTemporal }), {
      raw: successBody(payment.checkoutRequestId, 9908, mpesaReceipt),
      receivedBytes: 0,
      transactionId: payment.id,
      sourceIp: null,
    });
    expect(received).toMatchObject({ accepted: true, stored: true, signalled: false, disposition: 'signal_failed' });

    await runReconciliation();
    const done = await eventually(async () =>
      (await tx(payment.id)).status === 'completed' ? tx(payment.id) : undefined,
    );
    expect(done.mpesaReceipt).toBe(mpesaReceipt);
    const [stored] = await em().find(DarajaCallbackSchema, { urlTransactionId: payment.id });
    expect(stored).toMatchObject({ redriveAttempts: 1 });
    expect(['signalled', 'late']).toContain(stored!.disposition);
    expect(stored!.lastRedriveAt).toBeInstanceOf(Date);
  });

  it('When its payment workflow had already closed as failed, then the redrive goes through the late path and the paid payment completes', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const payment = await openPrompt(merchant);
    await stack.temporal.workflow.getHandle(`payment-${payment.id}`).result();
    expect((await tx(payment.id)).status).toBe('failed');
    const mpesaReceipt = receipt();
    const received = await receiveDarajaCallback(callbackDeps({ temporal: unreachableTemporal }), {
      raw: successBody(payment.checkoutRequestId, 9908, mpesaReceipt),
      receivedBytes: 0,
      transactionId: payment.id,
      sourceIp: null,
    });
    expect(received.disposition).toBe('signal_failed');

    await runReconciliation();
    const done = await eventually(async () =>
      (await tx(payment.id)).status === 'completed' ? tx(payment.id) : undefined,
    );
    expect(done.mpesaReceipt).toBe(mpesaReceipt);
    const [stored] = await em().find(DarajaCallbackSchema, { urlTransactionId: payment.id });
    expect(stored!.disposition).toBe('late');
    await eventually(async () => {
      const w = await walletSnapshot(em(), merchant.merchantId);
      return w.balance === w.ledgerSum && w.balance === 50 ? true : undefined;
    });
  });

  it('When Postgres is unreachable as the callback arrives, then the workflow still gets it and Daraja is answered Accept', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const payment = await openPrompt(merchant);
    const mpesaReceipt = receipt();
    const received = await receiveDarajaCallback(callbackDeps({ em: unreachableOrm.em.fork() }), {
      raw: successBody(payment.checkoutRequestId, 9908, mpesaReceipt),
      receivedBytes: 0,
      transactionId: payment.id,
      sourceIp: null,
    });
    expect(received).toMatchObject({ accepted: true, stored: false, signalled: true });
    const done = await eventually(async () =>
      (await tx(payment.id)).status === 'completed' ? tx(payment.id) : undefined,
    );
    expect(done.mpesaReceipt).toBe(mpesaReceipt);
  });

  it('When neither Postgres nor Temporal can be reached, then Daraja is not told Accept', async () => {
    const received = await receiveDarajaCallback(
      callbackDeps({ em: unreachableOrm.em.fork(), temporal: unreachableTemporal }),
      {
        raw: successBody('ws_CO_000000000000', 10, receipt()),
        receivedBytes: 0,
        transactionId: 1,
        sourceIp: null,
      },
    );
    expect(received.accepted).toBe(false);
  });
});

describe('A payment the API recorded but could not start', () => {
  let server: Server;
  let brokenApi: string;
  beforeAll(async () => {
    const port = await freePort();
    const app = createApp({
      config: stack.config,
      orm: stack.orm,
      runSql: stack.runSql,
      temporal: unreachableTemporal,
      logger: silent,
    });
    server = createHttpServer(app, { requestTimeoutMs: stack.config.HTTP_REQUEST_TIMEOUT_MS }).listen(
      port,
      '127.0.0.1',
    );
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    brokenApi = `http://127.0.0.1:${port}/api`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function pushWithoutTemporal(merchant: MerchantFixture, amount: number, key: string) {
    const res = await axios.post(
      `${brokenApi}/stk-push`,
      { account_id: merchant.channelId, phone_number: '0712345678', amount },
      {
        headers: { Authorization: merchant.authorization, 'Idempotency-Key': key },
        validateStatus: () => true,
        timeout: 120_000,
      },
    );
    expect(res.status).toBe(503);
    expect(res.data).toMatchObject({ code: 'temporarily_unavailable' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    const [row] = await em().find(TransactionSchema, { merchant: merchant.merchantId, idempotencyKey: key });
    expect(row).toMatchObject({ stage: 'created', status: 'pending' });
    return row!;
  }

  it('When Temporal is unreachable, then the API answers 503 temporarily_unavailable and the reconciliation starts the payment', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const row = await pushWithoutTemporal(merchant, 500, `key-${randomBytes(4).toString('hex')}`);
    const result = await runReconciliation();
    expect(result.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'orphan_started', ids: expect.arrayContaining([row.id]) }),
      ]),
    );
    const done = await eventually(async () => ((await tx(row.id)).status === 'completed' ? tx(row.id) : undefined));
    expect(done.mpesaReceipt).toMatch(/^[A-Z0-9]{10}$/);
  });

  it('When the row is found long after, then it is ended failed with no prompt and no fee, and a retry with its key gets that answer', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const key = `key-${randomBytes(4).toString('hex')}`;
    const row = await pushWithoutTemporal(merchant, 500, key);
    await em()
      .getConnection()
      .execute(`update transactions set created_at = now() - interval '1 hour' where id = ?`, [row.id]);
    const pushesBefore = stack.simulator.control.pushes().length;

    const result = await runReconciliation();
    expect(result.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'orphan_ended', ids: expect.arrayContaining([row.id]) }),
      ]),
    );
    await stack.temporal.workflow.getHandle(`payment-${row.id}`).result();
    const ended = await tx(row.id);
    expect(ended).toMatchObject({ status: 'failed', pushState: 'none' });
    expect(ended.resultDesc).toMatch(/not started/i);
    expect(await walletSnapshot(em(), merchant.merchantId)).toEqual({ balance: 100, ledgerSum: 100 });
    expect(stack.simulator.control.pushes().length).toBe(pushesBefore);

    const retry = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
      { headers: { Authorization: merchant.authorization, 'Idempotency-Key': key } },
    );
    expect(retry.status).toBeGreaterThanOrEqual(400);
    expect(retry.data.transaction_id).toBe(row.id);
    expect(retry.data.error).toMatch(/not started/i);
  });
});

describe('The reconciliation schedule', () => {
  it('When a worker process starts, then its deployment has the schedule, running the reconciliation workflow', async () => {
    const worker = spawnWorkerProcess(stack.config);
    try {
      await waitForWorkerStarted(worker);
      const described = await stack.temporal.schedule.getHandle(reconciliationScheduleId(stack.taskQueue)).describe();
      expect(described.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'reconciliationWorkflow',
        taskQueue: stack.taskQueue,
      });
      expect(described.spec.intervals?.[0]?.every).toBe(3600_000);
    } finally {
      await killHard(worker.child);
      await stack.temporal.schedule
        .getHandle(reconciliationScheduleId(stack.taskQueue))
        .delete()
        .catch(() => undefined);
    }
  });

  it('When a worker starts, then the schedule exists (created once, updated when its interval changes) and a run records its findings', async () => {
    const scheduleId = `imarapay-reconciliation-${stack.taskQueue}`;
    await ensureReconciliationSchedule(stack.temporal, stack.config, { scheduleId, taskQueue: stack.taskQueue });
    await ensureReconciliationSchedule(stack.temporal, stack.config, { scheduleId, taskQueue: stack.taskQueue });
    const described = await stack.temporal.schedule.getHandle(scheduleId).describe();
    expect(described.spec.intervals?.[0]?.every).toBe(3600_000);
    expect(described.policies.overlap).toBe('SKIP');
    await ensureReconciliationSchedule(
      stack.temporal,
      { ...stack.config, RECONCILIATION_INTERVAL_SECONDS: 5 },
      { scheduleId, taskQueue: stack.taskQueue },
    );
    expect((await stack.temporal.schedule.getHandle(scheduleId).describe()).spec.intervals?.[0]?.every).toBe(5_000);

    await stack.temporal.schedule.getHandle(scheduleId).trigger();
    const run = await eventually(
      async () =>
        (await em().findOne(ReconciliationRunSchema, {
          workflowId: { $like: `${scheduleId}%` },
          finishedAt: { $ne: null },
        })) ?? undefined,
    );
    expect(Array.isArray(run.findings)).toBe(true);
    await stack.temporal.schedule.getHandle(scheduleId).delete();
  });

  it('When an admin asks, then GET /api/admin/reconciliation answers the latest runs and open findings; a merchant is refused', async () => {
    await runReconciliation();
    const res = await stack.http.get('/admin/reconciliation', { headers: { Authorization: await signInAdmin(stack) } });
    expect(res.status).toBe(200);
    expect(res.data.runs.length).toBeGreaterThan(0);
    expect(res.data.runs[0]).toEqual(
      expect.objectContaining({ id: expect.any(Number), started_at: expect.any(String), findings: expect.any(Array) }),
    );
    expect(Array.isArray(res.data.open_findings)).toBe(true);
    const merchant = await createMerchantFixture(stack);
    const merchantSession = await signInMerchantUser(stack, merchant.merchantId);
    expect(
      (await stack.http.get('/admin/reconciliation', { headers: { Authorization: merchantSession } })).status,
    ).toBe(403);
    expect((await stack.http.get('/admin/reconciliation')).status).toBe(401);
  });
});
