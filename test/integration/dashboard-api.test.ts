import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInAdmin } from '../support/signedInUsers';
import { startWebhookReceiver } from '../support/webhookReceiver';
import { csrfTokenFor } from '../../api/browserSession';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** `name=value` of each Set-Cookie header, and the header itself. */
function cookiesOf(setCookie: string[] | undefined): Record<string, string> {
  return Object.fromEntries((setCookie ?? []).map((header) => [header.split('=')[0]!, header]));
}
const valueOf = (header: string) => header.split(';')[0]!.split('=').slice(1).join('=');

async function payAndSettle(merchant: MerchantFixture, amount: number): Promise<number> {
  const push = await stack.http.post(
    '/stk-push',
    { account_id: merchant.channelId, phone_number: '0712345678', amount, external_reference: `INV-${amount}` },
    { headers: { Authorization: merchant.authorization } },
  );
  expect(push.status).toBe(200);
  await eventually(async () =>
    (
      await stack.http.get(`/transaction/status/${push.data.transaction_id}`, {
        headers: { Authorization: merchant.authorization },
      })
    ).data.status !== 'pending'
      ? true
      : undefined,
  );
  return push.data.transaction_id;
}

describe('Browser sessions over HTTP', () => {
  it('When someone signs up, then the JSON answer is unchanged and two cookies are set: the HttpOnly session and its CSRF token', async () => {
    const res = await stack.http.post('/auth/signup', {
      business_name: 'Cookie Shop',
      email: 'cookie@example.test',
      password: 'a long enough password',
    });
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({ token: expect.stringMatching(/^sess_/), user: { email: 'cookie@example.test' } });
    const cookies = cookiesOf(res.headers['set-cookie']);
    expect(cookies.imarapay_session).toMatch(/; path=\/; expires=.+; samesite=lax; httponly$/);
    expect(valueOf(cookies.imarapay_session!)).toBe(res.data.token);
    expect(cookies.imarapay_csrf).not.toMatch(/httponly/);
    expect(valueOf(cookies.imarapay_csrf!)).toBe(csrfTokenFor(stack.config.API_KEY_PEPPER, res.data.token));
    expect(new Date(cookies.imarapay_session!.match(/expires=([^;]+)/)![1]!).toISOString().slice(0, 19)).toBe(
      res.data.expires_at.slice(0, 19),
    );
  });

  it('When a request carries only the session cookie, then reads work, writes need the X-CSRF-Token header, and logout clears both cookies', async () => {
    const login = await stack.http.post('/auth/signup', {
      business_name: 'Cookie Shop 2',
      email: 'cookie2@example.test',
      password: 'a long enough password',
    });
    const token: string = login.data.token;
    const cookie = { Cookie: `imarapay_session=${token}` };
    expect((await stack.http.get('/me', { headers: cookie })).data).toMatchObject({
      user: { email: 'cookie2@example.test' },
    });
    expect((await stack.http.get('/wallet', { headers: cookie })).data).toEqual({ balance: 0, currency: 'KES' });

    const noToken = await stack.http.put(
      '/settings',
      { callback_url: 'https://shop.example.com/cb' },
      { headers: cookie },
    );
    expect(noToken.status).toBe(403);
    expect(noToken.data).toEqual({ error: expect.any(String), code: 'csrf_failed' });
    const otherSessionsToken = await stack.http.put(
      '/settings',
      { callback_url: 'https://shop.example.com/cb' },
      { headers: { ...cookie, 'X-CSRF-Token': csrfTokenFor(stack.config.API_KEY_PEPPER, 'sess_another') } },
    );
    expect(otherSessionsToken.status).toBe(403);
    expect((await stack.http.get('/settings', { headers: cookie })).data.callback_url).toBeNull();

    const withToken = await stack.http.put(
      '/settings',
      { callback_url: 'https://shop.example.com/cb' },
      { headers: { ...cookie, 'X-CSRF-Token': csrfTokenFor(stack.config.API_KEY_PEPPER, token) } },
    );
    expect(withToken.status).toBe(200);
    // Programs keep using the Bearer header: no CSRF token needed.
    const bearer = await stack.http.put(
      '/settings',
      { callback_url: null },
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(bearer.status).toBe(200);

    const logout = await stack.http.post('/auth/logout', null, {
      headers: { ...cookie, 'X-CSRF-Token': csrfTokenFor(stack.config.API_KEY_PEPPER, token) },
    });
    expect(logout.status).toBe(204);
    const cleared = cookiesOf(logout.headers['set-cookie']);
    expect(cleared.imarapay_session).toMatch(/^imarapay_session=; path=\/; expires=Thu, 01 Jan 1970/);
    expect(cleared.imarapay_csrf).toMatch(/^imarapay_csrf=; path=\/; expires=Thu, 01 Jan 1970/);
    expect((await stack.http.get('/me', { headers: cookie })).status).toBe(401);
  });

  it('When a program sends an API key with a stale session cookie, then the key decides and no CSRF token is asked', async () => {
    const merchant = await createMerchantFixture(stack);
    const res = await stack.http.post(
      '/accounts',
      { account_type: 'till', account_number: '7654321' },
      { headers: { Authorization: merchant.authorization, Cookie: 'imarapay_session=sess_stale' } },
    );
    expect(res.status).toBe(201);
  });
});

describe('POST /api/me/password', () => {
  it('When the current password is right, then the new one signs in, the old one does not, and only the other sessions end', async () => {
    const signUp = await stack.http.post('/auth/signup', {
      business_name: 'Password Shop',
      email: 'pw@example.test',
      password: 'the first password',
    });
    const other = await stack.http.post('/auth/login', { email: 'pw@example.test', password: 'the first password' });
    const bearer = { headers: { Authorization: `Bearer ${signUp.data.token}` } };
    const wrong = await stack.http.post(
      '/me/password',
      { current_password: 'not it at all', new_password: 'the second password' },
      bearer,
    );
    expect(wrong.data).toEqual({
      error: 'current_password is not your password',
      code: 'validation_failed',
      field: 'current_password',
    });
    const short = await stack.http.post(
      '/me/password',
      { current_password: 'the first password', new_password: 'short' },
      bearer,
    );
    expect(short.data).toMatchObject({ code: 'validation_failed', field: 'new_password' });

    expect(
      (
        await stack.http.post(
          '/me/password',
          { current_password: 'the first password', new_password: 'the second password' },
          bearer,
        )
      ).status,
    ).toBe(204);
    expect((await stack.http.get('/me', bearer)).status).toBe(200);
    expect((await stack.http.get('/me', { headers: { Authorization: `Bearer ${other.data.token}` } })).status).toBe(
      401,
    );
    expect(
      (await stack.http.post('/auth/login', { email: 'pw@example.test', password: 'the first password' })).status,
    ).toBe(401);
    expect(
      (await stack.http.post('/auth/login', { email: 'pw@example.test', password: 'the second password' })).status,
    ).toBe(200);
  });
});

describe('The dashboard served at /', () => {
  it('When a page of the app is asked for, then index.html (or the not-built notice) comes with the CSP; /api, /hooks and /docs stay the API', async () => {
    const base = stack.apiUrl.replace(/\/api$/, '');
    const page = await stack.http.get(`${base}/transactions/42`);
    expect([200, 503]).toContain(page.status);
    expect(page.headers['content-security-policy']).toMatch(
      /^default-src 'self'; script-src 'self'; style-src 'self';/,
    );
    expect((await stack.http.get(`${base}/api/nope`)).data).toMatchObject({ code: 'not_found' });
    expect((await stack.http.get(`${base}/docs`)).headers['content-type']).toMatch(/^text\/html/);
  });
});

describe('GET /api/transactions/:id/timeline', () => {
  it('When a payment completed and its webhook was delivered, then its timeline tells the story in order', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const merchant = await createMerchantFixture(stack, { callbackUrl: receiver.url });
      const id = await payAndSettle(merchant, 500);
      await eventually(async () => (receiver.received.length === 1 ? true : undefined));
      const timeline = await eventually(async () => {
        const res = await stack.http.get(`/transactions/${id}/timeline`, {
          headers: { Authorization: merchant.authorization },
        });
        const answered = (e: { kind: string; title: string }) =>
          e.kind === 'webhook_attempt' && !e.title.endsWith('being sent');
        return res.data.events?.some(answered) ? res.data : undefined;
      });
      expect(timeline.transaction).toMatchObject({
        id,
        status: 'completed',
        amount: 500,
        fee_charged: 6,
        environment: 'sandbox',
        workflow_id: `payment-${id}`,
        decided_by: 'callback',
      });
      expect(timeline.events.map((e: { kind: string }) => e.kind)).toEqual([
        'created',
        'fee_reserved',
        'push_accepted',
        'callback_received',
        expect.stringMatching(/^(fee_captured|settled)$/),
        expect.stringMatching(/^(fee_captured|settled)$/),
        'webhook_attempt',
      ]);
      expect(timeline.events.find((e: { kind: string }) => e.kind === 'webhook_attempt').title).toMatch(
        /^Webhook payment\.completed attempt 1 answered 200 in \d+ ms$/,
      );
    } finally {
      await receiver.close();
    }
  });

  it('When the customer cancels, then the fee release and the failure are on the timeline', async () => {
    const merchant = await createMerchantFixture(stack);
    const id = await payAndSettle(merchant, 1032);
    const res = await stack.http.get(`/transactions/${id}/timeline`, {
      headers: { Authorization: merchant.authorization },
    });
    const titles = res.data.events.map((e: { title: string }) => e.title);
    expect(titles).toContain('Fee of KES 25 released back to the service wallet');
    expect(res.data.events.find((e: { kind: string }) => e.kind === 'settled')).toMatchObject({
      title: 'Failed (from the callback)',
      detail: 'Request cancelled by user',
    });
  });

  it("When another merchant asks for a payment's timeline, then it is 404 like one that does not exist", async () => {
    const owner = await createMerchantFixture(stack);
    const stranger = await createMerchantFixture(stack);
    const id = await payAndSettle(owner, 100);
    const res = await stack.http.get(`/transactions/${id}/timeline`, {
      headers: { Authorization: stranger.authorization },
    });
    expect(res.status).toBe(404);
    expect(res.data).toEqual({ error: `Transaction ${id} does not exist`, code: 'not_found' });
    expect(
      (await stack.http.get('/transactions/abc/timeline', { headers: { Authorization: stranger.authorization } })).data,
    ).toMatchObject({ code: 'validation_failed', field: 'id' });
  });
});

describe('GET /api/admin/overview/payments-per-minute', () => {
  it('When payments complete and fail, then each minute of the window counts exactly the payments the database holds for it, by outcome', async () => {
    const admin = { headers: { Authorization: await signInAdmin(stack) } };
    const merchant = await createMerchantFixture(stack, { walletKes: 5000 });
    await payAndSettle(merchant, 200);
    await payAndSettle(merchant, 1032);
    const res = await stack.http.get('/admin/overview/payments-per-minute', { ...admin, params: { minutes: 5 } });
    expect(res.status).toBe(200);
    expect(res.data).toHaveLength(5);
    const rows = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ status: string; created_at: Date }[]>(
        `select status, created_at from transactions where purpose = 'payment'`,
      );
    const expected = res.data.map((minute: { minute: string }) => {
      const start = Date.parse(minute.minute);
      const inMinute = rows.filter(
        (r) => new Date(r.created_at).getTime() >= start && new Date(r.created_at).getTime() < start + 60_000,
      );
      const count = (status: string) => inMinute.filter((r) => r.status === status).length;
      return {
        minute: minute.minute,
        completed: count('completed'),
        failed: count('failed'),
        pending: count('pending'),
      };
    });
    expect(res.data).toEqual(expected);
    expect(
      res.data.reduce((n: number, r: { completed: number; failed: number }) => n + r.completed + r.failed, 0),
    ).toBeGreaterThanOrEqual(2);
    expect(
      (await stack.http.get('/admin/overview/payments-per-minute', { ...admin, params: { minutes: 2 } })).data,
    ).toMatchObject({ code: 'validation_failed', field: 'minutes' });
  });
});
