import { walletSnapshot } from '../../db/ledger';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const body = (merchant: MerchantFixture, amount = 500) => ({
  account_id: merchant.channelId,
  phone_number: '254712345678',
  amount,
  description: 'Test',
});

describe('The service wallet under concurrent pushes', () => {
  it('When 50 pushes race for a wallet that covers 10 fees, then exactly 10 are accepted and the balance never goes negative', async () => {
    const merchant = await createMerchantFixture(stack, { walletKes: 60 }); // ten fees of KES 6
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        stack.http.post('/stk-push', body(merchant), { headers: { Authorization: merchant.authorization } }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(40);

    const rows = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ balance_after: number }[]>(
        'select balance_after from wallet_ledger where merchant_id = ? order by id',
        [merchant.merchantId],
      );
    expect(Math.min(...rows.map((r) => r.balance_after))).toBe(0);
    const snapshot = await walletSnapshot(stack.orm.em.fork(), merchant.merchantId);
    expect(snapshot.balance).toBe(snapshot.ledgerSum);
    expect(snapshot.balance).toBe(0);

    // The ten accepted payments complete and keep their fees; the refused ones never reached Daraja.
    await eventually(async () => {
      const [row] = await stack.orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>(
          `select count(*) as n from transactions where merchant_id = ? and status = 'completed'`,
          [merchant.merchantId],
        );
      return Number(row!.n) === 10 ? true : undefined;
    });
    expect(await walletSnapshot(stack.orm.em.fork(), merchant.merchantId)).toEqual({ balance: 0, ledgerSum: 0 });
  });
});

describe('Idempotency-Key', () => {
  it('When the same Idempotency-Key is sent twice, then both answers name one payment and the customer gets one prompt', async () => {
    const merchant = await createMerchantFixture(stack);
    const headers = { Authorization: merchant.authorization, 'Idempotency-Key': 'order-1001-attempt' };
    const pushesBefore = stack.simulator.control.stats().pushesAccepted;
    const [first, second] = await Promise.all([
      stack.http.post('/stk-push', body(merchant), { headers }),
      stack.http.post('/stk-push', body(merchant), { headers }),
    ]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.data).toEqual(first.data);
    const third = await stack.http.post('/stk-push', body(merchant), { headers });
    expect(third.data).toEqual(first.data);
    expect(stack.simulator.control.stats().pushesAccepted).toBe(pushesBefore + 1);
  });

  it('When a finished payment is retried with its key, then the same answer comes back without a new push', async () => {
    const merchant = await createMerchantFixture(stack);
    const headers = { Authorization: merchant.authorization, 'Idempotency-Key': 'finished-payment' };
    const first = await stack.http.post('/stk-push', body(merchant, 1032), { headers });
    await eventually(async () => {
      const s = await stack.http.get(`/transaction/status/${first.data.checkout_request_id}`, { headers });
      return s.data.status === 'failed' ? true : undefined;
    });
    const retry = await stack.http.post('/stk-push', body(merchant, 1032), { headers });
    expect(retry.status).toBe(200);
    expect(retry.data).toEqual(first.data);
  });

  it('When a key is reused with a different body, then 409 explains it and nothing new is created', async () => {
    const merchant = await createMerchantFixture(stack);
    const headers = { Authorization: merchant.authorization, 'Idempotency-Key': 'reused-key' };
    const first = await stack.http.post('/stk-push', body(merchant, 500), { headers });
    expect(first.status).toBe(200);
    const reused = await stack.http.post('/stk-push', body(merchant, 501), { headers });
    expect(reused.status).toBe(409);
    expect(reused.data.error).toMatch(/Idempotency-Key was already used/);
    const [row] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>('select count(*) as n from transactions where merchant_id = ?', [merchant.merchantId]);
    expect(Number(row!.n)).toBe(1);
  });

  it('When a refused request names a new phone number (a reused key with another body, a channel that is not there), then no customer is left behind, on either API face', async () => {
    const merchant = await createMerchantFixture(stack);
    const headers = { Authorization: merchant.authorization, 'Idempotency-Key': 'customer-key' };
    expect((await stack.http.post('/stk-push', body(merchant, 500), { headers })).status).toBe(200);
    const customers = async () => {
      const [row] = await stack.orm.em
        .fork()
        .getConnection()
        .execute<{ n: string }[]>('select count(*) as n from customers where merchant_id = ?', [merchant.merchantId]);
      return Number(row!.n);
    };
    const before = await customers();

    const anotherPhone = { ...body(merchant, 500), phone_number: '0799000111' };
    expect((await stack.http.post('/stk-push', anotherPhone, { headers })).status).toBe(409);
    expect(
      (
        await stack.http.post(
          '/stk-push',
          { ...anotherPhone, account_id: 987654321 },
          { headers: { Authorization: merchant.authorization } },
        )
      ).status,
    ).toBe(404);
    const express = { phoneNumber: '254799000222', amount: 500, description: 'Order 1', name: 'New Customer' };
    const expressHeaders = { Authorization: merchant.authorization, 'Idempotency-Key': 'express-key' };
    expect((await stack.http.post('/v1/payments', express, { headers: expressHeaders })).status).toBe(201);
    const afterExpress = await customers();
    expect(afterExpress).toBe(before + 1);
    expect(
      (await stack.http.post('/v1/payments', { ...express, phoneNumber: '254799000333' }, { headers: expressHeaders }))
        .status,
    ).toBe(409);
    expect(
      (
        await stack.http.post(
          '/v1/payments',
          { ...express, phoneNumber: '254799000444', accountId: 987654321 },
          { headers: { Authorization: merchant.authorization } },
        )
      ).status,
    ).toBe(404);
    expect(await customers()).toBe(afterExpress);
  });
});
