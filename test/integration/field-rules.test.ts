import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';

quietTemporalRuntime();

let stack: Stack;
let merchant: MerchantFixture;
beforeAll(async () => {
  stack = await startStack();
  merchant = await createMerchantFixture(stack, { walletKes: 1000 });
});
afterAll(async () => {
  await stack?.stop();
});

/** Everything a refused request must leave untouched: the merchant's payments and wallet ledger. */
async function recorded() {
  const [row] = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ transactions: number; entries: number }[]>(
      `select (select count(*)::int from transactions where merchant_id = ?) as transactions,
            (select count(*)::int from wallet_ledger where merchant_id = ?) as entries`,
      [merchant.merchantId, merchant.merchantId],
    );
  return row!;
}

const stkPush = (description: unknown) =>
  stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount: 100, description },
    { headers: { Authorization: merchant.authorization } },
  );
const expressPayment = (fields: Record<string, unknown>) =>
  stack.http.post(
    '/v1/payments',
    { phoneNumber: '254712345678', amount: 100, description: 'Invoice 1', ...fields },
    { headers: { Authorization: merchant.authorization } },
  );

describe('M-Pesa field rules at every payment face', () => {
  it.each(['A&B', '😀😀😀😀😀😀😀', "O'Brien", 'Order: 1', '"quoted"', '<b>', '50%', 'a\tb', '   '])(
    'When POST /api/stk-push has description %j, then it is 400 validation_failed naming description, and nothing is recorded',
    async (description) => {
      const before = await recorded();
      const res = await stkPush(description);
      expect(res.status).toBe(400);
      expect(res.data).toMatchObject({ code: 'validation_failed', field: 'description' });
      expect(await recorded()).toEqual(before);
    },
  );

  it.each([
    ['description', { description: '   ' }],
    ['description', { description: 'A&B' }],
    ['description', { description: '😀😀😀😀😀😀😀' }],
    ['accountReference', { accountReference: 'Acme & Sons' }],
    ['accountReference', { accountReference: '   ' }],
  ])(
    'When POST /api/v1/payments has a bad %s, then it is 400 validation_failed naming it, and nothing is recorded',
    async (field, fields) => {
      const before = await recorded();
      const res = await expressPayment(fields);
      expect(res.status).toBe(400);
      expect(res.data).toMatchObject({ code: 'validation_failed', field });
      expect(await recorded()).toEqual(before);
    },
  );

  it('When a channel is added with account_reference "A&B", then it is 400 validation_failed naming account_reference', async () => {
    const res = await stack.http.post(
      '/accounts',
      { account_type: 'paybill', account_number: '600100', account_reference: 'A&B' },
      { headers: { Authorization: merchant.authorization } },
    );
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ code: 'validation_failed', field: 'account_reference' });
  });

  it('When the description has accents and outer spaces, then the push is sent with the cleaned text Daraja accepts', async () => {
    const res = await stkPush('  Café Crème ');
    expect(res.status).toBe(200);
    const tx = await stack.http.get(`/v1/payments?limit=1`, { headers: { Authorization: merchant.authorization } });
    expect(tx.data.data[0].description).toBe('Cafe Creme');
  });
});
