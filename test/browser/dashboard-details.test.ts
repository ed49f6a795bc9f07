import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { createMerchant } from '../../db/merchants';
import { UserSchema } from '../../db/entities';
import { createDashboardUser, dashboardOrigin, launchBrowser, signInThroughPage } from './support/dashboard';

const TEMPORAL_UI_URL = 'https://temporal.ops.example.test';
const SNIPPETS = path.join(__dirname, '..', 'fixtures', 'snippets');

/** The dashboard's details: the forms, amounts, timelines, searches and links that the journeys pass by. */
describe('Dashboard details', () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  let shop: MerchantFixture;
  let merchantPage: Page;
  let adminPage: Page;

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack({ env: { TEMPORAL_UI_URL } });
    origin = dashboardOrigin(stack);
    shop = await createMerchantFixture(stack, { walletKes: 1000 });
    browser = await launchBrowser();
    merchantPage = await (await browser.newContext()).newPage();
    await signInThroughPage(
      merchantPage,
      origin,
      await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId }),
    );
    adminPage = await (await browser.newContext()).newPage();
    await signInThroughPage(adminPage, origin, await createDashboardUser(stack, { role: 'admin' }));
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('When the merchant has exactly one active channel, then Create STK Push has it chosen already', async () => {
    const page = merchantPage;
    await page.getByRole('link', { name: 'Create STK Push' }).click();
    await page.getByLabel('Phone number').waitFor();
    await eventually(async () =>
      (await page.getByLabel('Channel').inputValue()) === String(shop.channelId) ? true : undefined,
    );
    expect(await page.getByLabel('Channel').inputValue()).toBe(String(shop.channelId));
  });

  it('When a push is sent from the form, then its fields are cleared, the channel stays and so does the live status', async () => {
    const page = merchantPage;
    await page.getByRole('link', { name: 'Create STK Push' }).click();
    await page.getByLabel('Channel').selectOption({ label: 'Till 5123456' });
    await page.getByLabel('Phone number').fill('0712345678');
    await page.getByLabel('Amount (KES)').fill('500');
    await page.getByLabel('External reference').fill('INV-CLEAR');
    await page.getByLabel('Description').fill('Order 1');
    await page.getByRole('button', { name: 'Send STK Push' }).click();
    await page.locator('.live-status .receipt').waitFor();
    for (const field of ['Phone number', 'Amount (KES)', 'External reference', 'Description']) {
      expect(await page.getByLabel(field).inputValue()).toBe('');
    }
    expect(await page.getByLabel('Channel').inputValue()).toBe(String(shop.channelId));
    expect(await page.locator('.live-status').innerText()).toContain('Paid KES 500');
  });

  it('When the ledger lists a fee, then the debit reads −KES 6 with its direction in words, never "KES -6"', async () => {
    const page = merchantPage;
    await page.getByRole('link', { name: 'Service wallet' }).click();
    const reserved = page.locator('tbody tr', { hasText: 'Fee reserved' }).first();
    await reserved.waitFor();
    const amount = reserved.locator('td.num').first();
    // What screen readers hear: the direction in words, then the amount with a true minus sign.
    expect(await amount.textContent()).toBe('Debit: −KES 6');
    expect(await amount.locator('.visually-hidden').textContent()).toBe('Debit: ');
    expect(await amount.getAttribute('data-direction')).toBe('debit');
    const credit = page.locator('tbody tr', { hasText: 'Top-up' }).first().locator('td.num').first();
    expect(await credit.textContent()).toBe('Credit: KES 1,000');
    expect(await page.locator('main').innerText()).not.toMatch(/KES\s*-/);
  });

  it('When no callback comes and a status query decides, then the transaction page shows each query', async () => {
    const push = await stack.http.post(
      '/stk-push',
      { account_id: shop.channelId, phone_number: '0712345678', amount: 9902 },
      { headers: { Authorization: shop.authorization } },
    );
    expect(push.status).toBe(200);
    const id: number = push.data.transaction_id;
    await eventually(async () =>
      (await stack.http.get(`/transaction/status/${id}`, { headers: { Authorization: shop.authorization } })).data
        .status === 'completed'
        ? true
        : undefined,
    );
    await merchantPage.goto(`${origin}/transactions/${id}`);
    const query = merchantPage.locator('.timeline li.timeline-status_query').last();
    await query.waitFor();
    expect(await query.innerText()).toContain('STK status query: ResultCode 0');
    expect(await query.innerText()).toContain('Status query');
  });

  it('When an admin searches All Users and more match than a page holds, then the server pages through them all', async () => {
    const token = randomBytes(4).toString('hex');
    const em = stack.orm.em.fork();
    for (let i = 0; i < 55; i++) {
      const merchantId = await createMerchant(em, {
        name: `Kiosk ${token.toUpperCase()} ${i}`,
        email: `kiosk-${token}-${i}@example.test`,
        kycStatus: 'pending',
        callbackUrl: null,
      });
      em.create(UserSchema, {
        email: `kiosk-owner-${token}-${i}@example.test`,
        passwordHash: 'unused',
        role: 'merchant',
        merchant: merchantId,
      } as never);
    }
    await em.flush();
    const page = adminPage;
    await page.getByRole('link', { name: 'All Users' }).click();
    await page.locator('tbody tr').first().waitFor();
    await page.getByLabel('Search').fill(token.toUpperCase());
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('tbody tr');
    await eventually(async () => ((await rows.count()) === 50 ? true : undefined));
    expect(await rows.first().innerText()).toContain(`Kiosk ${token.toUpperCase()} 0`);
    await page.getByRole('button', { name: 'Next' }).click();
    await eventually(async () => ((await rows.count()) === 5 ? true : undefined));
    expect(await rows.last().innerText()).toContain(`Kiosk ${token.toUpperCase()} 54`);
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
  });

  it('When an admin opens All Transactions, then payments link to the Temporal UI configured at run time', async () => {
    const push = await stack.http.post(
      '/stk-push',
      { account_id: shop.channelId, phone_number: '0712345678', amount: 100 },
      { headers: { Authorization: shop.authorization } },
    );
    const id: number = push.data.transaction_id;
    await adminPage.getByRole('link', { name: 'All Transactions' }).click();
    const link = adminPage.getByRole('link', { name: `payment-${id}` });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`${TEMPORAL_UI_URL}/namespaces/default/workflows/payment-${id}`);
  });

  it('When the API documentation is opened, then every code sample is exactly a snippet file the tests run', async () => {
    const files = fs.readdirSync(SNIPPETS).filter((f) => /\.(js|py)$/.test(f));
    const shown = new Set<string>();
    const page = merchantPage;
    await page.goto(`${origin}/documentation`);
    const samples = page.locator('.code-sample');
    await samples.first().waitFor();
    for (let i = 0; i < (await samples.count()); i++) {
      const sample = samples.nth(i);
      for (const language of ['JavaScript', 'Python']) {
        await sample.getByRole('button', { name: language }).click();
        shown.add(await sample.locator('code').innerText());
      }
    }
    // The seed's example answers and payloads are there too, under its headings.
    for (const heading of [
      'Success response',
      'Status response',
      'Callback payload',
      'Handling the callback',
      'Channel object',
      'Add a channel',
      'List transactions',
      'Transaction object',
    ]) {
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    }
    const sources = files.map((f) => fs.readFileSync(path.join(SNIPPETS, f), 'utf8').trimEnd()).sort();
    expect([...shown].map((text) => text.trimEnd()).sort()).toEqual(sources);
  });
});
