import { walletSnapshot } from '../../db/ledger';
import { TransactionSchema } from '../../db/entities';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { loadSeedSnippets } from '../support/seedSnippets';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function push(merchant: MerchantFixture, amount: number, extra: Record<string, unknown> = {}) {
  return stack.http.post(
    '/stk-push',
    {
      account_id: merchant.channelId,
      phone_number: '0712345678',
      amount,
      external_reference: 'INV-001',
      description: 'Order #1001',
      ...extra,
    },
    { headers: { Authorization: merchant.authorization } },
  );
}

async function finalStatus(merchant: MerchantFixture, reference: string | number) {
  return eventually(async () => {
    const res = await stack.http.get(`/transaction/status/${reference}`, {
      headers: { Authorization: merchant.authorization },
    });
    return res.data.status === 'pending' ? undefined : res.data;
  });
}

async function ledgerKinds(transactionId: number): Promise<string[]> {
  const rows = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ kind: string }[]>('select kind from wallet_ledger where transaction_id = ? order by id', [
      transactionId,
    ]);
  return rows.map((r) => r.kind);
}

describe('A payment that the customer completes', () => {
  it('When a merchant runs the docs’ stkPush and pollTransactionStatus snippets, then they get a completed payment with a receipt', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const docs = loadSeedSnippets({ baseUrl: stack.apiUrl, username: merchant.username, password: merchant.password });

    const result = await docs.stkPush({
      accountId: merchant.channelId,
      phone: '0712345678',
      amount: 500,
      reference: 'INV-001',
      description: 'Order #1001',
    });
    expect(result).toMatchObject({ success: true, message: 'STK push sent successfully', fee_to_be_charged: 6 });
    expect(result.checkout_request_id).toMatch(/^ws_CO_/);
    expect(typeof result.transaction_id).toBe('number');

    const status = await docs.pollTransactionStatus(result.checkout_request_id, 30_000);
    expect(status).toMatchObject({
      status: 'completed',
      amount: 500,
      result_desc: 'The service request is processed successfully.',
      balance: 94,
    });
    expect(status.mpesa_receipt).toMatch(/^[A-Z0-9]{10}$/);

    expect(await ledgerKinds(result.transaction_id)).toEqual(['fee_reserve', 'fee_capture']);
    const wallet = await walletSnapshot(stack.orm.em.fork(), merchant.merchantId);
    expect(wallet).toEqual({ balance: 94, ledgerSum: 94 });
  });

  it('When Daraja sends the same success callback twice, then the fee is captured once', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const res = await push(merchant, 9903);
    expect(res.status).toBe(200);
    const status = await finalStatus(merchant, res.data.checkout_request_id);
    expect(status.status).toBe('completed');
    await eventually(async () => {
      const rows = await stack.orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>('select count(*) as n from daraja_callbacks where transaction_id = ?', [
          res.data.transaction_id,
        ]);
      return Number(rows[0]!.n) === 2 ? true : undefined;
    });
    expect(await ledgerKinds(res.data.transaction_id)).toEqual(['fee_reserve', 'fee_capture']);
    expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({
      balance: 100 - 50,
      ledgerSum: 50,
    });
  });

  it('When the callback never arrives, then the timer’s STK query settles the payment as completed', async () => {
    const merchant = await createMerchantFixture(stack);
    const res = await push(merchant, 9902);
    expect(res.status).toBe(200);
    const status = await finalStatus(merchant, res.data.checkout_request_id);
    expect(status).toMatchObject({ status: 'completed', mpesa_receipt: null });
    const tx = await stack.orm.em.fork().findOneOrFail(TransactionSchema, res.data.transaction_id);
    expect(tx.decidedBy).toBe('query');
    expect(await ledgerKinds(tx.id)).toEqual(['fee_reserve', 'fee_capture']);
  });

  it('When the query says "being processed" several times, then the payment waits and settles on the final answer', async () => {
    const merchant = await createMerchantFixture(stack);
    const res = await push(merchant, 9905);
    const status = await finalStatus(merchant, res.data.checkout_request_id);
    expect(status.status).toBe('completed');
    const checkoutRequestId = res.data.checkout_request_id as string;
    const record = stack.simulator.control.push(checkoutRequestId)!;
    expect(record.queryCount).toBeGreaterThanOrEqual(4);
  });
});

describe('A payment that fails', () => {
  it('When the customer cancels, then the payment fails with 1032 and the fee is released', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const res = await push(merchant, 1032);
    expect(res.status).toBe(200);
    expect(res.data.fee_to_be_charged).toBe(25);
    const status = await finalStatus(merchant, res.data.checkout_request_id);
    expect(status).toMatchObject({
      status: 'failed',
      result_code: '1032',
      result_desc: 'Request cancelled by user',
      balance: 100,
    });
    expect(await ledgerKinds(res.data.transaction_id)).toEqual(['fee_reserve', 'fee_release']);
    expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({ balance: 100, ledgerSum: 100 });
  });

  it.each([
    [1037, '1037'],
    [2001, '2001'],
    [9901, '1'],
  ])(
    'When the simulator answers amount %i, then the payment fails with result code %s and the fee comes back',
    async (amount, code) => {
      const merchant = await createMerchantFixture(stack, { walletKes: 200 });
      const res = await push(merchant, amount);
      const status = await finalStatus(merchant, res.data.checkout_request_id);
      expect(status).toMatchObject({ status: 'failed', result_code: code, balance: 200 });
    },
  );

  it('When the wallet cannot cover the fee, then the push is refused with 402 and nothing is sent to Daraja', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 5 });
    const before = stack.simulator.control.stats();
    const res = await push(merchant, 500);
    expect(res.status).toBe(402);
    expect(res.data.error).toContain('Insufficient service balance');
    expect(res.data).toMatchObject({ code: 'insufficient_balance', fee: 6, balance: 5 });
    expect(stack.simulator.control.stats().pushesAccepted + stack.simulator.control.stats().pushesRejected).toBe(
      before.pushesAccepted + before.pushesRejected,
    );
    expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({ balance: 5, ledgerSum: 5 });
  });

  it('When the success callback arrives after the query said failed, then the payment becomes completed and the fee is captured', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 100 });
    const res = await push(merchant, 9904);
    expect(res.status).toBe(200);
    const failed = await finalStatus(merchant, res.data.checkout_request_id);
    expect(failed.status).toBe('failed');
    expect((await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).balance).toBe(100);

    const completed = await eventually(
      async () => {
        const r = await stack.http.get(`/transaction/status/${res.data.checkout_request_id}`, {
          headers: { Authorization: merchant.authorization },
        });
        return r.data.status === 'completed' ? r.data : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(completed.mpesa_receipt).toMatch(/^[A-Z0-9]{10}$/);
    // The fee is charged again just after the payment is marked completed.
    await eventually(async () => ((await ledgerKinds(res.data.transaction_id)).length === 3 ? true : undefined));
    expect(await ledgerKinds(res.data.transaction_id)).toEqual(['fee_reserve', 'fee_release', 'late_fee_capture']);
    expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({ balance: 50, ledgerSum: 50 });
  });
});

describe('Daraja misbehaving', () => {
  it('When Daraja answers the push with spike arrest, then the push is retried and the payment completes', async () => {
    const merchant = await createMerchantFixture(stack);
    const res = await push(merchant, 9906);
    expect(res.status).toBe(200);
    const status = await finalStatus(merchant, res.data.checkout_request_id);
    expect(status.status).toBe('completed');
    expect(stack.simulator.control.stats().spikeArrests).toBeGreaterThanOrEqual(2);
  });

  it('When the push call times out, then the merchant gets 202, no second prompt is sent, and the late callback completes it', async () => {
    const merchant = await createMerchantFixture(stack);
    const before = stack.simulator.control.pushes().filter((p) => p.amount === 9907).length;
    const res = await push(merchant, 9907);
    expect(res.status).toBe(202);
    // Until M-Pesa confirms, checkout_request_id carries the transaction id, which the status endpoint accepts.
    expect(res.data).toMatchObject({ success: true, checkout_request_id: String(res.data.transaction_id) });
    const status = await finalStatus(merchant, res.data.checkout_request_id);
    expect(status.status).toBe('completed');
    expect(stack.simulator.control.pushes().filter((p) => p.amount === 9907).length).toBe(before + 1);
  });
});
