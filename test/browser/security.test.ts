import type { Browser } from 'playwright-core';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { DASHBOARD_CSP } from '../../api/webApp';
import {
  createDashboardUser,
  dashboardOrigin,
  launchBrowser,
  signInThroughPage,
  type DashboardLogin,
} from './support/dashboard';

/** What the browser session must guarantee: cookie flags, CSRF refusal, the CSP, and merchants kept apart. */
describe('Dashboard security in the browser', () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  let shop: MerchantFixture;
  let shopLogin: DashboardLogin;
  let otherShopsPaymentId: number;

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack();
    origin = dashboardOrigin(stack);
    shop = await createMerchantFixture(stack);
    shopLogin = await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId });
    const other = await createMerchantFixture(stack);
    const push = await stack.http.post(
      '/stk-push',
      { account_id: other.channelId, phone_number: '0712345678', amount: 100 },
      { headers: { Authorization: other.authorization } },
    );
    expect(push.status).toBe(200);
    otherShopsPaymentId = push.data.transaction_id;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('When a merchant signs in, then the session cookie is HttpOnly, SameSite=Lax, path / and expires with the session; the CSRF cookie is readable', async () => {
    const context = await browser.newContext();
    await signInThroughPage(await context.newPage(), origin, shopLogin);
    const cookies = await context.cookies(origin);
    const session = cookies.find((c) => c.name === 'imarapay_session');
    const csrf = cookies.find((c) => c.name === 'imarapay_csrf');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    expect(session!.expires).toBeGreaterThan(Date.now() / 1000 + 3600);
    expect(csrf).toMatchObject({ httpOnly: false, sameSite: 'Lax', path: '/' });
    expect(csrf!.value).not.toBe(session!.value);
    // No token is kept where scripts can read it.
    const page = context.pages()[0]!;
    // (Page-side code is passed as text: this file is type-checked for Node, without the DOM's types.)
    expect(
      await page.evaluate<string>('JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })'),
    ).not.toContain('sess_');
    expect(await page.evaluate<string>('document.cookie')).not.toContain('imarapay_session');
    await context.close();
  });

  it('When a cookie-authenticated write comes without the CSRF header or with a forged one, then it is refused 403 csrf_failed and changes nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughPage(page, origin, shopLogin);
    const post = (headers: Record<string, string>) =>
      page.evaluate(async (extra) => {
        const res = await fetch('/api/api-keys', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...extra },
          body: JSON.stringify({ name: 'forged' }),
        });
        return { status: res.status, body: await res.json() };
      }, headers);
    expect(await post({})).toEqual({ status: 403, body: { error: expect.any(String), code: 'csrf_failed' } });
    expect(await post({ 'X-CSRF-Token': 'forged-token' })).toEqual({
      status: 403,
      body: { error: expect.any(String), code: 'csrf_failed' },
    });
    const csrf = (await context.cookies(origin)).find((c) => c.name === 'imarapay_csrf')!.value;
    expect(await post({ 'X-CSRF-Token': csrf })).toMatchObject({
      status: 201,
      body: { name: 'forged', api_username: expect.stringMatching(/^ak_test_/) },
    });
    const keys = await page.evaluate(
      async () => (await fetch('/api/api-keys').then((r) => r.json())) as { name: string }[],
    );
    expect(keys.filter((k) => k.name === 'forged')).toHaveLength(1);
    await context.close();
  });

  it('When a page is served, then it carries the strict Content-Security-Policy and runs under it without violations', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const response = await page.goto(`${origin}/login`);
    expect(response!.headers()['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(response!.headers()['cache-control']).toBe('no-cache');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const asset = await page.evaluate<string>("document.querySelector('script[type=module]').src");
    const assetResponse = await context.request.get(asset);
    expect(assetResponse.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(violations).toEqual([]);
    await context.close();
  });

  it('When the session is ended elsewhere, then the next page the merchant opens is the login page', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughPage(page, origin, shopLogin);
    const token = (await context.cookies(origin)).find((c) => c.name === 'imarapay_session')!.value;
    expect(
      (await stack.http.post('/auth/logout', null, { headers: { Authorization: `Bearer ${token}` } })).status,
    ).toBe(204);
    await page.getByRole('link', { name: 'Transactions' }).click();
    await page.getByRole('heading', { name: 'Sign in to ImaraPay' }).waitFor();
    await context.close();
  });

  it("When a merchant opens another merchant's transaction URL, then the page says not found", async () => {
    await eventually(async () =>
      (
        await stack.http.get(`/transaction/status/${otherShopsPaymentId}`, {
          headers: { Authorization: shop.authorization },
        })
      ).status === 404
        ? true
        : undefined,
    );
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInThroughPage(page, origin, shopLogin);
    await page.goto(`${origin}/transactions/${otherShopsPaymentId}`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    expect(await page.getByText('This transaction does not exist, or it is not yours.').count()).toBe(1);
    await context.close();
  });
});
