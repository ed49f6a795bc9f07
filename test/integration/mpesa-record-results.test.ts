/**
 * Transaction Status over HTTP: the real client asks the simulator, the simulator posts its result to
 * the API's ResultURL, and the API stores it and hands it to the payment.
 */
import axios from 'axios';
import { mpesaResultUrl } from '../../config/callbackUrl';
import { createMpesaRecordClient } from '../../daraja/recordClient';
import { securityCredential } from '../../daraja/securityCredential';
import { createTokenCache } from '../../daraja/tokenCache';
import { darajaCredentials } from '../../config/config';
import { MpesaRecordSchema, TransactionSchema } from '../../db/entities';
import { recordRequest } from '../../db/mpesaRecords';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    env: {
      PAYMENT_CALLBACK_TIMEOUT_MS: '1000',
      PAYMENT_QUERY_WINDOW_MS: '1500',
      PAYMENT_LATE_CALLBACK_WINDOW_MS: '1500',
      RECONCILIATION_INTERVAL_SECONDS: '3600',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const em = () => stack.orm.em.fork();
const tx = (id: number) => em().findOneOrFail(TransactionSchema, id);

/** A 9910 payment: paid, callback lost, query pending for good; ends failed and its workflow closes. */
async function paidButFailed() {
  const merchant = await createMerchantFixture(stack, { walletKes: 1000 });
  const res = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount: 9910 },
    { headers: { Authorization: merchant.authorization } },
  );
  const id = res.data.transaction_id as number;
  const failed = await eventually(async () => ((await tx(id)).status === 'failed' ? tx(id) : undefined));
  await eventually(
    async () => {
      const d = await stack.temporal.workflow.getHandle(failed.workflowId).describe();
      return d.status.name === 'RUNNING' ? undefined : true;
    },
    { timeoutMs: 60_000 },
  );
  const push = stack.simulator.control.push(failed.checkoutRequestId!)!;
  return { merchant, id, receipt: push.receipt!, partyB: String((push.body as { PartyB: string }).PartyB) };
}

/** Asks Transaction Status about `receipt` as the reconciliation does, recording the question. */
async function ask(payment: { id: number; receipt: string; partyB: string }, password = 'Safaricom999!*!') {
  const client = createMpesaRecordClient({
    credentials: darajaCredentials(stack.config, 'sandbox')!,
    timeoutMs: 3000,
    tokenCache: createTokenCache(),
  });
  const certificate = await stack.simulator.control.certificate();
  const accepted = await client.transactionStatus({
    initiator: { name: 'testapi', securityCredential: securityCredential(password, certificate) },
    transactionId: payment.receipt,
    partyA: payment.partyB,
    identifierType: '2',
    resultUrl: mpesaResultUrl(stack.config, 'status'),
    queueTimeOutUrl: mpesaResultUrl(stack.config, 'timeout'),
    remarks: 'Reconciliation',
  });
  const fork = em();
  const tx0 = await fork.findOneOrFail(TransactionSchema, payment.id);
  await recordRequest(fork, {
    transactionId: payment.id,
    channelId: tx0.channel!,
    source: 'transaction_status',
    state: 'asked',
    originatorConversationId: accepted.originatorConversationId,
    conversationId: accepted.conversationId,
  });
}

describe('Transaction Status results reach the payment', () => {
  it('When M-Pesa answers that the payment completed, then the failed payment ends completed with that receipt, fee charged once', async () => {
    const payment = await paidButFailed();
    await ask(payment);
    const done = await eventually(async () =>
      (await tx(payment.id)).status === 'completed' ? tx(payment.id) : undefined,
    );
    expect([done.mpesaReceipt, done.decidedBy]).toEqual([payment.receipt, 'mpesa_record']);
    const [record] = await em().find(MpesaRecordSchema, { transaction: payment.id });
    expect(record).toMatchObject({
      source: 'transaction_status',
      disposition: 'evidence',
      outcome: 'completed',
      amount: 9910,
    });
  });

  it('When a result is posted again after its question was answered, then the repeat is stored and decides nothing', async () => {
    const payment = await paidButFailed();
    await ask(payment);
    await eventually(async () => ((await tx(payment.id)).status === 'completed' ? true : undefined));
    const [first] = await em().find(MpesaRecordSchema, { transaction: payment.id });
    const replay = await axios.post(mpesaResultUrl(stack.config, 'status'), first!.raw, {
      headers: { 'Content-Type': 'application/json' },
    });
    expect(replay.status).toBe(200);
    const records = await em().find(MpesaRecordSchema, { transaction: payment.id }, { orderBy: { id: 'asc' } });
    expect(records.map((r) => r.disposition)).toEqual(['evidence', 'unmatched']);
    expect(records[1]!.description).toMatch(/repeated answer/);
  });

  it('When the credential is wrong, then the 2001 result is stored as refused and the payment stays failed', async () => {
    const payment = await paidButFailed();
    await ask(payment, 'not-the-password');
    const record = await eventually(async () => (await em().find(MpesaRecordSchema, { transaction: payment.id }))[0]);
    expect(record).toMatchObject({ disposition: 'refused', outcome: null });
    expect(record.description).toMatch(/^2001 /);
    expect((await tx(payment.id)).status).toBe('failed');
  });

  it('When a result is malformed or names no question of ours, then it is stored, answered Accept, and decides nothing', async () => {
    const url = mpesaResultUrl(stack.config, 'status');
    const before = await em().count(MpesaRecordSchema, {});
    for (const body of ['{"Result":', '[]', JSON.stringify({ Result: { ResultCode: 0, ConversationID: 'AG_x' } })]) {
      const res = await axios.post(url, body, {
        headers: { 'Content-Type': 'application/json' },
        validateStatus: () => true,
      });
      expect([res.status, res.data]).toEqual([200, { ResultCode: 0, ResultDesc: 'Accept' }]);
    }
    const rows = await em().find(MpesaRecordSchema, {}, { orderBy: { id: 'desc' }, limit: 3 });
    expect(await em().count(MpesaRecordSchema, {})).toBe(before + 3);
    expect(rows.map((r) => [r.disposition, r.transaction])).toEqual([
      ['malformed', null],
      ['malformed', null],
      ['malformed', null],
    ]);
  });

  it('When the token is wrong, then the answer is 404 and nothing is stored', async () => {
    const before = await em().count(MpesaRecordSchema, {});
    const wrong = mpesaResultUrl(stack.config, 'status').replace(/daraja-results\/[0-9a-f]+/, 'daraja-results/0000');
    const res = await axios.post(wrong, { Result: {} }, { validateStatus: () => true });
    expect(res.status).toBe(404);
    expect(await em().count(MpesaRecordSchema, {})).toBe(before);
  });
});
