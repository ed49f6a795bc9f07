import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from '../../scripts/paths';
import {
  createMerchantFixture,
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

quietTemporalRuntime();

/** The checkout page's budget: everything pay.html loads, gzipped (BENCHMARKS.md). */
const CHECKOUT_BUDGET_GZIP_BYTES = 20 * 1024;
const PHONE = { width: 390, height: 844 };

let stack: Stack;
let browser: Browser;
let origin: string;
let shop: MerchantFixture;

beforeAll(async () => {
  stack = await startStack();
  origin = dashboardOrigin(stack);
  shop = await createMerchantFixture(stack);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function createLink(body: Record<string, unknown>): Promise<{ id: string; url: string }> {
  const res = await stack.http.post('/payment-links', body, { headers: { Authorization: shop.authorization } });
  expect(res.status).toBe(201);
  return res.data;
}

/** The checkout page of a link, on a phone-sized screen. */
async function openCheckout(url: string): Promise<{ page: Page; csp: string[] }> {
  const page = await (await browser.newContext({ viewport: PHONE, locale: 'en-KE' })).newPage();
  const csp = cspViolationsOf(page);
  await page.goto(url);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.locator('main[aria-busy="false"]').waitFor();
  return { page, csp };
}

describe('The checkout page', () => {
  it('When the app is built, then the checkout page loads within its size budget and none of the dashboard', () => {
    const dist = path.join(REPO_ROOT, 'web', 'dist');
    const html = fs.readFileSync(path.join(dist, 'pay.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => /^assets\/pay-.*\.js$/.test(a))).toBe(true);
    expect(assets.some((a) => /^assets\/(index|Layout)-/.test(a))).toBe(false);
    const gzipped = [html, ...assets.map((a) => fs.readFileSync(path.join(dist, a)))].reduce(
      (sum, content) => sum + gzipSync(content, { level: 9 }).length,
      0,
    );
    expect(gzipped).toBeLessThanOrEqual(CHECKOUT_BUDGET_GZIP_BYTES);
  });

  it('When a customer on a phone opens a fixed link and pays, then the page goes from the prompt to "completed" with the receipt, and axe finds nothing serious', async () => {
    const link = await createLink({ description: 'Term 1 fees', amount: 1500 });
    const { page, csp } = await openCheckout(link.url);
    await page.getByText('Term 1 fees').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByLabel('M-Pesa phone number').fill('0712 345 678');
    await page.getByRole('button', { name: 'Pay KES 1,500' }).press('Enter');
    await page.getByRole('heading', { name: 'Check your phone and enter your M-Pesa PIN.' }).waitFor();
    await page.getByRole('heading', { name: 'Payment received. Thank you!' }).waitFor({ timeout: 60_000 });
    await page.getByText(/M-Pesa receipt: [A-Z0-9]{10}/).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(csp).toEqual([]);
  });

  it('When a customer cancels the prompt, then the page says so in Kiswahili and offers to try again', async () => {
    const link = await createLink({ description: 'Sadaka', min_amount: 10, max_amount: 5000 });
    const { page } = await openCheckout(link.url);
    await page.getByRole('button', { name: 'Kiswahili' }).click();
    expect(await page.locator('html').getAttribute('lang')).toBe('sw');
    await page.getByLabel('Kiasi (KES)').fill('6000');
    await page.getByLabel('Nambari ya simu ya M-Pesa').fill('+254 712 345 679');
    await page.getByRole('button', { name: 'Lipa' }).click();
    await page.getByRole('alert').getByText('Weka kiasi kamili kati ya KES 10 na KES 5000.').waitFor();
    // The simulator's customer cancels a prompt of KES 1032 (ResultCode 1032).
    await page.getByLabel('Kiasi (KES)').fill('1032');
    await page.getByRole('button', { name: 'Lipa' }).click();
    await page.getByRole('heading', { name: /^Ulighairi malipo/ }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Jaribu tena' }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});

describe('The dashboard’s Payment links page', () => {
  it('When a merchant creates a link on the page, then it is listed with its URL and QR code, and axe finds nothing serious', async () => {
    const login = await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signInThroughPage(page, origin, login);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payment links' }).click();
    await page.getByRole('heading', { name: 'Payment links', level: 1 }).waitFor();
    await page.getByLabel('What is being paid for').fill('Harambee');
    await page.getByLabel('Amount (KES)').fill('750');
    await page.getByRole('button', { name: 'Create link' }).click();

    await page.getByRole('heading', { name: 'Harambee', level: 2 }).waitFor();
    await page.getByRole('img', { name: 'QR code to pay Harambee' }).waitFor();
    const qrLoaded = await page
      .getByRole('img', { name: 'QR code to pay Harambee' })
      .evaluate(
        (img) =>
          (img as unknown as { complete: boolean; naturalWidth: number }).complete &&
          (img as unknown as { naturalWidth: number }).naturalWidth > 0,
      );
    expect(qrLoaded).toBe(true);
    await page.getByRole('button', { name: 'Copy link for Harambee' }).waitFor();
    const listed = await stack.http.get('/payment-links', { headers: { Authorization: shop.authorization } });
    const created = listed.data.find((l: { description: string }) => l.description === 'Harambee');
    expect(created).toMatchObject({ amount: 750, state: 'active' });
    await page.getByRole('link', { name: created.url }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Pause Harambee' }).click();
    await page.getByRole('button', { name: 'Resume Harambee' }).waitFor();
  });
});
