import type { Browser, Page } from 'playwright-core';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import {
  createDashboardUser,
  cspViolationsOf,
  dashboardOrigin,
  launchBrowser,
  seriousA11yViolations,
  signInThroughPage,
} from './support/dashboard';

/**
 * A merchant reverses a payment from the dashboard: sets the channel's initiator (write-only), opens
 * the payment, confirms the reversal in the dialog that states the amount, the customer and the fee,
 * and follows it to "reversed" on the timeline; an admin sees it among every reversal. axe-clean.
 */
describe('Reversing from the dashboard', () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  let shop: MerchantFixture;
  let page: Page;
  let csp: string[];

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack({ withSimulatorCertificate: true, simulator: { reversalResultDelayMs: 100 } });
    origin = dashboardOrigin(stack);
    shop = await createMerchantFixture(stack, { walletKes: 1000 });
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
    csp = cspViolationsOf(page);
    await signInThroughPage(
      page,
      origin,
      await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('When the merchant sets the initiator and reverses a completed payment, then the timeline shows it reversed and the fee kept', async () => {
    await page.getByRole('link', { name: 'Payment channels' }).click();
    await page.getByRole('heading', { name: 'M-Pesa initiator (for reversals)' }).waitFor();
    await page.getByText('No initiator yet').waitFor();
    await page.getByLabel('Initiator name').fill('testapi');
    await page.getByLabel('Initiator password').fill('Safaricom999!*!');
    await page.getByRole('button', { name: 'Save initiator' }).click();
    await page.getByText(/Set: initiator testapi/).waitFor();
    // Write-only: the password field is cleared and the password is nowhere on the page.
    expect(await page.getByLabel('Initiator password').inputValue()).toBe('');
    expect(await page.content()).not.toContain('Safaricom999');
    expect(await seriousA11yViolations(page)).toEqual([]);

    const push = await stack.http.post(
      '/stk-push',
      { account_id: shop.channelId, phone_number: '0712345678', amount: 750 },
      { headers: { Authorization: shop.authorization } },
    );
    const id = push.data.transaction_id as number;
    await eventually(async () => {
      const s = await stack.http.get(`/transaction/status/${id}`, { headers: { Authorization: shop.authorization } });
      return s.data.status === 'completed' ? true : undefined;
    });

    await page.goto(`${origin}/transactions/${id}`);
    await page.getByRole('button', { name: 'Reverse' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reverse this payment?' });
    await dialog.waitFor();
    const said = await dialog.innerText();
    expect(said).toContain('KES 750');
    expect(said).toContain('254712345678');
    expect(said).toMatch(/fee of KES \d+ is kept/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByLabel(/Reason/).fill('Customer paid twice');
    await dialog.getByRole('button', { name: 'Reverse KES 750' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.locator('.badge-reversed').waitFor({ timeout: 30_000 });
    await page.getByText('Reversed: KES 750 returned to the customer').waitFor();
    await page.getByText(/Reversal of KES 750 requested/).waitFor();
    expect(await page.getByRole('button', { name: 'Reverse' }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Transactions', exact: true }).click();
    await page.locator('.badge-reversed').first().waitFor();
    expect(csp).toEqual([]);
  });

  it('When an admin opens Reversals, then every reversal is there with its evidence', async () => {
    const admin = await (await browser.newContext()).newPage();
    await signInThroughPage(admin, origin, await createDashboardUser(stack, { role: 'admin' }));
    await admin.getByRole('link', { name: 'Reversals' }).click();
    await admin.getByRole('heading', { name: 'Reversals' }).waitFor();
    const row = admin.getByRole('row').filter({ hasText: 'KES 750' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/reversed/);
    await row.getByText('1 from M-Pesa').click();
    await row.getByText(/result \(outcome\)/).waitFor();
    expect(await seriousA11yViolations(admin)).toEqual([]);
  });
});
