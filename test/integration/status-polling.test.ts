import { issueApiKey } from '../../db/merchants';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInMerchantUser } from '../support/signedInUsers';

quietTemporalRuntime();

/**
 * Status polling with an API key (prepared statements on the API's own pool, db/sqlPool.ts) and
 * with a dashboard session take the same route, and must give the same answers.
 */
describe('Status polling', () => {
  let stack: Stack;
  let merchant: MerchantFixture;
  let session: string;
  let completed: { transaction_id: number; checkout_request_id: string };
  const statusAs = (authorization: string, reference: string) =>
    stack.http.get(`/transaction/status/${reference}`, { headers: { Authorization: authorization } });
  const basic = (username: string, password: string) =>
    `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  beforeAll(async () => {
    stack = await startStack();
    merchant = await createMerchantFixture(stack, { walletKes: 100 });
    session = await signInMerchantUser(stack, merchant.merchantId);
    const pushed = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(pushed.status).toBe(200);
    completed = pushed.data;
    await eventually(async () =>
      (await statusAs(merchant.authorization, completed.checkout_request_id)).data.status === 'completed'
        ? true
        : undefined,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('When the same payment is read with an API key and with a dashboard session, by CheckoutRequestID and by transaction_id, then all four answers are the same', async () => {
    const answers = await Promise.all([
      statusAs(merchant.authorization, completed.checkout_request_id),
      statusAs(session, completed.checkout_request_id),
      statusAs(merchant.authorization, String(completed.transaction_id)),
      statusAs(session, String(completed.transaction_id)),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const [first, ...rest] = answers.map((a) => a.data);
    for (const other of rest) expect(other).toEqual(first);
    expect(first).toMatchObject({
      status: 'completed',
      amount: 500,
      transaction_id: completed.transaction_id,
      checkout_request_id: completed.checkout_request_id,
      result_code: '0',
    });
    expect(first.mpesa_receipt).toEqual(expect.any(String));
    expect(first.balance).toBe(100 - 6); // The fee for KES 500, captured.
  });

  it('When the secret is wrong, the username unknown or the key revoked, then 401 with the same words and nothing about the payment', async () => {
    const revoked = await issueApiKey(
      stack.orm.em.fork(),
      stack.config.API_KEY_PEPPER,
      merchant.merchantId,
      'to revoke',
    );
    await stack.orm.em
      .fork()
      .getConnection()
      .execute('update api_keys set revoked_at = now() where username = ?', [revoked.username]);
    for (const authorization of [
      basic(merchant.username, 'wrong-secret'),
      basic('ak_test_0000000000000000', merchant.password),
      basic(revoked.username, revoked.password),
    ]) {
      const res = await statusAs(authorization, completed.checkout_request_id);
      expect(res.status).toBe(401);
      expect(res.data).toEqual({ error: 'Invalid API credentials', code: 'unauthorized' });
    }
  });

  it('When the reference is unknown or another merchant’s, then 404 in the documented shape, with an API key and with a session', async () => {
    const other = await createMerchantFixture(stack);
    const otherSession = await signInMerchantUser(stack, other.merchantId);
    for (const authorization of [other.authorization, otherSession]) {
      const res = await statusAs(authorization, completed.checkout_request_id);
      expect(res.status).toBe(404);
      expect(res.data).toEqual({
        error: `No transaction found for ${completed.checkout_request_id}`,
        code: 'not_found',
      });
    }
    const unknown = await statusAs(merchant.authorization, 'ws_CO_000000000000');
    expect(unknown.data).toEqual({ error: 'No transaction found for ws_CO_000000000000', code: 'not_found' });
    // Characters outside the usual reference alphabet take the router's path and get the same kind of answer.
    const unusual = await statusAs(merchant.authorization, 'ws.CO~1');
    expect(unusual.status).toBe(404);
    expect(unusual.data).toEqual({ error: 'No transaction found for ws.CO~1', code: 'not_found' });
  });

  it('When a new key polls, then its last use is recorded', async () => {
    const key = await issueApiKey(stack.orm.em.fork(), stack.config.API_KEY_PEPPER, merchant.merchantId, 'poller');
    expect((await statusAs(basic(key.username, key.password), completed.checkout_request_id)).status).toBe(200);
    await eventually(async () => {
      const [row] = await stack.orm.em
        .fork()
        .getConnection()
        .execute<{ last_used_at: Date | null }[]>('select last_used_at from api_keys where username = ?', [
          key.username,
        ]);
      return row?.last_used_at ?? undefined;
    });
  });

  // Last in this file: it changes the schema of the file's own database.
  it('When a migration changes a column the prepared status read selects, then reads keep answering', async () => {
    const read = () =>
      Promise.all(Array.from({ length: 8 }, () => statusAs(merchant.authorization, completed.checkout_request_id)));
    expect((await read()).map((r) => r.status)).toEqual(Array(8).fill(200));
    await stack.orm.em
      .fork()
      .getConnection()
      .execute('alter table transactions alter column result_desc type varchar(1000)');
    for (let round = 0; round < 3; round += 1) {
      const answers = await read();
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(answers[0]!.data.result_desc).toEqual(expect.any(String));
    }
  });
});
