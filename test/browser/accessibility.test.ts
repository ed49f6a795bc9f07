import type { Browser, Page } from 'playwright-core';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { createDashboardUser, dashboardOrigin, launchBrowser, seriousA11yViolations, signInThroughPage, type DashboardLogin } from './support/dashboard';

const MERCHANT_PAGES = ['/', '/stk-push', '/transactions', '/transactions/:payment', '/customers', '/channels', '/wallet', '/api-keys', '/kyc', '/pricing', '/profile', '/docs'];
const ADMIN_PAGES = ['/admin', '/admin/users', '/admin/transactions', '/admin/kyc', '/admin/pricing', '/admin/wallets'];
const SIGNED_OUT_PAGES = ['/login', '/signup'];

/** axe-core on every page, with data on it, at desktop and phone widths: no serious or critical violation. */
describe('Dashboard accessibility (axe-core)', () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  let merchant: DashboardLogin;
  let admin: DashboardLogin;
  let paymentId: number;

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack();
    origin = dashboardOrigin(stack);
    const shop = await createMerchantFixture(stack);
    merchant = await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId });
    admin = await createDashboardUser(stack, { role: 'admin' });
    const push = await stack.http.post('/stk-push', { account_id: shop.channelId, phone_number: '0712345678', amount: 500, external_reference: 'INV-A11Y' }, { headers: { Authorization: shop.authorization } });
    paymentId = push.data.transaction_id;
    await eventually(async () => ((await stack.http.get(`/transaction/status/${paymentId}`, { headers: { Authorization: shop.authorization } })).data.status === 'completed' ? true : undefined));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Each page once its content (not "Loading…") is shown, with the violations found on it. */
  async function auditPages(page: Page, paths: string[]): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const path of paths) {
      await page.goto(`${origin}${path.replace(':payment', String(paymentId))}`);
      await page.locator('h1').first().waitFor();
      await page.getByText('Loading…').first().waitFor({ state: 'detached' });
      const violations = await seriousA11yViolations(page);
      if (violations.length > 0) found[path] = violations;
    }
    return found;
  }

  it.each([
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ])('When every page is opened on a %s screen, then axe finds no serious or critical violation', async (_name, viewport) => {
    const signedOut = await (await browser.newContext({ viewport })).newPage();
    const merchantPage = await (await browser.newContext({ viewport })).newPage();
    await signInThroughPage(merchantPage, origin, merchant);
    const adminPage = await (await browser.newContext({ viewport })).newPage();
    await signInThroughPage(adminPage, origin, admin);
    expect({
      ...(await auditPages(signedOut, SIGNED_OUT_PAGES)),
      ...(await auditPages(merchantPage, MERCHANT_PAGES)),
      ...(await auditPages(adminPage, ADMIN_PAGES)),
    }).toEqual({});
    for (const page of [signedOut, merchantPage, adminPage]) await page.context().close();
  });
});
