/**
 * The real Daraja client, over HTTP, against the Daraja simulator running in this process on a
 * random port, with callbacks received by a tiny local HTTP server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { createDarajaClient } from '../../daraja/client';
import { createTokenCache } from '../../daraja/tokenCache';
import { DarajaError, type DarajaClient, type DarajaCredentials, type StkPushRequest } from '../../daraja/types';
import { createSimulator, type Simulator } from '../../simulator/app';
import type { StkCallbackBody } from '../../simulator/callbacks';

const SHORTCODE = '174379';
const PASSKEY = 'integration-test-passkey';
const APP = { consumerKey: 'test-key', consumerSecret: 'test-secret' };

interface ReceivedCallback {
  path: string;
  body: StkCallbackBody;
}

/** Records every POST it receives and answers like a good Daraja callback endpoint. */
async function startCallbackReceiver() {
  const received: ReceivedCallback[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(raw) as StkCallbackBody });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ResultCode: 0, ResultDesc: 'Accept' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    at: (path: string) => received.filter((c) => c.path === path),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Runs `fn` and returns what it threw; fails the test if it did not throw a DarajaError. */
async function darajaErrorFrom(fn: () => Promise<unknown>): Promise<DarajaError> {
  const error = await fn().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DarajaError)) throw new Error(`expected a DarajaError, got ${String(error)}`);
  return error;
}

const item = (body: StkCallbackBody, name: string) =>
  body.Body.stkCallback.CallbackMetadata?.Item.find((i) => i.Name === name);

describe('Daraja client against the simulator', () => {
  let simulator: Simulator;
  let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
  let credentials: DarajaCredentials;
  let client: DarajaClient;

  const newClient = (overrides: Partial<DarajaCredentials> = {}, timeoutMs = 3000) =>
    createDarajaClient({ credentials: { ...credentials, ...overrides }, timeoutMs, tokenCache: createTokenCache() });

  const push = (amount: number, callbackPath: string, overrides: Partial<StkPushRequest> = {}): StkPushRequest => ({
    channel: { type: 'paybill', partyB: SHORTCODE, accountReference: 'INV-1' },
    phoneNumber: '0708 374 149',
    amount,
    description: 'Test payment',
    callbackUrl: receiver.url(callbackPath),
    ...overrides,
  });

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    simulator = createSimulator({
      credentials: { ...APP, passkeys: { [SHORTCODE]: PASSKEY } },
      callbackDelayMs: 100,
      lateCallbackDelayMs: 600,
      pushHangMs: 1500,
      queryPendingCount: 2,
      spikeArrestRejections: 2,
    });
    const { url } = await simulator.start(0);
    credentials = { baseUrl: url, ...APP, shortcode: SHORTCODE, passkey: PASSKEY };
  });

  beforeEach(() => {
    simulator.control.reset();
    client = newClient();
  });

  afterAll(async () => {
    await simulator.stop();
    await receiver.stop();
  });

  describe('OAuth', () => {
    it('When a fresh client sends ten pushes at once, then exactly one token is requested', async () => {
      const accepted = await Promise.all(
        Array.from({ length: 10 }, (_, i) => client.stkPush(push(100 + i, '/cb/oauth-burst'))),
      );

      expect(new Set(accepted.map((a) => a.checkoutRequestId)).size).toBe(10);
      expect(simulator.control.stats()).toMatchObject({ tokensIssued: 1, pushesAccepted: 10 });
    });

    it('When Daraja no longer accepts the token, then the client refreshes it once and the calls succeed', async () => {
      await client.stkPush(push(100, '/cb/oauth-revoke'));
      simulator.control.revokeTokens();

      const accepted = await Promise.all(
        Array.from({ length: 5 }, () => client.stkPush(push(200, '/cb/oauth-revoke'))),
      );

      expect(accepted).toHaveLength(5);
      expect(simulator.control.stats()).toMatchObject({ tokensIssued: 2, invalidTokens: 5, pushesAccepted: 6 });
    });

    it('When the consumer secret is wrong, then the push fails as terminal without reaching Daraja', async () => {
      const error = await darajaErrorFrom(() =>
        newClient({ consumerSecret: 'wrong' }).stkPush(push(100, '/cb/oauth-wrong')),
      );

      expect(error).toMatchObject({ kind: 'terminal', errorCode: '400.008.01', httpStatus: 400 });
      expect(simulator.control.stats()).toMatchObject({ oauthRejected: 1, pushesAccepted: 0 });
    });
  });

  describe('STK push', () => {
    it('When a valid push is sent, then Daraja accepts it and receives the normalised, correctly signed body', async () => {
      const accepted = await client.stkPush(
        push(1500, '/cb/push-ok', { channel: { type: 'till', partyB: '5123456', accountReference: 'Shop 1' } }),
      );

      expect(accepted.checkoutRequestId).toMatch(/^ws_CO_\d{14}\d+$/);
      expect(accepted.merchantRequestId).toMatch(/^\d+-\d+-1$/);
      expect(accepted.customerMessage).toBe('Success. Request accepted for processing');
      const recorded = simulator.control.push(accepted.checkoutRequestId);
      expect(recorded?.body).toMatchObject({
        BusinessShortCode: SHORTCODE,
        TransactionType: 'CustomerBuyGoodsOnline',
        Amount: 1500,
        PartyA: '254708374149',
        PartyB: '5123456',
        PhoneNumber: '254708374149',
        AccountReference: 'Shop 1',
      });
    });

    it('When Daraja refuses a field, then the push fails as terminal with 400.002.02', async () => {
      const tampering = axios.create();
      tampering.interceptors.request.use((config) => {
        if (config.url?.endsWith('/processrequest'))
          config.data = { ...(config.data as object), Timestamp: '2024-13-01' };
        return config;
      });
      const tampered = createDarajaClient({
        credentials,
        timeoutMs: 3000,
        http: tampering,
        tokenCache: createTokenCache(),
      });

      const error = await darajaErrorFrom(() => tampered.stkPush(push(100, '/cb/push-invalid')));

      expect(error).toMatchObject({ kind: 'terminal', errorCode: '400.002.02', httpStatus: 400 });
      expect(error.message).toContain('Bad Request - Invalid Timestamp');
      expect(simulator.control.pushes()).toHaveLength(0);
    });

    it('When the passkey is wrong, then the push fails as terminal with "Wrong credentials"', async () => {
      const error = await darajaErrorFrom(() =>
        newClient({ passkey: 'not-the-passkey' }).stkPush(push(100, '/cb/push-passkey')),
      );

      expect(error).toMatchObject({ kind: 'terminal', errorCode: '500.001.1001' });
      expect(error.message).toContain('Wrong credentials');
    });

    it('When Daraja answers with a spike arrest, then the push is retryable and a later attempt is accepted', async () => {
      const request = push(9906, '/cb/push-spike');

      const first = await darajaErrorFrom(() => client.stkPush(request));
      const second = await darajaErrorFrom(() => client.stkPush(request));
      const third = await client.stkPush(request);

      expect([first.kind, first.errorCode, second.kind, second.errorCode]).toEqual([
        'retryable',
        '500.003.02',
        'retryable',
        '500.003.02',
      ]);
      expect(third.checkoutRequestId).toMatch(/^ws_CO_/);
      expect(simulator.control.stats()).toMatchObject({ spikeArrests: 2, pushesAccepted: 1 });
    });

    it('When the push times out, then it is indeterminate and the prompt still reached the phone', async () => {
      const impatient = newClient({}, 300);

      const error = await darajaErrorFrom(() => impatient.stkPush(push(9907, '/cb/push-timeout')));
      await simulator.control.settled();

      expect(error.kind).toBe('indeterminate');
      expect(error.httpStatus).toBeNull();
      const [recorded] = simulator.control.pushes();
      expect(recorded).toMatchObject({ outcome: 'push_times_out', result: { resultCode: '0' } });
      const callbacks = receiver.at('/cb/push-timeout');
      expect(callbacks).toHaveLength(1);
      expect(callbacks[0]?.body.Body.stkCallback).toMatchObject({
        CheckoutRequestID: recorded?.checkoutRequestId,
        ResultCode: 0,
      });
    });
  });

  describe('STK query', () => {
    it('When the customer has not answered yet, then the query is pending, and final once they cancel', async () => {
      const { checkoutRequestId } = await client.stkPush(push(1032, '/cb/query-cancel'));

      const before = await client.stkQuery(checkoutRequestId);
      await simulator.control.settled();
      const after = await client.stkQuery(checkoutRequestId);

      expect(before).toEqual({ state: 'pending', description: 'The transaction is being processed' });
      expect(after).toEqual({ state: 'final', resultCode: '1032', resultDesc: 'Request cancelled by user' });
    });

    it('When the query says "being processed" a few times, then it resolves to success without any callback', async () => {
      const { checkoutRequestId } = await client.stkPush(push(9905, '/cb/query-slow'));

      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(await client.stkQuery(checkoutRequestId));
      await simulator.control.settled();

      expect(answers.map((a) => a.state)).toEqual(['pending', 'pending', 'final']);
      expect(answers[2]).toMatchObject({ resultCode: '0' });
      expect(receiver.at('/cb/query-slow')).toHaveLength(0);
    });

    it('When the CheckoutRequestID is unknown, then the query fails as terminal', async () => {
      const error = await darajaErrorFrom(() => client.stkQuery('ws_CO_000000000000000000'));

      expect(error).toMatchObject({ kind: 'terminal', errorCode: '400.002.02' });
    });
  });

  describe('callbacks', () => {
    it('When the customer pays, then one callback carries the receipt and metadata in Daraja types', async () => {
      const { checkoutRequestId, merchantRequestId } = await client.stkPush(push(250, '/cb/success'));
      await simulator.control.settled();

      const callbacks = receiver.at('/cb/success');
      expect(callbacks).toHaveLength(1);
      const body = callbacks[0].body;
      expect(body.Body.stkCallback).toMatchObject({
        MerchantRequestID: merchantRequestId,
        CheckoutRequestID: checkoutRequestId,
        ResultCode: 0,
      });
      expect(item(body, 'Amount')?.Value).toBe(250);
      expect(item(body, 'MpesaReceiptNumber')?.Value).toMatch(/^[A-Z0-9]{10}$/);
      expect(item(body, 'Balance')).toEqual({ Name: 'Balance' });
      expect(String(item(body, 'TransactionDate')?.Value)).toMatch(/^20\d{12}$/);
      expect(typeof item(body, 'TransactionDate')?.Value).toBe('number');
      expect(item(body, 'PhoneNumber')?.Value).toBe(254708374149);
      expect(await client.stkQuery(checkoutRequestId)).toMatchObject({ state: 'final', resultCode: '0' });
    });

    it('When the customer cancels, then the callback has ResultCode 1032 and no metadata', async () => {
      await client.stkPush(push(1032, '/cb/cancelled'));
      await simulator.control.settled();

      const [callback] = receiver.at('/cb/cancelled');
      expect(callback?.body.Body.stkCallback).toMatchObject({
        ResultCode: 1032,
        ResultDesc: 'Request cancelled by user',
      });
      expect(callback?.body.Body.stkCallback.CallbackMetadata).toBeUndefined();
    });

    it('When Daraja delivers twice, then the receiver gets the same body twice', async () => {
      await client.stkPush(push(9903, '/cb/twice'));
      await simulator.control.settled();

      const callbacks = receiver.at('/cb/twice');
      expect(callbacks).toHaveLength(2);
      expect(callbacks[1]?.body).toEqual(callbacks[0]?.body);
    });

    it('When the callback is never sent, then nothing arrives and the query reports success', async () => {
      const { checkoutRequestId } = await client.stkPush(push(9902, '/cb/never'));
      await simulator.control.settled();

      expect(receiver.at('/cb/never')).toHaveLength(0);
      expect(await client.stkQuery(checkoutRequestId)).toMatchObject({ state: 'final', resultCode: '0' });
    });

    it('When the callback is late, then the query says 1037 while the callback later says success', async () => {
      const { checkoutRequestId } = await client.stkPush(push(9904, '/cb/late'));

      const early = await client.stkQuery(checkoutRequestId);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const meanwhile = await client.stkQuery(checkoutRequestId);
      const beforeCallback = receiver.at('/cb/late').length;
      await simulator.control.settled();

      expect(early.state).toBe('pending');
      expect(meanwhile).toMatchObject({ state: 'final', resultCode: '1037' });
      expect(beforeCallback).toBe(0);
      expect(receiver.at('/cb/late').map((c) => c.body.Body.stkCallback.ResultCode)).toEqual([0]);
    });

    it('When a prompt is resolved through the control API, then the query and the callback report that result', async () => {
      const { checkoutRequestId } = await client.stkPush(push(9908, '/cb/manual'));
      expect(await client.stkQuery(checkoutRequestId)).toMatchObject({ state: 'pending' });

      const completed = await axios.post(`${credentials.baseUrl}/__control/pushes/${checkoutRequestId}/complete`, {
        resultCode: 2001,
      });
      await simulator.control.settled();

      expect(completed.data).toMatchObject({
        result: { resultCode: '2001', resultDesc: 'The initiator information is invalid.' },
      });
      expect(await client.stkQuery(checkoutRequestId)).toMatchObject({ state: 'final', resultCode: '2001' });
      expect(receiver.at('/cb/manual').map((c) => c.body.Body.stkCallback.ResultCode)).toEqual([2001]);
    });

    it('When the callback receiver is down, then the failure is recorded and the simulator keeps serving', async () => {
      const { checkoutRequestId } = await client.stkPush(
        push(100, '/cb/unused', { callbackUrl: 'http://127.0.0.1:9/callback' }),
      );
      await simulator.control.settled();

      const deliveries = simulator.control.push(checkoutRequestId)?.callbacks ?? [];
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ status: null });
      expect(deliveries[0]?.error).toContain('ECONNREFUSED');
      expect(simulator.control.stats()).toMatchObject({ callbacksFailed: 1 });
      expect(await client.stkQuery(checkoutRequestId)).toMatchObject({ state: 'final', resultCode: '0' });
    });
  });
});
