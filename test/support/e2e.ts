import { mkdirSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { launchBrowser } from './browser.ts';
import { startTestStack, waitForEmail } from './harness.ts';

/** Where browser tests write their screenshots. */
export const results = 'test-results';

/** How long a browser test waits for anything: an element, a page, an email. */
const timeout = 15_000;

/** An element's text with its whitespace collapsed, as it reads on the page. */
export const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
export const text = async (l: Locator) => squash(await l.textContent());

/**
 * Ticks a USWDS checkbox or radio as a person does. Their inputs (`.usa-checkbox__input`,
 * `.usa-radio__input`) are visually hidden off-screen, so Playwright's `check()` waits forever for
 * them to be in the viewport; a person clicks the visible label (`label[for=<id>]`) instead.
 */
export async function tick(box: Locator): Promise<void> {
  const id = await box.getAttribute('id');
  if (!id) throw new Error('a USWDS checkbox or radio has an id for its label');
  await box.page().locator(`label[for="${id}"]`).click();
  expect(await box.isChecked()).toBe(true);
}

/**
 * The active posting authority (B) listed on an account's page (`/accounts/<accountId>`), one line
 * per grant as the registry used to read: "Ana Gallegos (authorized by Dolores Baca) admin, shared credential".
 */
export async function grantLines(page: Page): Promise<string[]> {
  await page.getByRole('heading', { name: 'Admins and posters', level: 2 }).waitFor();
  const table = page.locator('table').filter({ has: page.locator('caption', { hasText: /^Posting authority \(B\) on / }) });
  if ((await table.count()) === 0) return [];
  const lines: string[] = [];
  for (const row of await table.locator('tbody tr').all()) {
    const cell = (label: string) => text(row.locator(`td[data-label="${label}"]`));
    lines.push(`${await cell('Person')} (authorized by ${await cell('Authorized by')}) ${await cell('Role')}`);
  }
  return lines;
}

/** Whom to choose on the development sign-in: by the option's label, or by the person's id (the option's value). */
export type SignInAs = { label: string } | { personId: string };

/** An email in the mailbox viewer, and the link in it to follow. */
export interface EmailLink {
  to: string;
  /**
   * The subject exactly, or how it starts. The viewer's card is found by "Subject: " and this text, as
   * a substring (Playwright trims and collapses the whitespace of the text it looks for).
   */
  subject: string | { startsWith: string };
  /** The link's accessible name in the email's HTML. */
  link: string;
}

export interface BrowserTests {
  /** The local stack; only once beforeAll has started it. */
  readonly stack: LocalStack;
  /** A fresh browser profile (its own cookies): one per person at their own computer. */
  newPerson(): Promise<Page>;
  /** Signs in through the development sign-in, as a bookmark to `path` leads there when nobody is signed in. */
  signIn(page: Page, as: SignInAs, path: string): Promise<void>;
  /**
   * Opens the email in the SES emulator's mailbox viewer and follows its link; returns the viewer's
   * card of the email and the page the link opened.
   */
  openFromMailbox(page: Page, email: EmailLink): Promise<{ email: Locator; opened: Page }>;
}

/**
 * Starts the local stack and Chromium before the calling test file's tests and stops both after
 * them; returns what the tests do with them.
 */
export function browserTests(): BrowserTests {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    mkdirSync(results, { recursive: true });
    // Both at once; whichever starts is stopped in afterAll even if the other fails.
    const [started, launched] = await Promise.allSettled([startTestStack(), launchBrowser()]);
    if (started.status === 'fulfilled') stack = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    for (const outcome of [started, launched]) if (outcome.status === 'rejected') throw outcome.reason;
  });

  afterAll(async () => {
    // Closing the browser closes every person's context with it.
    await browser?.close();
    await stack?.stop();
  });

  const running = () => {
    if (!stack || !browser) throw new Error('the local stack and the browser start in beforeAll');
    return { stack, browser };
  };

  return {
    get stack() {
      return running().stack;
    },

    async newPerson() {
      const context = await running().browser.newContext({ viewport: { width: 1100, height: 900 } });
      context.setDefaultTimeout(timeout);
      return context.newPage();
    },

    async signIn(page, as, path) {
      await page.goto(`${running().stack.baseUrl}${path}`);
      await page.waitForURL(`**/dev/sign-in?next=${encodeURIComponent(path)}`);
      // Hires through the HR feed have no title, so they are chosen by their id (the option's value).
      await page.getByLabel('Sign in as').selectOption('label' in as ? { label: as.label } : { value: as.personId });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`**${path}`);
    },

    /*
     * The viewer (aws-ses-v2-local static/index.html) lists each email as a card with "To: …" and a
     * "Toggle HTML view" button that reveals an iframe holding the email's HTML, so the link really is
     * clicked in the rendered email. A plain click would navigate inside that iframe, which the app's
     * pages refuse (CSP frame-ancestors 'none'), so it is opened in a new tab, as a person would from a
     * mail client: a Ctrl/Cmd-click, which gives a new page in that person's browser.
     */
    async openFromMailbox(page, { to, subject, link: linkName }) {
      const { stack } = running();
      const [matches, shown] =
        typeof subject === 'string' ? [(s: string) => s === subject, subject] : [(s: string) => s.startsWith(subject.startsWith), subject.startsWith];
      // The workflow emails in the background: open the viewer once the email is there, as a person
      // would after the notification, so its first render already lists it.
      await waitForEmail(stack, (e) => e.to.includes(to) && matches(e.subject), timeout);
      const email = page
        .locator('.email')
        .filter({ hasText: `To: ${to}` })
        .filter({ hasText: `Subject: ${shown}` });
      const link = email.frameLocator('iframe').getByRole('link', { name: linkName });
      // The viewer writes each email's HTML into an iframe whose src is javascript:void(0); when that
      // navigation lands after the write (a loaded machine), the iframe is left empty. A person would
      // reload the mailbox: so does this, up to three times.
      for (let attempt = 1; ; attempt += 1) {
        await page.goto(`${stack.mailboxUrl}/`);
        await email.waitFor();
        await email.getByRole('button', { name: 'Toggle HTML view' }).click();
        try {
          await link.waitFor({ timeout: 5_000 });
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
      const [opened] = await Promise.all([page.context().waitForEvent('page'), link.click({ modifiers: ['ControlOrMeta'] })]);
      await opened.waitForLoadState();
      return { email, opened };
    },
  };
}
