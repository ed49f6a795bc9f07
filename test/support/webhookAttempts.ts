import type { MerchantFixture, Stack } from './harness';

/** One webhook attempt row, as the delivery tests compare them. */
export type AttemptRow = { attempt_no: number; status: string; status_code: number | null };

/** The payment's webhook attempts, oldest first. */
export async function attemptsOf(stack: Stack, transactionId: number): Promise<AttemptRow[]> {
  return stack.orm.em
    .fork()
    .getConnection()
    .execute<AttemptRow[]>(
      `select a.attempt_no, a.status, a.status_code from webhook_attempts a
     join webhook_deliveries d on d.id = a.delivery_id where d.transaction_id = ? order by a.attempt_no`,
      [transactionId],
    );
}

/** The status of the payment's webhook delivery (`pending`, `delivered`, …), if it has one yet. */
export async function deliveryStatusOf(stack: Stack, transactionId: number): Promise<string | undefined> {
  const rows = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ status: string }[]>('select status from webhook_deliveries where transaction_id = ?', [transactionId]);
  return rows[0]?.status;
}

/** A KES 500 sandbox push the simulated customer pays; answers its transaction id. */
export async function payKes500(stack: Stack, merchant: MerchantFixture): Promise<number> {
  const res = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount: 500 },
    { headers: { Authorization: merchant.authorization } },
  );
  expect(res.status).toBe(200);
  return res.data.transaction_id;
}
