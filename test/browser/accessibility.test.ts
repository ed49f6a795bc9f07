import type { Browser, Page } from 'playwright-core';
import { createMerchantFixture, eventually, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import {
  createDashboardUser,
  dashboardOrigin,
  launchBrowser,
  seriousA11yViolations,
  signInThroughPage,
} from './support/dashboard';

type Who = 'signed out' | 'merchant' | 'admin';
const PAGES: [Who, string][] = [
  ['signed out', '/login'],
  ['signed out', '/signup'],
  ...[
    '/',
    '/stk-push',
    '/transactions',
    '/transactions/:payment',
    '/customers',
    '/channels',
    '/wallet',
    '/api-keys',
    '/kyc',
    '/pricing',
    '/profile',
    '/security-log',
    '/documentation',
  ].map((p): [Who, string] => ['merchant', p]),
  ...[
    '/admin',
    '/admin/users',
    '/admin/transactions',
    '/admin/kyc',
    '/admin/review',
    '/admin/pricing',
    '/admin/wallets',
    '/admin/audit',
    '/admin/reversals',
  ].map((p): [Who, string] => ['admin', p]),
];
// Phone width: the pages whose tables and forms are the widest.
const PHONE_PAGES: [Who, string][] = [
  ['merchant', '/'],
  ['merchant', '/transactions'],
  ['merchant', '/stk-push'],
  ['admin', '/admin'],
];

/** axe-core on every page, with data on it: no serious or critical violation (desktop, and phone width for the widest). */
describe('Dashboard accessibility (axe-core)', () => {
  let stack: Stack;
  let browser: Browser;
  let origin: string;
  let paymentId: number;
  const pages = new Map<string, Page>();

  beforeAll(async () => {
    quietTemporalRuntime();
    stack = await startStack();
    origin = dashboardOrigin(stack);
    const shop = await createMerchantFixture(stack);
    const push = await stack.http.post(
      '/stk-push',
      { account_id: shop.channelId, phone_number: '0712345678', amount: 500, external_reference: 'INV-A11Y' },
      { headers: { Authorization: shop.authorization } },
    );
    paymentId = push.data.transaction_id;
    await eventually(async () =>
      (await stack.http.get(`/transaction/status/${paymentId}`, { headers: { Authorization: shop.authorization } }))
        .data.status === 'completed'
        ? true
        : undefined,
    );
    browser = await launchBrowser();
    const logins = {
      merchant: await createDashboardUser(stack, { role: 'merchant', merchantId: shop.merchantId }),
      admin: await createDashboardUser(stack, { role: 'admin' }),
    };
    for (const [screen, viewport] of [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      for (const who of ['signed out', 'merchant', 'admin'] as const) {
        const page = await (await browser.newContext({ viewport })).newPage();
        if (who !== 'signed out') await signInThroughPage(page, origin, logins[who]);
        pages.set(`${screen} ${who}`, page);
      }
    }
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** The page once its content (not "Loading…") is shown, and what axe finds on it. */
  async function audit(page: Page, path: string): Promise<string[]> {
    await page.goto(`${origin}${path.replace(':payment', String(paymentId))}`);
    await page.locator('h1').first().waitFor();
    await page.getByText('Loading…').first().waitFor({ state: 'detached' });
    return seriousA11yViolations(page);
  }

  it.each(PAGES)(
    'When the %s page %s is opened on a desktop screen, then axe finds no serious or critical violation',
    async (who, path) => {
      expect(await audit(pages.get(`desktop ${who}`)!, path)).toEqual([]);
    },
  );

  it.each(PHONE_PAGES)(
    'When the %s page %s is opened on a phone-width screen, then axe finds no serious or critical violation',
    async (who, path) => {
      expect(await audit(pages.get(`phone ${who}`)!, path)).toEqual([]);
    },
  );
});
