import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { verifyStoredAuditChain } from '../../db/auditLog';
import { signInAdmin, signInMerchantUser } from '../support/signedInUsers';
import { createMerchantFixture, quietTemporalRuntime, startStack, type Stack } from '../support/harness';

/**
 * The audit log over HTTP: staff and merchant security actions are recorded with who, when, from
 * where and what changed (never a secret), merchants read only their own, admins filter and page,
 * and `npm run audit:verify` catches an edited row, a deleted row and a deleted newest row.
 */

quietTemporalRuntime();
jest.setTimeout(120_000);

const PASSWORD = 'a long enough password';
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
});
afterAll(() => stack?.stop());

const as = (authorization: string) => ({ headers: { Authorization: authorization } });
const sql = <T>(query: string, params: unknown[] = []) =>
  stack.orm.em.fork().getConnection().execute<T[]>(query, params);

/** Runs the check command on the test database: its exit code and what it printed. */
async function auditVerify(): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', 'db/auditVerify.ts'], {
      env: { ...process.env, DATABASE_URL: stack.config.DATABASE_URL, LOG_LEVEL: 'silent' },
    });
    return { code: 0, output: stdout };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('The audit log', () => {
  it('When merchants and staff take security actions, then each is recorded with who, where and what changed, and no secret', async () => {
    const m = await createMerchantFixture(stack, { walletKes: 500 });
    const other = await createMerchantFixture(stack);
    const owner = await signInMerchantUser(stack, m.merchantId);
    const admin = await signInAdmin(stack);

    const key = await stack.http.post('/api-keys', { name: 'Shop backend' }, as(owner));
    expect(key.status).toBe(201);
    expect((await stack.http.delete(`/api-keys/${key.data.id}`, as(owner))).status).toBe(200);
    const callback = 'https://shop.example/hooks/imarapay?token=s3cret-in-query';
    expect((await stack.http.put('/settings', { callback_url: callback }, as(owner))).status).toBe(200);
    const rotated = await stack.http.post('/settings/webhook-secret/rotate', {}, as(owner));
    expect(rotated.status).toBe(200);
    const adjusted = await stack.http.post(
      `/admin/merchants/${m.merchantId}/wallet/adjustments`,
      { amount: 250, reason: 'Refund of double charge' },
      as(admin),
    );
    expect(adjusted.status).toBe(201);
    const pricing = await stack.http.get('/admin/pricing', as(admin));
    expect((await stack.http.put('/admin/pricing', { tiers: pricing.data }, as(admin))).status).toBe(200);
    // Another merchant's action, which the first must not see.
    await stack.http.post('/api-keys', { name: 'Other' }, as(await signInMerchantUser(stack, other.merchantId)));

    const own = await stack.http.get('/audit', as(owner));
    expect(own.status).toBe(200);
    expect(own.data.map((e: { action: string }) => e.action)).toEqual([
      'wallet.adjusted',
      'webhook_secret.rotated',
      'callback_url.changed',
      'api_key.revoked',
      'api_key.created',
    ]);
    for (const event of own.data) expect(event.merchant_id).toBe(m.merchantId);
    const byAction = Object.fromEntries(own.data.map((e: { action: string }) => [e.action, e]));
    expect(byAction['api_key.created']).toMatchObject({
      actor: { type: 'merchant', id: expect.any(Number), label: expect.stringContaining('@') },
      subject: { type: 'api_key', id: String(key.data.id) },
      ip: expect.stringMatching(/127\.0\.0\.1/),
      details: { name: 'Shop backend', environment: 'sandbox', api_username: key.data.api_username },
    });
    expect(byAction['callback_url.changed'].details).toEqual({
      before: null,
      after: 'https://shop.example/hooks/imarapay',
    });
    // The merchant sees that staff adjusted its wallet, not which admin or from where.
    expect(byAction['wallet.adjusted']).toMatchObject({
      actor: { type: 'admin', id: null, label: 'ImaraPay staff' },
      ip: null,
      details: { amount: 250, reason: 'Refund of double charge', balance: { before: 500, after: 750 } },
    });
    const everything = JSON.stringify(own.data);
    for (const secret of [key.data.api_password, rotated.data.secret, 's3cret-in-query']) {
      expect(everything).not.toContain(secret);
    }

    const staff = await stack.http.get('/admin/audit', { ...as(admin), params: { action: 'pricing.replaced' } });
    expect(staff.data).toHaveLength(1);
    expect(staff.data[0]).toMatchObject({ merchant_id: null, details: { before: pricing.data, after: pricing.data } });
    const adjustedForStaff = await stack.http.get('/admin/audit', {
      ...as(admin),
      params: { action: 'wallet.adjusted', merchant_id: m.merchantId },
    });
    expect(adjustedForStaff.data[0]).toMatchObject({
      actor: { type: 'admin', id: expect.any(Number), label: expect.stringContaining('@') },
      ip: expect.stringMatching(/127\.0\.0\.1/),
    });
    const ofMerchant = await stack.http.get('/admin/audit', {
      ...as(admin),
      params: { merchant_id: other.merchantId },
    });
    expect(ofMerchant.data.map((e: { action: string }) => e.action)).toEqual(['api_key.created']);
    // A merchant cannot read the staff view, and its own view ignores another merchant's id.
    expect((await stack.http.get('/admin/audit', as(owner))).status).toBe(403);
    const smuggled = await stack.http.get('/audit', { ...as(owner), params: { merchant_id: other.merchantId } });
    expect(
      smuggled.status === 400 || smuggled.data.every((e: { merchant_id: number }) => e.merchant_id === m.merchantId),
    ).toBe(true);
  });

  it('When pages are followed, then every event is read once, newest first, and filters hold across pages', async () => {
    const admin = await signInAdmin(stack);
    const all = (await stack.http.get('/admin/audit', { ...as(admin), params: { limit: 200 } })).data;
    const paged: Array<{ id: number }> = [];
    let cursor: string | undefined;
    do {
      const page = await stack.http.get('/admin/audit', { ...as(admin), params: { limit: 2, cursor } });
      expect(page.status).toBe(200);
      paged.push(...page.data);
      cursor = page.headers['x-next-cursor'];
    } while (cursor);
    expect(paged.map((e) => e.id)).toEqual(all.map((e: { id: number }) => e.id));
    const bad = await stack.http.get('/admin/audit', { ...as(admin), params: { cursor: 'nonsense' } });
    expect(bad.status).toBe(400);
    expect(bad.data.field).toBe('cursor');
    const badAction = await stack.http.get('/admin/audit', { ...as(admin), params: { action: "x' or 1=1" } });
    expect(badAction.status).toBe(400);
    const future = await stack.http.get('/admin/audit', { ...as(admin), params: { from: '2999-01-01' } });
    expect(future.data).toEqual([]);
  });

  it('When a wallet adjustment exceeds the per-action limit or has no reason, then it is refused and nothing is recorded', async () => {
    const m = await createMerchantFixture(stack);
    const admin = await signInAdmin(stack);
    const adjust = (body: object) =>
      stack.http.post(`/admin/merchants/${m.merchantId}/wallet/adjustments`, body, as(admin));
    const tooLarge = await adjust({ amount: 100_001, reason: 'Bank transfer' });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.data).toMatchObject({ code: 'validation_failed', field: 'amount', limit: 100_000 });
    expect((await adjust({ amount: 100 })).status).toBe(400);
    const events = await sql(`select id from audit_events where merchant_id = ?`, [m.merchantId]);
    expect(events).toEqual([]);
  });

  it('When a dashboard user changes their password, then it is recorded without the password', async () => {
    const email = `owner-${randomBytes(4).toString('hex')}@shop.example`;
    const signUp = await stack.http.post('/auth/signup', { business_name: 'Duka', email, password: PASSWORD });
    const res = await stack.http.post(
      '/me/password',
      { current_password: PASSWORD, new_password: 'another long password' },
      as(`Bearer ${signUp.data.token}`),
    );
    expect(res.status).toBe(204);
    const own = await stack.http.get('/audit', {
      ...as(`Bearer ${signUp.data.token}`),
      params: { action: 'password.changed' },
    });
    expect(own.data).toHaveLength(1);
    expect(JSON.stringify(own.data)).not.toContain('another long password');
  });

  it('When a row is edited, a middle row deleted or the newest row deleted via SQL, then audit:verify exits non-zero naming it', async () => {
    expect(await verifyStoredAuditChain(stack.orm.em.fork())).toBeNull();
    expect(await auditVerify()).toMatchObject({ code: 0 });

    const rows = await sql<{ id: number; details: unknown }>('select id, details from audit_events order by id');
    expect(rows.length).toBeGreaterThan(4);
    const edited = rows[1]!;
    await sql(`update audit_events set details = '{"amount": 1000000}' where id = ?`, [edited.id]);
    const afterEdit = await auditVerify();
    expect(afterEdit.code).toBe(1);
    expect(afterEdit.output).toContain(`event ${edited.id} (hash_mismatch)`);
    await sql('update audit_events set details = ?::jsonb where id = ?', [JSON.stringify(edited.details), edited.id]);
    expect(await verifyStoredAuditChain(stack.orm.em.fork())).toBeNull();

    const newest = rows.at(-1)!;
    await sql('delete from audit_events where id = ?', [newest.id]);
    const afterTail = await auditVerify();
    expect(afterTail.code).toBe(1);
    expect(afterTail.output).toContain(`event ${newest.id} (tail_mismatch)`);

    const middle = rows[2]!;
    await sql('delete from audit_events where id = ?', [middle.id]);
    const afterMiddle = await auditVerify();
    expect(afterMiddle.code).toBe(1);
    expect(afterMiddle.output).toContain(`event ${rows[3]!.id} (prev_hash_mismatch)`);
  });
});
