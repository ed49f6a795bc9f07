import { randomBytes } from 'node:crypto';
import { totpCode } from '../../domain/twoFactor';
import { quietTemporalRuntime, startStack, type Stack } from '../support/harness';

/**
 * The sign-in limits, each against the threat it answers (README "Security"): one address guessing
 * one account, many addresses guessing one account, and an attacker who only knows the e-mail
 * trying to lock its owner out. Addresses are told apart by X-Forwarded-For behind a trusted proxy.
 */

quietTemporalRuntime();
jest.setTimeout(120_000);

const PASSWORD = 'a long enough password';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    withoutWorker: true,
    env: {
      TRUST_PROXY: 'true',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '5/1h',
      RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_IP: '3/15m',
      RATE_LIMIT_LOGIN_CODES_PER_ACCOUNT: '3/1h',
      RATE_LIMIT_LOGIN_PER_IP: '1000/15m',
    },
  });
});
afterAll(() => stack?.stop());

let addressCounter = 0;
const newAddress = () => `203.0.113.${++addressCounter}`;
const from = (ip: string, extra: Record<string, string> = {}) => ({ headers: { 'X-Forwarded-For': ip, ...extra } });
const login = (ip: string, body: Record<string, unknown>) => stack.http.post('/auth/login', body, from(ip));

async function signUp() {
  const email = `owner-${randomBytes(4).toString('hex')}@shop.example`;
  const res = await stack.http.post(
    '/auth/signup',
    { business_name: 'Mama Mboga Ltd', email, password: PASSWORD },
    from(newAddress()),
  );
  expect(res.status).toBe(201);
  return { email, token: res.data.token as string, userId: res.data.user.id as number };
}

/** Turns two-step sign-in on through the API, as the Profile page does; answers the secret and recovery codes. */
async function withTwoFactor(token: string) {
  const auth = { headers: { Authorization: `Bearer ${token}` } };
  const setup = await stack.http.post('/me/two-factor/setup', {}, auth);
  expect(setup.status).toBe(200);
  expect(setup.data.qr_code).toMatch(/^data:image\/png;base64,/);
  const enable = await stack.http.post(
    '/me/two-factor/enable',
    { code: totpCode(setup.data.secret, Date.now()) },
    auth,
  );
  expect(enable.status).toBe(200);
  expect(enable.data.recovery_codes).toHaveLength(10);
  return { secret: setup.data.secret as string, recoveryCodes: enable.data.recovery_codes as string[] };
}

/** The next 30-second step's code: the current one was used to turn two-step sign-in on, and a code works once. */
const nextCode = (secret: string) => totpCode(secret, Date.now() + 30_000);

async function auditActions(email: string): Promise<Array<{ action: string; ip: string; reason: string | null }>> {
  return stack.orm.em
    .fork()
    .getConnection()
    .execute(`select action, ip, details->>'reason' as reason from audit_events where actor_label = ? order by id`, [
      email,
    ]);
}

describe('Sign-in limits', () => {
  it('When one address guesses at an account, then it is stopped, and the owner signing in from another address is not', async () => {
    const { email } = await signUp();
    const attacker = newAddress();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(attacker, { email, password: `guess ${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    // Even the right password is refused from that address now: the limit counts attempts, not failures.
    expect((await login(attacker, { email, password: PASSWORD })).status).toBe(429);

    const owner = await login(newAddress(), { email, password: PASSWORD });
    expect(owner.status).toBe(200);
    const events = await auditActions(email);
    expect(events.filter((e) => e.action === 'login.failed')).toEqual(
      Array.from({ length: 3 }, () => ({ action: 'login.failed', ip: attacker, reason: 'wrong_password' })),
    );
    expect(events.at(-1)).toMatchObject({ action: 'login.succeeded' });
  });

  it('When many addresses guess at one account, then the per-account limit stops them, right password or not', async () => {
    const { email } = await signUp();
    for (let i = 0; i < 5; i++) expect((await login(newAddress(), { email, password: `guess ${i}` })).status).toBe(401);
    const wrong = await login(newAddress(), { email, password: 'guess 6' });
    const right = await login(newAddress(), { email, password: PASSWORD });
    expect([wrong.status, right.status]).toEqual([429, 429]);
    // A right password is not told apart from a wrong one past the limit.
    const shape = (data: { error: string; code: string }) => ({
      ...data,
      error: data.error.replace(/\d+/g, 'N'),
      retry_after: 0,
    });
    expect(shape(right.data)).toEqual(shape(wrong.data));
    expect(right.data).toMatchObject({ code: 'rate_limited', retry_after: expect.any(Number) });
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('When someone who knows only the e-mail uses up the account limit, then the owner still signs in with a code or a recovery code', async () => {
    const { email, token } = await signUp();
    const { secret, recoveryCodes } = await withTwoFactor(token);
    // Without a code the right password asks for one: the account is not locked yet.
    const asked = await login(newAddress(), { email, password: PASSWORD });
    expect(asked.status).toBe(401);
    expect(asked.data).toMatchObject({ code: 'second_factor_required', field: 'code' });

    for (let i = 0; i < 5; i++) await login(newAddress(), { email, password: `guess ${i}` });
    const ownerAddress = newAddress();
    expect((await login(ownerAddress, { email, password: PASSWORD })).status).toBe(429);
    // The password with a code from someone who does not hold it is refused like the rest.
    expect((await login(newAddress(), { email, password: 'guess 7', code: nextCode(secret) })).status).toBe(429);

    const withCode = await login(ownerAddress, { email, password: PASSWORD, code: nextCode(secret) });
    expect(withCode.status).toBe(200);
    expect(withCode.data.token).toMatch(/^sess_/);
    // The same code again is refused: a code works once.
    expect((await login(newAddress(), { email, password: PASSWORD, code: nextCode(secret) })).status).toBe(429);

    const withRecovery = await login(newAddress(), {
      email,
      password: PASSWORD,
      code: recoveryCodes[0]!.toUpperCase(),
    });
    expect(withRecovery.status).toBe(200);
    expect((await login(newAddress(), { email, password: PASSWORD, code: recoveryCodes[0]! })).status).toBe(429);

    const status = await stack.http.get('/me/two-factor', {
      headers: { Authorization: `Bearer ${withRecovery.data.token}` },
    });
    expect(status.data).toMatchObject({ enabled: true, recovery_codes_left: 9 });
    const [stored] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ secret: string; codes: string }>>(
        `select u.totp_secret_ciphertext as secret, string_agg(r.code_hash, ',') as codes
         from users u join user_recovery_codes r on r.user_id = u.id where u.email = ? group by u.id`,
        [email],
      );
    // Secrets and codes at rest: sealed and hashed, never as the user saw them.
    expect(stored!.secret).toMatch(/^v1\./);
    expect(stored!.secret).not.toContain(secret);
    for (const code of recoveryCodes) expect(stored!.codes).not.toContain(code.replace('-', ''));

    const succeeded = (await auditActions(email)).filter((e) => e.action === 'login.succeeded');
    expect(succeeded).toHaveLength(2);
  });

  it('When someone who holds the password guesses two-step codes from many addresses, then after the code limit no code is checked, not even the right one', async () => {
    const { email, token } = await signUp();
    const { secret } = await withTwoFactor(token);
    const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000');
    for (let i = 0; i < 3; i++) {
      const guess = await login(newAddress(), { email, password: PASSWORD, code: wrongCode(nextCode(secret)) });
      expect(guess.status).toBe(401);
    }
    const right = await login(newAddress(), { email, password: PASSWORD, code: nextCode(secret) });
    expect(right.status).toBe(429);
    expect(right.data).toMatchObject({ code: 'rate_limited', retry_after: expect.any(Number) });
    const reasons = (await auditActions(email)).filter((e) => e.action === 'login.failed').map((e) => e.reason);
    expect(reasons).toEqual(['wrong_code', 'wrong_code', 'wrong_code', 'second_factor_limit_reached']);
  });

  it('When two-step sign-in is turned off, then it takes the password and a code, and sign-in needs the password only', async () => {
    const { email, token } = await signUp();
    const { secret } = await withTwoFactor(token);
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const wrongPassword = await stack.http.post(
      '/me/two-factor/disable',
      { password: 'not it', code: nextCode(secret) },
      auth,
    );
    expect(wrongPassword.status).toBe(400);
    expect(
      (await stack.http.post('/me/two-factor/disable', { password: PASSWORD, code: nextCode(secret) }, auth)).status,
    ).toBe(204);
    expect((await login(newAddress(), { email, password: PASSWORD })).status).toBe(200);
    const [event] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ details: unknown }>>(
        `select details from audit_events where action = 'two_factor.disabled' and actor_label = ?`,
        [email],
      );
    expect(event!.details).toEqual({ confirmed_with: 'totp' });
  });
});
