import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../domain/twoFactor';
import { createMerchantFixture, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import {
  createDashboardUser,
  cspViolationsOf,
  dashboardOrigin,
  launchBrowser,
  seriousA11yViolations,
  signInThroughPage,
  type DashboardLogin,
} from './support/dashboard';

/**
 * Two-step sign-in on Profile, the merchant's Security log and the admin's Audit log in Chromium:
 * what a person does and sees, axe-clean at desktop and phone width, no CSP violation (the QR code
 * is a data: image).
 */
describe('Two-step sign-in and the audit log in the dashboard', () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  let merchant: DashboardLogin;
  let admin: DashboardLogin;

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack({ withoutWorker: true });
    origin = dashboardOrigin(stack);
    const shop = await createMerchantFixture(stack);
    merchant = await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId });
    admin = await createDashboardUser(stack, { role: 'admin' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function signedIn(login: DashboardLogin, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    await signInThroughPage(page, origin, login);
    return page;
  }

  it('When a merchant turns on two-step sign-in from Profile, then recovery codes are shown once and sign-in asks for a code', async () => {
    const page = await signedIn(merchant);
    const csp = cspViolationsOf(page);
    await page.goto(`${origin}/profile`);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    const key = (await page.locator('p', { hasText: 'Key:' }).locator('code').textContent())!;
    await page.getByLabel('Code from the app').fill(totpCode(key, Date.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    const recovery = (await codes.first().textContent())!.trim();
    expect(csp).toEqual([]);

    const again = await (await browser.newContext()).newPage();
    await again.goto(`${origin}/login`);
    await again.getByLabel('Email').fill(merchant.email);
    await again.getByLabel('Password').fill(merchant.password);
    await again.getByRole('button', { name: 'Sign in' }).click();
    await again.getByLabel('Authentication code').fill(recovery);
    await again.getByRole('button', { name: 'Sign in' }).click();
    await again.getByRole('navigation', { name: 'Main' }).waitFor();

    await again.goto(`${origin}/security-log`);
    await again.getByRole('heading', { name: 'Security log' }).waitFor();
    await again.getByRole('cell', { name: 'Two-step sign-in on' }).first().waitFor();
    expect(await again.getByRole('cell', { name: 'Signed in' }).count()).toBeGreaterThan(0);
  });

  it('When an admin filters the Audit log by action, then only those events are listed', async () => {
    const page = await signedIn(admin);
    await page.goto(`${origin}/admin/audit`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByLabel('Action').selectOption('two_factor.enabled');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: merchant.email }).first().waitFor();
    const actions = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(actions).toEqual(['Two-step sign-in on']);
  });

  it.each([
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const)(
    'When the log pages are opened on a %s screen, then axe finds no serious or critical violation',
    async (_screen, viewport) => {
      const adminPage = await signedIn(admin, viewport);
      await adminPage.goto(`${origin}/admin/audit`);
      await adminPage.locator('tbody tr').first().waitFor();
      expect(await seriousA11yViolations(adminPage)).toEqual([]);

      const fresh = await createDashboardUser(stack, {
        role: 'merchant',
        merchantId: (await createMerchantFixture(stack)).merchantId,
      });
      const merchantPage = await signedIn(fresh, viewport);
      await merchantPage.goto(`${origin}/security-log`);
      await merchantPage.locator('tbody tr').first().waitFor();
      expect(await seriousA11yViolations(merchantPage)).toEqual([]);
      await merchantPage.goto(`${origin}/profile`);
      await merchantPage.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await merchantPage.getByRole('img', { name: /QR code/ }).waitFor();
      expect(await seriousA11yViolations(merchantPage)).toEqual([]);
    },
  );
});
