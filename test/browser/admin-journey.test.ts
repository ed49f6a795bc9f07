import type { Browser, Page } from 'playwright-core';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { kycForm } from '../support/kycForm';
import { signInMerchantUser } from '../support/signedInUsers';
import {
  createDashboardUser,
  dashboardOrigin,
  launchBrowser,
  signInThroughPage,
  textOf,
  TINY_PNG,
} from './support/dashboard';

/** ImaraPay staff in the admin pages: the overview against the database, users, all transactions, KYC decisions. */
describe('Dashboard: an admin runs the platform', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let shop: MerchantFixture;
  let shopEmail: string;
  const paymentIds: number[] = [];

  /** A merchant with a pending KYC submission (sent over the API as its dashboard user). */
  async function merchantAwaitingReview(): Promise<{ merchantId: number; name: string }> {
    const fixture = await createMerchantFixture(stack, { kycStatus: 'pending', walletKes: 0 });
    await stack.orm.em
      .fork()
      .getConnection()
      .execute(`update merchants set kyc_status = 'unverified' where id = ?`, [fixture.merchantId]);
    const bearer = { headers: { Authorization: await signInMerchantUser(stack, fixture.merchantId) } };
    const [{ name }] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ name: string }[]>('select name from merchants where id = ?', [fixture.merchantId]);
    const submitted = await stack.http.post(
      '/kyc',
      kycForm(
        {
          full_name: 'Achieng Otieno',
          id_type: 'national_id',
          id_number: '23456789',
          business_name: name,
          phone_number: '0722000000',
        },
        [{ kind: 'id_front', type: 'image/png', content: TINY_PNG }],
      ),
      bearer,
    );
    expect(submitted.status).toBe(201);
    return { merchantId: fixture.merchantId, name: name! };
  }

  const kycStatusOf = async (merchantId: number) =>
    (
      await stack.orm.em
        .fork()
        .getConnection()
        .execute<{ kyc_status: string }[]>('select kyc_status from merchants where id = ?', [merchantId])
    )[0]!.kyc_status;

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack();
    shop = await createMerchantFixture(stack, { walletKes: 5000 });
    shopEmail = (await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId })).email;
    for (const amount of [500, 1000, 1032]) {
      const push = await stack.http.post(
        '/stk-push',
        { account_id: shop.channelId, phone_number: '0712345678', amount },
        { headers: { Authorization: shop.authorization } },
      );
      expect(push.status).toBe(200);
      paymentIds.push(push.data.transaction_id);
    }
    await eventually(async () => {
      const statuses = await stack.orm.em
        .fork()
        .getConnection()
        .execute<{ status: string }[]>('select status from transactions where id in (?, ?, ?)', paymentIds);
      return statuses.every((s) => s.status !== 'pending') ? true : undefined;
    });
    browser = await launchBrowser();
    page = await (await browser.newContext()).newPage();
    await signInThroughPage(page, dashboardOrigin(stack), await createDashboardUser(stack, { role: 'admin' }));
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('When the admin opens the overview, then its figures are those of the database', async () => {
    const [today] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ completed: string; failed: string; volume: string; fees: string }[]>(
        `select count(*) filter (where status = 'completed') as completed, count(*) filter (where status = 'failed') as failed,
              coalesce(sum(amount) filter (where status = 'completed'), 0) as volume, coalesce(sum(fee) filter (where status = 'completed'), 0) as fees
         from transactions where purpose = 'payment'`,
      );
    expect(today).toEqual({ completed: '2', failed: '1', volume: '1500', fees: '21' });
    await page.getByRole('link', { name: 'Admin Overview' }).click();
    expect(await textOf(page, '[data-stat=payments] .figure')).toBe('3');
    expect(await textOf(page, '[data-stat=volume] .figure')).toBe('KES 1,500');
    expect(await textOf(page, '[data-stat=fees] .figure')).toBe('KES 21');
    expect(await textOf(page, '[data-stat=success-rate] .figure')).toBe('67%');
    expect(await page.locator('.chart').getAttribute('aria-label')).toBe(
      'Payments per minute: 2 completed, 1 failed in the last hour',
    );
  });

  it('When the admin searches All Users, then the matching account is listed with its KYC status', async () => {
    await page.getByRole('link', { name: 'All Users' }).click();
    await page.locator('tbody tr').first().waitFor();
    await page.getByLabel('Search').fill(shopEmail);
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('tbody tr');
    await eventually(async () => ((await rows.count()) === 1 ? true : undefined));
    expect(await rows.first().innerText()).toContain('verified');
  });

  it('When the admin opens All Transactions, then every payment is listed with a link to its workflow', async () => {
    await page.getByRole('link', { name: 'All Transactions' }).click();
    for (const id of paymentIds) {
      const link = page.getByRole('link', { name: `payment-${id}` });
      await link.waitFor();
      expect(await link.getAttribute('href')).toMatch(new RegExp(`/namespaces/default/workflows/payment-${id}$`));
    }
  });

  it('When the admin approves one KYC submission and rejects another with a reason, then the merchants are verified and rejected', async () => {
    const approvable = await merchantAwaitingReview();
    const rejectable = await merchantAwaitingReview();
    await page.getByRole('link', { name: 'KYC Reviews' }).click();
    const first = page.getByRole('article', { name: `Submission from ${approvable.name}` });
    await first.getByRole('button', { name: 'Approve' }).click();
    await first.waitFor({ state: 'detached' });
    const second = page.getByRole('article', { name: `Submission from ${rejectable.name}` });
    await second.getByLabel('Reason for rejection').fill('The ID photo is blurred');
    await second.getByRole('button', { name: 'Reject' }).click();
    await second.waitFor({ state: 'detached' });
    expect(await kycStatusOf(approvable.merchantId)).toBe('verified');
    expect(await kycStatusOf(rejectable.merchantId)).toBe('rejected');
  });
});
