import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { startWebhookReceiver } from '../support/webhookReceiver';
import {
  createDashboardUser,
  cspViolationsOf,
  dashboardOrigin,
  launchBrowser,
  signInThroughPage,
  textOf,
  TINY_PNG,
  type DashboardLogin,
} from './support/dashboard';

/**
 * The merchant journey, in Chromium against the real stack: a shop owner goes from sign-up
 * to paid STK pushes without writing code, with an ImaraPay admin approving the KYC in between.
 * The steps share one browser session and run in order.
 */
describe('Dashboard: a merchant from sign-up to a paid STK push', () => {
  let stack: Stack;
  let browser: Browser;
  let merchant: BrowserContext;
  let page: Page;
  let origin: string;
  let admin: DashboardLogin;
  let cspViolations: string[];
  const business = `Mama Mboga ${randomBytes(3).toString('hex')}`;
  const reference = `INV-${randomBytes(3).toString('hex').toUpperCase()}`;
  let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack();
    origin = dashboardOrigin(stack);
    admin = await createDashboardUser(stack, { role: 'admin' });
    webhooks = await startWebhookReceiver();
    browser = await launchBrowser();
    merchant = await browser.newContext({ acceptDownloads: true });
    page = await merchant.newPage();
    cspViolations = cspViolationsOf(page);
  });

  afterAll(async () => {
    await browser?.close();
    await webhooks?.close();
    await stack?.stop();
  });

  it('When a newcomer signs up, then they are signed in and asked to verify their identity', async () => {
    await page.goto(`${origin}/signup`);
    await page.getByLabel('Business name').fill(business);
    await page.getByLabel('Email').fill(`owner-${randomBytes(3).toString('hex')}@example.test`);
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Identity Verification' }).waitFor();
    expect(await page.locator('.topbar .account').textContent()).toBe(business);
  });

  it('When they upload their KYC documents, then their status is pending', async () => {
    await page.getByLabel('Full name').fill('Wanjiku Kamau');
    await page.getByLabel('ID number').fill('12345678');
    await page.getByLabel('Business name').fill(business);
    await page.getByLabel('Phone number').fill('0712345678');
    await page.getByLabel('ID, front').setInputFiles({ name: 'id-front.png', mimeType: 'image/png', buffer: TINY_PNG });
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.locator('.card .badge-pending').waitFor();
    expect(await page.getByRole('button', { name: 'Submit for review' }).count()).toBe(0);
  });

  it('When an admin approves the submission in the admin pages, then the merchant is verified', async () => {
    const adminContext = await browser.newContext();
    const adminPage = await adminContext.newPage();
    await signInThroughPage(adminPage, origin, admin);
    await adminPage.getByRole('link', { name: 'KYC Reviews' }).click();
    const submission = adminPage.getByRole('article', { name: `Submission from ${business}` });
    await submission.getByRole('link', { name: /id front/ }).waitFor();
    await submission.getByRole('button', { name: 'Approve' }).click();
    await submission.waitFor({ state: 'detached' });
    await adminContext.close();

    await page.reload();
    await page.locator('.card .badge-verified').waitFor();
  });

  it('When they add a till, then it is listed as active', async () => {
    await page.getByRole('link', { name: 'Payment channels' }).click();
    await page.getByLabel('Till number').fill('5123456');
    await page.getByRole('button', { name: 'Add channel' }).click();
    const row = page.locator('tbody tr', { hasText: '5123456' });
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('active');
  });

  it('When they top up the wallet by M-Pesa, then the balance shows the money once the push completes', async () => {
    await page.getByRole('link', { name: 'Service wallet' }).click();
    await page.getByLabel('Amount (KES)').fill('1000');
    await page.getByLabel('Your phone number').fill('0712345678');
    await page.getByRole('button', { name: 'Top up' }).click();
    await page.locator('.live-status .badge-completed').waitFor();
    await page.locator('.wallet-balance', { hasText: 'KES 1,000' }).waitFor();
  });

  it('When they create an API key, then the password is shown once and is gone after a reload', async () => {
    await page.getByRole('link', { name: 'API Keys' }).click();
    await page.getByLabel('Key name').fill('Shop backend');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const password = await textOf(page, '.api-password');
    expect(password.length).toBeGreaterThan(20);
    expect(await page.locator('.secret code.wrap').textContent()).toMatch(/^Authorization: Basic [A-Za-z0-9+/=]+$/);
    await page.reload();
    await page.locator('tbody tr', { hasText: 'Shop backend' }).waitFor();
    expect(await page.locator('.api-password').count()).toBe(0);
    expect(await page.content()).not.toContain(password);
  });

  it('When they send an STK push of KES 500, then they watch it turn completed with a receipt', async () => {
    await page.getByRole('link', { name: 'Create STK Push' }).click();
    await page.getByLabel('Channel').selectOption({ label: 'Till 5123456' });
    await page.getByLabel('Phone number').fill('0712345678');
    await page.getByLabel('Amount (KES)').fill('500');
    await page.getByText('Fee: KES 6, from your service wallet').waitFor();
    await page.getByLabel('External reference').fill(reference);
    await page.getByLabel('Description').fill('Order 1001');
    await page.getByRole('button', { name: 'Send STK Push' }).click();
    await page.locator('.live-status .badge-completed').waitFor();
    expect(await textOf(page, '.live-status .receipt')).toMatch(/^[A-Z0-9]{10}$/);
  });

  it('When they search Transactions by the reference, then they open its timeline and export it as CSV', async () => {
    await page.getByRole('link', { name: 'Transactions' }).click();
    await page.getByLabel('Search').fill(reference);
    await page.getByRole('button', { name: 'Apply' }).click();
    const row = page.locator('tbody tr', { hasText: reference });
    await row.waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = fs.readFileSync((await (await download).path())!, 'utf8');
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(2);
    expect(csv).toContain(reference);

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    const timeline = await page.locator('.timeline').innerText();
    expect(timeline).toContain('Fee of KES 6 reserved from the service wallet');
    expect(timeline).toContain('M-Pesa accepted the push');
    expect(timeline).toContain('Daraja callback received: ResultCode 0');
    expect(timeline).toMatch(/Completed \(from the callback\): receipt [A-Z0-9]{10}/);
  });

  it('When they set a webhook URL and a KES 1032 push is cancelled, then it shows failed, the fee is refunded and the delivery is listed', async () => {
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByLabel('Callback (webhook) URL').fill(webhooks.url);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();

    await page.getByRole('link', { name: 'Create STK Push' }).click();
    await page.getByLabel('Channel').selectOption({ label: 'Till 5123456' });
    await page.getByLabel('Phone number').fill('0712345678');
    await page.getByLabel('Amount (KES)').fill('1032');
    await page.getByRole('button', { name: 'Send STK Push' }).click();
    await page.locator('.live-status .badge-failed').waitFor();
    expect(await textOf(page, '.live-status .result-desc')).toBe('Request cancelled by user');

    await page.getByRole('link', { name: 'Service wallet' }).click();
    await page.locator('tbody tr', { hasText: 'Fee refunded' }).waitFor();
    // 1,000 topped up, 6 kept for the completed KES 500 payment, the cancelled one's fee given back.
    expect(await textOf(page, '.wallet-balance')).toBe('KES 994');

    await page.getByRole('link', { name: 'Profile' }).click();
    await page
      .locator('tbody tr', { hasText: 'payment.failed' })
      .locator('.badge-delivered')
      .waitFor({ timeout: 30_000 });
    expect(webhooks.received.map((w) => w.headers['x-imarapay-event'])).toEqual(['payment.failed']);
  });

  it('When the journey is over, then the browser reported no Content-Security-Policy violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
