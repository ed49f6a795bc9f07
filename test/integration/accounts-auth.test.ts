import { randomBytes } from 'node:crypto';
import { ensureAdmin } from '../../db/admins';
import { hashSessionToken } from '../../api/sessions';
import { quietTemporalRuntime, startStack, createMerchantFixture, type Stack } from '../support/harness';

quietTemporalRuntime();

const SESSION_TTL_HOURS = 3;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ withoutWorker: true, env: { SESSION_TTL_HOURS: String(SESSION_TTL_HOURS) } });
});
afterAll(async () => {
  await stack?.stop();
});

const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString('hex')}@shop.example`;
const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
const PASSWORD = 'a long enough password';

async function signUp(email = uniqueEmail('owner')) {
  const res = await stack.http.post('/auth/signup', { business_name: 'Mama Mboga Ltd', email, password: PASSWORD });
  expect(res.status).toBe(201);
  return { email, token: res.data.token as string, body: res.data };
}

async function count(table: string): Promise<number> {
  const [row] = await stack.orm.em
    .fork()
    .getConnection()
    .execute<{ n: string }[]>(`select count(*) as n from ${table}`);
  return Number(row!.n);
}

describe('Dashboard sign-up and sessions', () => {
  it('When a business signs up, logs in, reads /me and logs out, then each step answers its documented shape and the ended token is refused at once', async () => {
    const email = uniqueEmail('Owner');
    const signUpRes = await stack.http.post('/auth/signup', {
      business_name: '  Mama Mboga Ltd ',
      email: email.toUpperCase(),
      password: PASSWORD,
    });
    expect(signUpRes.status).toBe(201);
    expect(signUpRes.data).toEqual({
      token: expect.stringMatching(/^sess_/),
      expires_at: expect.any(String),
      user: { id: expect.any(Number), email: email.toLowerCase(), role: 'merchant' },
      merchant: { id: expect.any(Number), name: 'Mama Mboga Ltd', kyc_status: 'unverified' },
    });
    const expiresInHours = (Date.parse(signUpRes.data.expires_at) - Date.now()) / 3600_000;
    expect(expiresInHours).toBeGreaterThan(SESSION_TTL_HOURS - 0.1);
    expect(expiresInHours).toBeLessThanOrEqual(SESSION_TTL_HOURS);
    // The merchant got its service wallet, empty.
    const [wallet] = await stack.orm.em
      .fork()
      .getConnection()
      .execute('select balance from wallets where merchant_id = ?', [signUpRes.data.merchant.id]);
    expect(wallet).toEqual({ balance: 0 });

    const login = await stack.http.post('/auth/login', { email: ` ${email} `, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.data.token).not.toBe(signUpRes.data.token);
    expect(login.data.user).toEqual(signUpRes.data.user);
    expect(login.data.merchant).toEqual(signUpRes.data.merchant);

    const me = await stack.http.get('/me', bearer(login.data.token));
    expect(me.status).toBe(200);
    expect(me.data).toEqual({
      user: signUpRes.data.user,
      merchant: signUpRes.data.merchant,
      expires_at: login.data.expires_at,
    });

    expect((await stack.http.post('/auth/logout', {}, bearer(login.data.token))).status).toBe(204);
    const after = await stack.http.get('/me', bearer(login.data.token));
    expect(after.status).toBe(401);
    expect(after.data.code).toBe('unauthorized');
    // Ending one session leaves the others alone.
    expect((await stack.http.get('/me', bearer(signUpRes.data.token))).status).toBe(200);
  });

  it('When the password or the email is wrong, then both answer the same 401 that does not say which part was wrong', async () => {
    const { email } = await signUp();
    const wrongPassword = await stack.http.post('/auth/login', { email, password: 'not the password at all' });
    const unknownEmail = await stack.http.post('/auth/login', { email: uniqueEmail('nobody'), password: PASSWORD });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.data).toEqual({ error: 'Invalid email or password', code: 'unauthorized' });
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.data).toEqual(wrongPassword.data);
  });

  it('When an email is already registered (in any letter case), then sign-up answers 409 and creates nothing', async () => {
    const { email } = await signUp();
    const [users, merchants] = [await count('users'), await count('merchants')];
    const res = await stack.http.post('/auth/signup', {
      business_name: 'Copycat',
      email: email.toUpperCase(),
      password: PASSWORD,
    });
    expect(res.status).toBe(409);
    expect(res.data).toMatchObject({ code: 'conflict', field: 'email' });
    expect([await count('users'), await count('merchants')]).toEqual([users, merchants]);
  });

  it.each([
    [{ password: 'short' }, 'password', /at least 10 characters/],
    [{ password: undefined }, 'password', /password is required/],
    [{ email: 'not-an-email' }, 'email', /valid email/],
    [{ business_name: undefined }, 'business_name', /business_name is required/],
    [{ business_name: ' ' }, 'business_name', /at least 2 characters/],
  ])('When sign-up has %p, then 400 names %s and nothing is created', async (change, field, message) => {
    const before = await count('users');
    const res = await stack.http.post('/auth/signup', {
      business_name: 'Shop',
      email: uniqueEmail('bad'),
      password: PASSWORD,
      ...change,
    });
    expect(res.status).toBe(400);
    expect(res.data.field).toBe(field);
    expect(res.data.error).toMatch(message);
    expect(await count('users')).toBe(before);
  });

  it('When a session has expired, then /me and merchant endpoints refuse it', async () => {
    const { body } = await signUp();
    const token = `sess_expired_${randomBytes(16).toString('hex')}`;
    await stack.orm.em
      .fork()
      .getConnection()
      .execute(`insert into sessions (token_hash, user_id, expires_at) values (?, ?, now() - interval '1 minute')`, [
        hashSessionToken(token),
        body.user.id,
      ]);
    const me = await stack.http.get('/me', bearer(token));
    expect(me.status).toBe(401);
    expect(me.data.error).toMatch(/expired/);
    expect((await stack.http.get('/kyc', bearer(token))).status).toBe(401);
    expect((await stack.http.get('/api-keys', bearer(token))).status).toBe(401);
  });

  it('When there is no session, then /me and logout answer 401', async () => {
    expect((await stack.http.get('/me')).status).toBe(401);
    expect((await stack.http.post('/auth/logout', {})).status).toBe(401);
    expect((await stack.http.get('/me', bearer('sess_made_up'))).status).toBe(401);
  });
});

describe('Admins', () => {
  const adminEmail = uniqueEmail('admin');
  const adminPassword = 'admin password 0123';
  const loginAdmin = async () => {
    const res = await stack.http.post('/auth/login', { email: adminEmail, password: adminPassword });
    expect(res.status).toBe(200);
    return res.data.token as string;
  };

  it('When ADMIN_EMAIL and ADMIN_PASSWORD are configured, then ensureAdmin creates the admin once and it logs in through /auth/login', async () => {
    const config = { ADMIN_EMAIL: adminEmail.toUpperCase(), ADMIN_PASSWORD: adminPassword };
    expect(await ensureAdmin(stack.orm.em.fork(), config)).toBe('created');
    expect(await ensureAdmin(stack.orm.em.fork(), config)).toBe('exists');
    expect(await ensureAdmin(stack.orm.em.fork(), { ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined })).toBe(
      'not_configured',
    );

    const login = await stack.http.post('/auth/login', { email: adminEmail, password: adminPassword });
    expect(login.status).toBe(200);
    expect(login.data.user).toEqual({ id: expect.any(Number), email: adminEmail, role: 'admin' });
    expect(login.data.merchant).toBeNull();
    const me = await stack.http.get('/me', bearer(login.data.token));
    expect(me.data.user.role).toBe('admin');
  });

  it('When an admin lists users, then each shows its role, merchant and KYC status, and ?kyc_status filters them', async () => {
    const token = await loginAdmin();
    const merchantUser = await signUp();
    const all = await stack.http.get('/admin/users', { ...bearer(token), params: { limit: 500 } });
    expect(all.status).toBe(200);
    expect(all.data).toContainEqual({
      id: merchantUser.body.user.id,
      email: merchantUser.email,
      role: 'merchant',
      created_at: expect.any(String),
      merchant: { id: merchantUser.body.merchant.id, name: 'Mama Mboga Ltd', kyc_status: 'unverified' },
    });
    expect(all.data).toContainEqual(expect.objectContaining({ email: adminEmail, role: 'admin', merchant: null }));

    await stack.orm.em
      .fork()
      .getConnection()
      .execute(`update merchants set kyc_status = 'verified' where id = ?`, [merchantUser.body.merchant.id]);
    const verified = await stack.http.get('/admin/users', { ...bearer(token), params: { kyc_status: 'verified' } });
    expect(verified.data.map((u: { id: number }) => u.id)).toContain(merchantUser.body.user.id);
    expect(
      verified.data.every((u: { merchant: { kyc_status: string } | null }) => u.merchant?.kyc_status === 'verified'),
    ).toBe(true);
    const unverified = await stack.http.get('/admin/users', { ...bearer(token), params: { kyc_status: 'unverified' } });
    expect(unverified.data.length).toBeGreaterThan(0);
    expect(unverified.data.map((u: { id: number }) => u.id)).not.toContain(merchantUser.body.user.id);

    const bad = await stack.http.get('/admin/users', { ...bearer(token), params: { kyc_status: 'approved' } });
    expect(bad.status).toBe(400);
    expect(bad.data.field).toBe('kyc_status');
  });

  it('When a merchant’s session or an API key calls /api/admin/*, then 403; with no session, 401', async () => {
    const merchant = await signUp();
    const fixture = await createMerchantFixture(stack);
    for (const path of ['/admin/users', '/admin/kyc']) {
      expect((await stack.http.get(path, bearer(merchant.token))).status).toBe(403);
      expect((await stack.http.get(path, { headers: { Authorization: fixture.authorization } })).status).toBe(401);
      expect((await stack.http.get(path)).status).toBe(401);
    }
    expect((await stack.http.post('/admin/kyc/1/approve', {}, bearer(merchant.token))).status).toBe(403);
  });

  it('When an admin calls merchant-only endpoints, then 403 (admins belong to no merchant)', async () => {
    const token = await loginAdmin();
    const res = await stack.http.get('/api-keys', bearer(token));
    expect(res.status).toBe(403);
  });
});
