/**
 * Transaction Status and Pull Transactions: the real client, over HTTP, against the Daraja simulator
 * in this process, with ResultURL / QueueTimeOutURL served by a tiny local HTTP server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { createDarajaClient } from '../../daraja/client';
import { createMpesaRecordClient } from '../../daraja/recordClient';
import { parseTransactionStatusResult } from '../../daraja/recordResults';
import { securityCredential } from '../../daraja/securityCredential';
import { createTokenCache } from '../../daraja/tokenCache';
import { DarajaError, type DarajaCredentials } from '../../daraja/types';
import { createSimulator, type Simulator } from '../../simulator/app';

const SHORTCODE = '174379';
const TILL = '600100';
const PASSKEY = 'integration-test-passkey';
const APP = { consumerKey: 'test-key', consumerSecret: 'test-secret' };
const INITIATOR = { name: 'testapi', password: 'Safaricom999!*!' };

async function startResultReceiver() {
  const received: { path: string; body: unknown }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(raw) as unknown });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ResultCode: 0, ResultDesc: 'Accept' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    async next(path: string): Promise<unknown> {
      for (let i = 0; i < 100; i += 1) {
        const found = received.find((r) => r.path === path);
        if (found) return found.body;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`nothing posted to ${path}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('M-Pesa record client against the simulator', () => {
  let simulator: Simulator;
  let receiver: Awaited<ReturnType<typeof startResultReceiver>>;
  let credentials: DarajaCredentials;
  let certificate: string;
  let baseUrl: string;

  const client = () => createMpesaRecordClient({ credentials, timeoutMs: 3000, tokenCache: createTokenCache() });
  const statusRequest = (receipt: string, path: string, password = INITIATOR.password) => ({
    initiator: { name: INITIATOR.name, securityCredential: securityCredential(password, certificate) },
    transactionId: receipt,
    partyA: TILL,
    identifierType: '2' as const,
    resultUrl: receiver.url(`${path}/result`),
    queueTimeOutUrl: receiver.url(`${path}/timeout`),
    remarks: 'Reconciliation',
  });

  /** Pushes `amount` to the till and waits until the simulated customer has answered. */
  async function paidPush(amount: number) {
    const stk = createDarajaClient({ credentials, timeoutMs: 3000, tokenCache: createTokenCache() });
    const accepted = await stk.stkPush({
      channel: { type: 'till', partyB: TILL, accountReference: 'SHOP-1' },
      phoneNumber: '0708374149',
      amount,
      description: 'Order',
      callbackUrl: receiver.url('/stk'),
    });
    for (let i = 0; i < 100 && !simulator.control.push(accepted.checkoutRequestId)?.result; i += 1)
      await new Promise((r) => setTimeout(r, 50));
    return simulator.control.push(accepted.checkoutRequestId)!;
  }

  beforeAll(async () => {
    receiver = await startResultReceiver();
    simulator = createSimulator({
      credentials: { ...APP, passkeys: { [SHORTCODE]: PASSKEY } },
      callbackDelayMs: 50,
      recordResultDelayMs: 50,
    });
    baseUrl = (await simulator.start()).url;
    credentials = { baseUrl, ...APP, shortcode: SHORTCODE, passkey: PASSKEY };
    certificate = (await axios.get<string>(`${baseUrl}/__control/certificate`)).data;
  });
  afterAll(async () => {
    await simulator.stop();
    await receiver.stop();
  });

  it('When M-Pesa holds the payment, then Transaction Status is acknowledged and its result says Completed with receipt and amount', async () => {
    const push = await paidPush(321);
    const accepted = await client().transactionStatus(statusRequest(push.receipt!, '/ts-ok'));
    expect(accepted.conversationId).toMatch(/^AG_/);
    const parsed = parseTransactionStatusResult(await receiver.next('/ts-ok/result'));
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({
        outcome: 'completed',
        receipt: push.receipt,
        amount: 321,
        originatorConversationId: accepted.originatorConversationId,
      }),
    });
  });

  it('When the receipt is unknown to M-Pesa, then the result is not found', async () => {
    await client().transactionStatus(statusRequest('QZZ0000000', '/ts-none'));
    const parsed = parseTransactionStatusResult(await receiver.next('/ts-none/result'));
    expect(parsed.ok && parsed.value.outcome).toBe('not_found');
  });

  it('When the credential holds a wrong password, then the result is 2001, and after three wrong ones 8006 locked', async () => {
    const push = await paidPush(322);
    for (const path of ['/bad-1', '/bad-2', '/bad-3']) {
      await client().transactionStatus(statusRequest(push.receipt!, path, 'wrong-password'));
      const parsed = parseTransactionStatusResult(await receiver.next(`${path}/result`));
      expect(parsed.ok && [parsed.value.outcome, parsed.value.resultCode]).toEqual(['refused', '2001']);
    }
    await client().transactionStatus(statusRequest(push.receipt!, '/bad-4'));
    const locked = parseTransactionStatusResult(await receiver.next('/bad-4/result'));
    expect(locked.ok && locked.value.resultCode).toBe('8006');
  });

  it('When the queue timeout is chosen, then the QueueTimeOutURL is called instead of the ResultURL', async () => {
    simulator.control.setTransactionStatusMode('queue_timeout');
    try {
      await client().transactionStatus({ ...statusRequest('QZZ0000001', '/ts-queue'), partyA: '600101' });
      expect(await receiver.next('/ts-queue/timeout')).toEqual({ Result: expect.objectContaining({ ResultType: 1 }) });
    } finally {
      simulator.control.setTransactionStatusMode('normal');
    }
  });

  it('When a field is missing or invalid, then Daraja answers 400.002.02 naming it', async () => {
    const { data: token } = await axios.get<{ access_token: string }>(`${baseUrl}/oauth/v1/generate`, {
      params: { grant_type: 'client_credentials' },
      auth: { username: APP.consumerKey, password: APP.consumerSecret },
    });
    const post = (path: string, body: object) =>
      axios.post(`${baseUrl}${path}`, body, {
        headers: { Authorization: `Bearer ${token.access_token}` },
        validateStatus: () => true,
      });
    const status = await post('/mpesa/transactionstatus/v1/query', { Initiator: 'testapi' });
    expect([status.status, status.data]).toEqual([
      400,
      expect.objectContaining({ errorCode: '400.002.02', errorMessage: 'Bad Request - Invalid SecurityCredential' }),
    ]);
    const pull = await post('/pulltransactions/v1/query', { ShortCode: TILL, StartDate: 'yesterday' });
    expect(pull.data).toEqual(expect.objectContaining({ errorMessage: 'Bad Request - Invalid StartDate' }));
  });

  it('When callbacks were lost, a credit was never pushed and a record disagrees, then Pull Transactions lists all three as M-Pesa holds them', async () => {
    const lost = await paidPush(9910);
    const differs = await paidPush(9911);
    const direct = simulator.control.addCredit({ shortcode: TILL, amount: 777, billReference: 'WALK-IN' });
    const records = client();
    await expect(
      records.pullTransactions({
        shortcode: TILL,
        startDate: new Date(Date.now() - 3600_000),
        endDate: new Date(),
        offset: 0,
      }),
    ).rejects.toBeInstanceOf(DarajaError);
    await records.registerPull({ shortcode: TILL, nominatedNumber: '0708374149', callbackUrl: receiver.url('/pull') });
    const page = await records.pullTransactions({
      shortcode: TILL,
      startDate: new Date(Date.now() - 3600_000),
      endDate: new Date(Date.now() + 60_000),
      offset: 0,
    });
    const byReceipt = new Map(page.transactions.map((t) => [t.receipt, t]));
    expect(lost.callbacks).toEqual([]);
    expect(byReceipt.get(lost.receipt!)).toEqual(expect.objectContaining({ amount: 9910, billReference: 'SHOP-1' }));
    expect(byReceipt.get(differs.receipt!)?.amount).toBe(9910);
    expect(byReceipt.get(direct.receipt)).toEqual(expect.objectContaining({ amount: 777, billReference: 'WALK-IN' }));
    expect(page.unreadable).toBe(0);
  });

  it("When the control API loses M-Pesa's answers, then callbacks never leave, the query says being processed, a lost push answer comes after the timeout, and Pull Transactions still lists the payments", async () => {
    const control = (mode: string) => axios.post(`${baseUrl}/__control/lost-answers`, { mode });
    expect((await control('sometimes').catch((e: { response: { status: number } }) => e.response)).status).toBe(400);
    await control('callbacks');
    const lost = await paidPush(500);
    const stk = createDarajaClient({ credentials, timeoutMs: 3000, tokenCache: createTokenCache() });
    const query = await stk.stkQuery(lost.checkoutRequestId);
    await control('callbacks_and_push_answer');
    const hurried = createDarajaClient({ credentials, timeoutMs: 500, tokenCache: createTokenCache() });
    const unanswered = await hurried
      .stkPush({
        channel: { type: 'till', partyB: TILL, accountReference: 'SHOP-2' },
        phoneNumber: '0708374149',
        amount: 600,
        description: 'Order',
        callbackUrl: receiver.url('/stk'),
      })
      .catch((e: unknown) => e);
    await control('none');
    const held = simulator.control.pushes().find((p) => p.amount === 600)!;
    for (let i = 0; i < 100 && !simulator.control.push(held.checkoutRequestId)?.result; i += 1)
      await new Promise((r) => setTimeout(r, 50));
    await simulator.control.settled();

    expect(lost).toMatchObject({ lost: 'callbacks', result: { resultCode: '0' } });
    expect(lost.callbacks).toEqual([expect.objectContaining({ status: null, error: 'lost (callbacks)' })]);
    expect(query).toMatchObject({ state: 'pending' });
    expect(unanswered).toBeInstanceOf(DarajaError);
    expect((unanswered as DarajaError).kind).toBe('indeterminate');
    const heldNow = simulator.control.push(held.checkoutRequestId)!;
    expect(heldNow).toMatchObject({ lost: 'callbacks_and_push_answer', result: { resultCode: '0' } });
    expect(heldNow.callbacks.every((c) => c.status === null)).toBe(true);
    const page = await client().pullTransactions({
      shortcode: TILL,
      startDate: new Date(Date.now() - 3600_000),
      endDate: new Date(Date.now() + 60_000),
      offset: 0,
    });
    const receipts = page.transactions.map((t) => t.receipt);
    expect(receipts).toEqual(expect.arrayContaining([lost.receipt, heldNow.receipt]));
  });
});
