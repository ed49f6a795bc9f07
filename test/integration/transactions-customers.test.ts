import { issueApiKey } from '../../db/merchants';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin } from '../support/signedInUsers';

quietTemporalRuntime();

let stack: Stack;
let merchant: MerchantFixture;
let paybillId: number;
/** The three payments of `merchant`, pushed for real in beforeAll. */
const paid: Record<'tillCompleted' | 'tillFailed' | 'paybillCompleted', { id: number; receipt: string | null }> =
  {} as never;

const as = (authorization: string) => ({ headers: { Authorization: authorization } });
const sql = <T>(query: string, params: unknown[] = []) =>
  stack.orm.em.fork().getConnection().execute<T[]>(query, params);
const list = (m: MerchantFixture, params: Record<string, unknown> = {}) =>
  stack.http.get('/transactions', { ...as(m.authorization), params });
const ids = (res: { data: { id: number }[] }) => res.data.map((t) => t.id).sort((a, b) => a - b);

async function pushAndSettle(m: MerchantFixture, body: Record<string, unknown>, wanted: 'completed' | 'failed') {
  const res = await stack.http.post('/stk-push', body, as(m.authorization));
  expect(res.status).toBe(200);
  return eventually(async () => {
    const s = await stack.http.get(`/transaction/status/${res.data.checkout_request_id}`, as(m.authorization));
    return s.data.status === wanted
      ? { id: res.data.transaction_id as number, receipt: s.data.mpesa_receipt as string | null }
      : undefined;
  });
}

beforeAll(async () => {
  stack = await startStack();
  merchant = await createMerchantFixture(stack);
  paybillId = (
    await stack.http.post(
      '/accounts',
      { account_type: 'paybill', account_number: '247247', account_reference: 'SHOP' },
      as(merchant.authorization),
    )
  ).data.id;
  // One customer pays from 0712… and again from +254712…; another from 0110….
  paid.tillCompleted = await pushAndSettle(
    merchant,
    {
      account_id: merchant.channelId,
      phone_number: '0712345678',
      amount: 500,
      external_reference: 'INV-001',
      description: 'Order 1001',
    },
    'completed',
  );
  paid.tillFailed = await pushAndSettle(
    merchant,
    { account_id: merchant.channelId, phone_number: '+254712345678', amount: 1032, external_reference: 'INV-002' },
    'failed',
  );
  paid.paybillCompleted = await pushAndSettle(
    merchant,
    {
      account_id: paybillId,
      phone_number: '0110000001',
      amount: 700,
      external_reference: '=HYPERLINK("x"), "quoted"\nline two',
    },
    'completed',
  );
});
afterAll(async () => {
  await stack?.stop();
});

describe('Listing transactions', () => {
  it('When the docs’ snippet lists completed transactions, then it gets a plain array of documented transaction objects', async () => {
    const res = await list(merchant, { status: 'completed', limit: 50 });
    expect(Array.isArray(res.data)).toBe(true);
    const lines: string[] = [];
    res.data.forEach((tx: any) =>
      lines.push(`${tx.mpesa_receipt} | KES ${tx.amount} | ${tx.phone_number} | ${tx.external_reference}`),
    );
    expect(lines).toContain(`${paid.tillCompleted.receipt} | KES 500 | 254712345678 | INV-001`);

    const tx = res.data.find((t: { id: number }) => t.id === paid.tillCompleted.id);
    expect(tx).toEqual({
      id: paid.tillCompleted.id,
      type: 'payment',
      phone_number: '254712345678',
      amount: 500,
      fee_charged: 6,
      status: 'completed',
      mpesa_receipt: paid.tillCompleted.receipt,
      external_reference: 'INV-001',
      description: 'Order 1001',
      checkout_request_id: expect.stringMatching(/^ws_CO_/),
      result_code: '0',
      result_desc: expect.any(String),
      mpesa_amount: 500,
      mpesa_phone_number: '254712345678',
      mpesa_transaction_date: expect.stringMatching(/^\d{14}$/),
      review_reason: null,
      reversal_status: null,
      account_id: merchant.channelId,
      account_name: 'Till 5123456',
      channel: 'Till - 5123456',
      customer_id: expect.stringMatching(/^cus_[0-9A-Za-z]+$/),
      link_id: null,
      created_at: expect.stringMatching(/Z$/),
      completed_at: expect.stringMatching(/Z$/),
    });
  });

  it('When filtering by status and account_id, then only matching transactions come back; a failed one was charged nothing', async () => {
    expect(ids(await list(merchant, { status: 'completed' }))).toEqual([
      paid.tillCompleted.id,
      paid.paybillCompleted.id,
    ]);
    const failed = await list(merchant, { status: 'failed' });
    expect(failed.data).toEqual([
      expect.objectContaining({ id: paid.tillFailed.id, fee_charged: 0, status: 'failed' }),
    ]);
    expect(ids(await list(merchant, { account_id: paybillId }))).toEqual([paid.paybillCompleted.id]);
    expect((await list(merchant, { account_id: paybillId })).data[0]).toMatchObject({
      account_name: 'Paybill 247247',
      channel: 'Paybill - 247247',
    });
  });

  it('When searching, then a receipt (any case), a phone number in any format, and an external reference each find their payments', async () => {
    expect(ids(await list(merchant, { q: paid.tillCompleted.receipt!.toLowerCase() }))).toEqual([
      paid.tillCompleted.id,
    ]);
    expect(ids(await list(merchant, { q: '0712 345 678' }))).toEqual([paid.tillCompleted.id, paid.tillFailed.id]);
    expect(ids(await list(merchant, { q: '254110000001' }))).toEqual([paid.paybillCompleted.id]);
    expect(ids(await list(merchant, { q: 'INV-002' }))).toEqual([paid.tillFailed.id]);
    expect((await list(merchant, { q: 'INV-999' })).data).toEqual([]);
  });

  it('When a date range is given, then bare dates are whole days in East Africa Time and timestamps are exact', async () => {
    const m = await createMerchantFixture(stack);
    const [a, b, c] = await Promise.all([
      pushAndSettle(m, { account_id: m.channelId, phone_number: '0712345678', amount: 10 }, 'completed'),
      pushAndSettle(m, { account_id: m.channelId, phone_number: '0712345678', amount: 11 }, 'completed'),
      pushAndSettle(m, { account_id: m.channelId, phone_number: '0712345678', amount: 12 }, 'completed'),
    ]);
    // 13:00 on 15 June in Nairobi; 01:30 on 15 June in Nairobi (still the 14th in UTC); 00:30 on 17 June in Nairobi.
    await sql(`update transactions set created_at = ? where id = ?`, ['2024-06-15T10:00:00Z', a.id]);
    await sql(`update transactions set created_at = ? where id = ?`, ['2024-06-14T22:30:00Z', b.id]);
    await sql(`update transactions set created_at = ? where id = ?`, ['2024-06-16T21:30:00Z', c.id]);

    // Which rows, not their order (ordering is the paging test's subject).
    expect(ids(await list(m, { from: '2024-06-15', to: '2024-06-15' })).sort()).toEqual([a.id, b.id].sort());
    expect(ids(await list(m, { from: '2024-06-16', to: '2024-06-16' }))).toEqual([]);
    expect(ids(await list(m, { from: '2024-06-17' }))).toEqual([c.id]);
    expect(ids(await list(m, { to: '2024-06-14' }))).toEqual([]);
    expect(ids(await list(m, { from: '2024-06-15T10:00:00Z', to: '2024-06-15T10:00:00Z' }))).toEqual([a.id]);
    expect(ids(await list(m, { from: '2024-06-15T13:00:01+03:00' }))).toEqual([c.id]);
  });

  it.each([
    [{ status: 'done' }, 'status'],
    [{ limit: 1001 }, 'limit'],
    [{ limit: 0 }, 'limit'],
    [{ account_id: 'abc' }, 'account_id'],
    [{ from: 'yesterday' }, 'from'],
    [{ from: '2024-02-30' }, 'from'],
    [{ to: '2024-06-15T10:00:00' }, 'to'],
    [{ from: '2024-06-16', to: '2024-06-15' }, 'to'],
    [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
  ])('When the query is %p, then 400 names %s', async (params, field) => {
    const res = await list(merchant, params);
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ code: 'validation_failed', field });
  });
});

describe('Paging through transactions', () => {
  it('When 57 transactions (ties to the microsecond included) are paged 10 at a time while a new one arrives, then each comes exactly once, in order', async () => {
    const m = await createMerchantFixture(stack);
    // Groups of five within one millisecond: two share a timestamp exactly, the others follow 1, 2 and 3 µs later,
    // so a cursor that kept only milliseconds (as JavaScript dates do) would skip rows.
    await sql(
      `insert into transactions (public_id, merchant_id, channel_id, environment, phone_number, amount, fee, status, description, account_reference, workflow_id, created_at)
       select 'trxn_bulk' || substr(md5(random()::text), 1, 20), ?, ?, 'sandbox', '254700000001', 100 + g, 1, 'completed', 'Bulk', 'REF', 'bulk-' || ? || '-' || g,
              timestamptz '2024-07-01T00:00:00Z' + (g / 5) * interval '1 millisecond' + greatest(g % 5 - 1, 0) * interval '1 microsecond'
         from generate_series(1, 57) g`,
      [m.merchantId, m.channelId, m.merchantId],
    );
    const expected = await sql<{ id: number }>(
      'select id from transactions where merchant_id = ? order by created_at desc, id desc',
      [m.merchantId],
    );

    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await list(m, { limit: 10, cursor });
      expect(res.status).toBe(200);
      seen.push(...res.data.map((t: { id: number }) => t.id));
      cursor = res.headers['x-next-cursor'];
      if (++pages === 2)
        await pushAndSettle(m, { account_id: m.channelId, phone_number: '0712345678', amount: 5 }, 'completed');
    } while (cursor);
    expect(pages).toBe(6);
    expect(seen).toEqual(expected.map((r) => r.id));
  });
});

describe('CSV export', () => {
  it('When completed transactions are exported, then the CSV has a header row, one escaped row each, and downloads as an attachment', async () => {
    const res = await stack.http.get('/transactions.csv', {
      ...as(merchant.authorization),
      params: { status: 'completed' },
      responseType: 'text',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="imarapay-transactions-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows = parseCsv(res.data);
    const header = rows[0]!;
    expect(header.slice(0, 8)).toEqual([
      'id',
      'type',
      'created_at',
      'completed_at',
      'status',
      'amount',
      'fee_charged',
      'phone_number',
    ]);
    const records = rows.slice(1).map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
    expect(records.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual([
      paid.tillCompleted.id,
      paid.paybillCompleted.id,
    ]);
    const tricky = records.find((r) => Number(r.id) === paid.paybillCompleted.id)!;
    // Quotes, comma and newline survive the round trip; the leading "=" is defused so no spreadsheet runs it.
    expect(tricky.external_reference).toBe(`'=HYPERLINK("x"), "quoted"\nline two`);
    expect(tricky).toMatchObject({
      amount: '700',
      fee_charged: '15',
      channel: 'Paybill - 247247',
      status: 'completed',
    });
  });
});

describe('Customers', () => {
  it('When one person paid from 0712… and +254712…, then they are one customer with two payments and the completed amount', async () => {
    const res = await stack.http.get('/customers', as(merchant.authorization));
    expect(res.data).toEqual([
      expect.objectContaining({ phone_number: '254110000001', payment_count: 1, total_paid: 700 }),
      expect.objectContaining({
        id: expect.stringMatching(/^cus_/),
        phone_number: '254712345678',
        payment_count: 2,
        total_paid: 500,
        name: null,
        email: null,
      }),
    ]);
    const customerId = res.data[1].id;
    const detail = await stack.http.get(`/customers/${customerId}`, as(merchant.authorization));
    expect(detail.data).toMatchObject({ id: customerId, payment_count: 2, total_paid: 500 });
    expect(detail.data.payments.map((p: { id: number }) => p.id)).toEqual([paid.tillFailed.id, paid.tillCompleted.id]);
    expect(ids(await list(merchant, { customer_id: customerId }))).toEqual([paid.tillCompleted.id, paid.tillFailed.id]);
    expect(
      (await stack.http.get('/customers', { ...as(merchant.authorization), params: { phone_number: '0712-345-678' } }))
        .data,
    ).toEqual([res.data[1]]);
  });
});

describe('Isolation and admins', () => {
  it('When another merchant, or the same merchant’s production key, asks, then they see none of it', async () => {
    const other = await createMerchantFixture(stack);
    expect((await list(other)).data).toEqual([]);
    expect((await list(other, { q: paid.tillCompleted.receipt })).data).toEqual([]);
    expect((await list(other, { account_id: merchant.channelId })).status).toBe(404);
    expect((await stack.http.get('/customers', as(other.authorization))).data).toEqual([]);
    const customerId = (await stack.http.get('/customers', as(merchant.authorization))).data[0].id;
    expect((await stack.http.get(`/customers/${customerId}`, as(other.authorization))).status).toBe(404);
    expect((await list(other, { customer_id: customerId })).status).toBe(404);
    const csv = await stack.http.get('/transactions.csv', { ...as(other.authorization), responseType: 'text' });
    expect(parseCsv(csv.data)).toHaveLength(1);

    const live = await issueApiKey(
      stack.orm.em.fork(),
      stack.config.API_KEY_PEPPER,
      merchant.merchantId,
      'live',
      'production',
    );
    const liveAuth = `Basic ${Buffer.from(`${live.username}:${live.password}`).toString('base64')}`;
    expect((await stack.http.get('/transactions', as(liveAuth))).data).toEqual([]);
    expect((await stack.http.get('/customers', as(liveAuth))).data).toEqual([]);
  });

  it('When an admin lists transactions, then every merchant’s appear with whose they are, and merchant_id narrows them', async () => {
    const adminAuth = await signInAdmin(stack);

    const one = await stack.http.get('/admin/transactions', {
      ...as(adminAuth),
      params: { merchant_id: merchant.merchantId, status: 'completed' },
    });
    expect(ids(one)).toEqual([paid.tillCompleted.id, paid.paybillCompleted.id]);
    expect(one.data[0]).toMatchObject({
      merchant_id: merchant.merchantId,
      merchant_name: expect.stringMatching(/^Test shop/),
      environment: 'sandbox',
    });
    const all = await stack.http.get('/admin/transactions', { ...as(adminAuth), params: { limit: 1000 } });
    expect(new Set(all.data.map((t: { merchant_id: number }) => t.merchant_id)).size).toBeGreaterThan(1);
    expect(
      (await stack.http.get('/admin/transactions', { ...as(adminAuth), params: { merchant_id: 987654 } })).status,
    ).toBe(404);
    expect((await stack.http.get('/admin/transactions', as(merchant.authorization))).status).toBe(401);
  });
});

/** A small RFC 4180 reader, so the test checks the file the way a spreadsheet would read it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += ch;
    }
  }
  return rows;
}
