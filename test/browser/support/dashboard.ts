import { randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../../../domain/passwords';
import { UserSchema } from '../../../db/entities';
import type { Stack } from '../../support/harness';

/** Debian's Chromium (`apt-get install -y chromium`); Playwright's own browser download is not used. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  // Root in CI containers has no user namespaces for Chromium's sandbox.
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}

/** The dashboard's origin for a stack: the API serves it at `/`. */
export const dashboardOrigin = (stack: Stack) => stack.apiUrl.replace(/\/api$/, '');

/** A 1×1 PNG: what a phone photo of an ID is to the KYC checks (real PNG bytes). */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

export interface DashboardLogin {
  email: string;
  password: string;
}

/** A dashboard user with a password (an admin, or a user of `merchantId`), to sign in through the login page. */
export async function createDashboardUser(
  stack: Stack,
  who: { role: 'admin' } | { role: 'merchant'; merchantId: number },
): Promise<DashboardLogin> {
  const email = `${who.role}-${randomBytes(4).toString('hex')}@example.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const em = stack.orm.em.fork();
  em.create(UserSchema, {
    email,
    passwordHash: await hashPassword(password),
    role: who.role,
    merchant: who.role === 'merchant' ? who.merchantId : null,
  });
  await em.flush();
  return { email, password };
}

/** Signs in through the login page and waits for the signed-in shell. */
export async function signInThroughPage(page: Page, origin: string, login: DashboardLogin): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** axe-core's WCAG 2 A/AA rules on the page as it is now: the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
}

/** Collects Content-Security-Policy violations the browser reports on a page. */
export function cspViolationsOf(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

/** Text of the first element matching `selector` once it is visible. */
export async function textOf(page: Page, selector: string): Promise<string> {
  const locator = page.locator(selector).first();
  await locator.waitFor();
  return (await locator.textContent()) ?? '';
}
