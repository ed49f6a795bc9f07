import { createMerchantFixture, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
});
afterAll(async () => {
  await stack?.stop();
});

describe('An unexpected failure', () => {
  it('When the database breaks under a request, then the answer is 500 with the documented advice and no internals', async () => {
    const merchant = await createMerchantFixture(stack);
    // A real fault, not a mock: the table the request reads is gone (this stack's own database).
    await stack.orm.em.fork().getConnection().execute('drop table pricing_tiers cascade');
    const res = await stack.http.post(
      '/stk-push',
      { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(res.status).toBe(500);
    expect(res.data).toEqual({
      error: 'Unexpected server error. Retry once; if it persists, contact support.',
      code: 'internal',
    });
    expect(JSON.stringify(res.data)).not.toMatch(/pricing_tiers|select|relation|at \w+ \(/);
  });
});
