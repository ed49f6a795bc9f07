import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { nairobiDay } from '../../domain/statementMatch';
import {
  createMerchantFixture,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import {
  createDashboardUser,
  dashboardOrigin,
  launchBrowser,
  seriousA11yViolations,
  signInThroughPage,
} from './support/dashboard';

const DAY = nairobiDay(new Date(Date.now() - 2 * 24 * 3600_000));
const STATEMENT = [
  'Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.',
  `UB1MATCH01,${DAY} 10:00:30,${DAY} 10:00:20,Pay Bill Online,Completed,"1,250.00",,"5,000.00",Yes,Pay Bill,2547******678,,SHOP1`,
  `UB1NEVER01,${DAY} 11:00:30,${DAY} 11:00:20,Pay Bill Online,Completed,300.00,,"5,300.00",Yes,Pay Bill,2547******123,,SHOP1`,
].join('\r\n');

/** The Reconciliation pages: a merchant uploads a statement and sees matched and unmatched lines; admins see it too. */
describe('Dashboard: statement reconciliation', () => {
  let stack: Stack;
  let browser: Browser;
  let shop: MerchantFixture;
  let origin: string;

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack({ withoutWorker: true });
    origin = dashboardOrigin(stack);
    shop = await createMerchantFixture(stack);
    await stack.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into transactions (public_id, merchant_id, channel_id, environment, phone_number, amount, fee, status, stage,
                push_state, description, account_reference, workflow_id, created_at, updated_at, completed_at, mpesa_receipt)
         values (?, ?, ?, 'sandbox', '254712345678', 1250, 6, 'completed', 'completed', 'accepted', 'Order', 'SHOP1', ?,
                 ?::timestamptz, ?::timestamptz, ?::timestamptz, 'UB1MATCH01')`,
        [
          `trxn_${randomBytes(8).toString('hex')}`,
          shop.merchantId,
          shop.channelId,
          `payment-test-${randomBytes(6).toString('hex')}`,
          `${DAY}T10:00:00+03:00`,
          `${DAY}T10:00:00+03:00`,
          `${DAY}T10:00:31+03:00`,
        ],
      );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function axeAtBothWidths(page: Page): Promise<void> {
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  it('When a merchant uploads a statement, then the day report shows matched and unmatched lines, axe-clean at desktop and phone width', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signInThroughPage(
      page,
      origin,
      await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId }),
    );
    await page.getByRole('link', { name: 'Reconciliation' }).click();
    await page.getByRole('heading', { name: 'Reconciliation' }).waitFor();
    await page.getByLabel(/M-Pesa statement/).setInputFiles({
      name: 'statement.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(STATEMENT),
    });
    await page.getByRole('button', { name: 'Reconcile statement' }).click();
    await page.getByRole('status').filter({ hasText: 'Reconciled 2 credits into 1 daily report' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: DAY });
    await row.waitFor();
    await row.getByRole('button', { name: /Open report/ }).click();
    const lines = page.getByRole('heading', { name: new RegExp(`Report \\d+: .*, ${DAY}`) });
    await lines.waitFor();
    const matched = page.getByRole('row').filter({ hasText: 'UB1MATCH01' });
    const unmatched = page.getByRole('row').filter({ hasText: 'UB1NEVER01' });
    expect(await matched.textContent()).toContain('Matched');
    expect(await unmatched.textContent()).toContain('In M-Pesa only');
    await axeAtBothWidths(page);
    await page.context().close();
  });

  it("When a merchant asks M-Pesa for today's credits, then the report names M-Pesa as its source, axe-clean at desktop and phone width", async () => {
    const credit = stack.simulator.control.addCredit({ shortcode: '5123456', amount: 450, billReference: 'SHOP1' });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signInThroughPage(
      page,
      origin,
      await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId }),
    );
    await page.getByRole('link', { name: 'Reconciliation' }).click();
    await page.getByRole('heading', { name: 'Ask M-Pesa' }).waitFor();
    await page.getByRole('button', { name: 'Ask M-Pesa for the day' }).click();
    const today = nairobiDay(new Date());
    await page
      .getByRole('status')
      .filter({ hasText: `M-Pesa listed 1 credits for ${today}` })
      .waitFor();
    const row = page.getByRole('row').filter({ hasText: today });
    await row.waitFor();
    expect(await row.textContent()).toContain('M-Pesa (Pull Transactions)');
    await row.getByRole('button', { name: /Open report/ }).click();
    const line = page.getByRole('row').filter({ hasText: credit.receipt });
    await line.waitFor();
    expect(await line.textContent()).toContain('In M-Pesa only');
    await axeAtBothWidths(page);
    await page.context().close();
  });

  it("When an admin opens Reconciliation, then every merchant's reports are listed, axe-clean at both widths", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signInThroughPage(page, origin, await createDashboardUser(stack, { role: 'admin' }));
    await page.getByRole('link', { name: 'Reconciliation' }).click();
    // The merchant's uploaded statement's report (its pulled one is of today).
    const row = page
      .getByRole('row')
      .filter({ hasText: `#${shop.merchantId}` })
      .filter({ hasText: DAY });
    await row.waitFor();
    expect(await row.textContent()).toContain('Uploaded statement');
    await row.getByRole('button', { name: /Open report/ }).click();
    await page.getByRole('row').filter({ hasText: 'UB1NEVER01' }).waitFor();
    await axeAtBothWidths(page);
    await page.context().close();
  });
});
