import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import { postChecked } from '../../activities/webhookPost';
import { createChannel, createMerchant } from '../../db/merchants';
import { createOrm, migrate, type Orm } from '../../db/orm';
import { claimWebhookAttempt, recordAttemptResult, workerPresence } from '../../db/webhookAttempts';
import { createTestDatabase, dropTestDatabase } from '../support/database';

let databaseUrl: string;
let orm: Orm;
beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  orm = await createOrm({ databaseUrl, poolSize: 5 });
  await migrate(orm);
});
afterAll(async () => {
  await orm?.close();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

let nextTransaction = 1;
/** A pending delivery of a fresh payment; answers its id. */
async function newDelivery(): Promise<number> {
  const em = orm.em.fork();
  const id = nextTransaction++;
  const merchantId = await createMerchant(em, { name: 'Lease shop', email: `lease-${id}-${Date.now()}@example.test` });
  const channelId = await createChannel(em, { merchantId, accountType: 'till', accountNumber: '5123456' });
  const connection = em.getConnection();
  await connection.execute(
    `insert into transactions (id, public_id, merchant_id, channel_id, phone_number, amount, fee, description, account_reference, workflow_id)
     values (?, ?, ?, ?, '254712345678', 500, 6, 'Test', '5123456', ?)`,
    [id, `trxn_leasetest${id}`, merchantId, channelId, `lease-test-${id}`],
  );
  const [row] = await connection.execute<{ id: number }[]>(
    `insert into webhook_deliveries (merchant_id, transaction_id, event, url, payload)
     values (?, ?, 'payment.completed', 'http://127.0.0.1:9/', '{}') returning id`,
    [merchantId, id],
  );
  return row!.id;
}

const attempts = (deliveryId: number) =>
  orm.em
    .fork()
    .getConnection()
    .execute<{ attempt_no: number; status: string; status_code: number | null; error: string | null }[]>(
      'select attempt_no, status, status_code, error from webhook_attempts where delivery_id = ? order by attempt_no',
      [deliveryId],
    );
const deliveryStatus = async (deliveryId: number) =>
  (
    await orm.em
      .fork()
      .getConnection()
      .execute<{ status: string }[]>('select status from webhook_deliveries where id = ?', [deliveryId])
  )[0]!.status;

const claim = (deliveryId: number, over: Partial<Parameters<typeof claimWebhookAttempt>[2]> = {}) =>
  claimWebhookAttempt(orm.em.fork(), deliveryId, {
    acceptedAfter: null,
    moveTo: null,
    leaseMs: 15_000,
    stalledWaitMs: 300_000,
    sender: null,
    ...over,
  });
/** Ends the attempt's lease now, as if its worker had been paused past it. */
const expireLease = (deliveryId: number, attemptNo: number) =>
  orm.em
    .fork()
    .getConnection()
    .execute(
      "update webhook_attempts set lease_expires_at = now() - interval '1 second' where delivery_id = ? and attempt_no = ?",
      [deliveryId, attemptNo],
    );
const result = (deliveryId: number, attemptNo: number, over: Partial<Parameters<typeof recordAttemptResult>[1]>) =>
  recordAttemptResult(orm.em.fork(), {
    deliveryId,
    attemptNo,
    status: 'unknown',
    statusCode: null,
    latencyMs: 60_192,
    error: 'Timeout: no complete answer within 10000 ms',
    excerpt: null,
    ...over,
  });

describe('A webhook attempt’s lease', () => {
  it('When an attempt is within its lease, then another claim waits for it', async () => {
    const deliveryId = await newDelivery();
    expect(await claim(deliveryId)).toEqual({ kind: 'send', attemptNo: 1 });
    expect(await claim(deliveryId)).toMatchObject({ kind: 'wait', attemptNo: 1, reason: 'leased' });
  });

  it('When an attempt is past its lease and its worker’s session is still connected, then another claim waits (stalled)', async () => {
    const deliveryId = await newDelivery();
    const presence = workerPresence(databaseUrl);
    const sender = await presence();
    expect(sender).toMatch(/^\d+@\d+(\.\d+)?$/);
    await claim(deliveryId, { sender });
    await expireLease(deliveryId, 1);
    expect(await claim(deliveryId)).toMatchObject({ kind: 'wait', attemptNo: 1, reason: 'stalled' });
  });

  it('When an attempt is past its lease and its worker’s session is gone, then it is declared unknown and sent again', async () => {
    const deliveryId = await newDelivery();
    await claim(deliveryId, { sender: '999999@1' });
    await expireLease(deliveryId, 1);
    expect(await claim(deliveryId)).toEqual({ kind: 'send', attemptNo: 2 });
    expect((await attempts(deliveryId)).map((a) => [a.attempt_no, a.status])).toEqual([
      [1, 'unknown'],
      [2, 'sending'],
    ]);
  });

  it('When a worker resumes after its lease with no answer, then it does not overwrite unknown with a timeout', async () => {
    const deliveryId = await newDelivery();
    await claim(deliveryId);
    await expireLease(deliveryId, 1);
    await claim(deliveryId); // declares attempt 1 unknown, sends attempt 2
    expect(await result(deliveryId, 1, {})).toBe('kept');
    const [first] = await attempts(deliveryId);
    expect(first).toMatchObject({ status: 'unknown', status_code: null });
    expect(first!.error).not.toMatch(/Timeout/);
  });

  it('When a worker resumes after its lease with the receiver’s 2xx, then that answer is recorded and the delivery delivered', async () => {
    const deliveryId = await newDelivery();
    await claim(deliveryId);
    await expireLease(deliveryId, 1);
    expect(await result(deliveryId, 1, { status: 'accepted', statusCode: 200, error: null })).toBe('late');
    expect(await attempts(deliveryId)).toEqual([
      expect.objectContaining({
        attempt_no: 1,
        status: 'accepted',
        status_code: 200,
        error: expect.stringMatching(/lease ran out/),
      }),
    ]);
    expect(await deliveryStatus(deliveryId)).toBe('delivered');
  });

  it('When a worker answers within its lease, then the answer is recorded on time', async () => {
    const deliveryId = await newDelivery();
    await claim(deliveryId);
    expect(await result(deliveryId, 1, { status: 'rejected', statusCode: 500, error: null, latencyMs: 40 })).toBe(
      'on_time',
    );
    expect(await attempts(deliveryId)).toEqual([{ attempt_no: 1, status: 'rejected', status_code: 500, error: null }]);
  });

  it('When an answer was recorded, then a late result of the same attempt never overwrites it', async () => {
    const deliveryId = await newDelivery();
    await claim(deliveryId);
    await result(deliveryId, 1, { status: 'accepted', statusCode: 200, error: null });
    expect(await result(deliveryId, 1, { status: 'failed' })).toBe('kept');
    expect((await attempts(deliveryId))[0]).toMatchObject({ status: 'accepted', status_code: 200 });
  });
});

describe('The send deadline', () => {
  it('When a worker reaches the write after its attempt’s deadline (paused before sending), then nothing reaches the receiver', async () => {
    let received = 0;
    const server = http.createServer((req, res) => {
      received += 1;
      req.resume();
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const deps = { http: axios.create(), publicUrlsOnly: false, httpsOnly: false };
      const late = await postChecked(deps, url, '{}', {}, performance.now() - 1);
      expect(late).toMatchObject({ statusCode: null, sent: false, error: expect.stringMatching(/^Not sent/) });
      const onTime = await postChecked(deps, url, '{}', {}, performance.now() + 5_000);
      expect(onTime).toMatchObject({ statusCode: 200, sent: true });
      expect(received).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
