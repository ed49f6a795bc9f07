import axios from 'axios';
import type { Browser, Page } from 'playwright-core';
import { darajaCallbackUrl } from '../../config/callbackUrl';
import { TransactionSchema } from '../../db/entities';
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
  type DashboardLogin,
} from './support/dashboard';

/**
 * The admin's Review queue in Chromium: one admin proposes how a payment's review ends, a second
 * approves it, and the payment completes; axe-clean at desktop and phone width, no CSP violation.
 */
describe('The review queue in the dashboard', () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  let shop: MerchantFixture;
  let maker: DashboardLogin;
  let checker: DashboardLogin;

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack();
    origin = dashboardOrigin(stack);
    shop = await createMerchantFixture(stack, { walletKes: 1000 });
    [maker, checker] = await Promise.all([
      createDashboardUser(stack, { role: 'admin' }),
      createDashboardUser(stack, { role: 'admin' }),
    ]);
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

  /** A KES 9,908 push whose success callback says Amount 1: the payment is in review. */
  async function paymentInReview(): Promise<number> {
    const res = await stack.http.post(
      '/stk-push',
      { account_id: shop.channelId, phone_number: '0712345678', amount: 9908 },
      { headers: { Authorization: shop.authorization } },
    );
    const id = res.data.transaction_id as number;
    await axios.post(darajaCallbackUrl(stack.config, id), {
      Body: {
        stkCallback: {
          MerchantRequestID: 'm-browser',
          CheckoutRequestID: res.data.checkout_request_id,
          ResultCode: 0,
          ResultDesc: 'The service request is processed successfully.',
          CallbackMetadata: {
            Item: [
              { Name: 'Amount', Value: 1 },
              { Name: 'MpesaReceiptNumber', Value: 'BRWS0RCPT1' },
            ],
          },
        },
      },
    });
    await eventually(async () => ((await statusOf(id)) === 'needs_review' ? true : undefined));
    return id;
  }
  const statusOf = async (id: number) => (await stack.orm.em.fork().findOneOrFail(TransactionSchema, id)).status;

  it('When one admin proposes completing a payment and a second approves it, then the payment completes and leaves the queue', async () => {
    const id = await paymentInReview();
    const makerPage = await signedIn(maker);
    const csp = cspViolationsOf(makerPage);
    await makerPage.getByRole('link', { name: 'Review queue' }).click();
    const card = makerPage.getByRole('article', { name: new RegExp(`^Payment ${id}\\b`) });
    await card.waitFor();
    await card.getByText('reports KES 1 for a push of KES 9908').waitFor();
    await card.getByText('Raw body of callback').click();
    await card.getByText('"MpesaReceiptNumber"').waitFor();
    await card.getByText(`Timeline of payment ${id}`).click();
    await card.getByText('M-Pesa reported a payment; ImaraPay is verifying it').first().waitFor();

    await card.getByLabel('Resolution').selectOption('complete');
    await card.getByLabel('M-Pesa receipt').fill('R33MVBMXSF');
    await card.getByLabel('Reason').fill('The org portal statement shows R33MVBMXSF for KES 9,908');
    await card.getByRole('button', { name: 'Propose' }).click();
    await card.getByText('You proposed this: a second admin approves it.').waitFor();
    expect(await statusOf(id)).toBe('needs_review');
    expect(csp).toEqual([]);

    const checkerPage = await signedIn(checker);
    await checkerPage.goto(`${origin}/admin/review`);
    const pending = checkerPage.getByRole('article', { name: new RegExp(`^Payment ${id}\\b`) });
    await pending.getByText('Complete with receipt R33MVBMXSF').waitFor();
    await pending.getByText(maker.email).waitFor();
    await pending.getByRole('button', { name: 'Approve' }).click();
    // Settled by the payment's workflow (slower when the machine is busy), the payment leaves the queue.
    await eventually(async () => ((await statusOf(id)) === 'completed' ? true : undefined), { timeoutMs: 60_000 });
    await pending.waitFor({ state: 'detached', timeout: 30_000 });
  });

  it.each([
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const)(
    'When the Review queue is opened on a %s screen with a pending proposal, then axe finds no serious or critical violation',
    async (_screen, viewport) => {
      const id = await paymentInReview();
      const page = await signedIn(maker, viewport);
      await page.goto(`${origin}/admin/review`);
      const card = page.getByRole('article', { name: new RegExp(`^Payment ${id}\\b`) });
      await card.getByLabel('Reason').fill('M-Pesa has no such credit');
      await card.getByLabel('Resolution').selectOption('fail');
      await card.getByRole('button', { name: 'Propose' }).click();
      await card.getByText('Fail and release the fee').first().waitFor();
      await card.getByText(`Timeline of payment ${id}`).click();
      await card.getByRole('list').last().waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await stack.temporal.workflow.getHandle(`payment-${id}`).terminate('test over');
    },
  );
});
