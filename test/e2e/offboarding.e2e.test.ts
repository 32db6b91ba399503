import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { launchBrowser } from '../support/browser.ts';
import { startTestStack, waitForEmail } from '../support/harness.ts';
import { grantFor, hire, seedAccounts, separate } from '../support/offboarding.ts';

/**
 * Separation offboarding as people do it, in a real browser against the real local stack: HR
 * reports a separation, the remaining admin opens the rotation email in the SES emulator's mailbox
 * viewer, follows its link, reveals the new password, sets it and confirms, and DTI's offboarding
 * record shows the account rotated and by whom, without the password.
 */

const results = 'test-results';
const timeout = 15_000;
const library = { code: 'LIB', name: 'Albuquerque Public Library' };

let stack: LocalStack;
let browser: Browser;

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

/** An element's text with its whitespace collapsed, as it reads on the page. */
const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
const text = async (l: Locator) => squash(await l.textContent());

/** A fresh browser profile (its own cookies): one per person at their own computer. */
async function newPerson(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  context.setDefaultTimeout(timeout);
  return context.newPage();
}

/** Signs in through the development sign-in, as a bookmark to `path` leads there when nobody is signed in. */
async function signIn(page: Page, personId: string, path: string) {
  await page.goto(`${stack.baseUrl}${path}`);
  await page.waitForURL(`**/dev/sign-in?next=${encodeURIComponent(path)}`);
  // Hires through the HR feed have no title, so they are chosen by their id (the option's value).
  await page.getByLabel('Sign in as').selectOption({ value: personId });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${path}`);
}

/**
 * Opens the rotation email to `to` in the SES emulator's mailbox viewer and follows "Open the
 * password change" in its rendered HTML, in a new tab (the app's pages refuse to be framed), as in
 * the new-account browser test.
 */
async function openRotationLinkFromMailbox(page: Page, to: string, handle: string): Promise<Page> {
  await waitForEmail(stack, (e) => e.to.includes(to) && e.subject.startsWith('Action needed: change') && e.subject.includes(`${handle} `), timeout);
  await page.goto(`${stack.mailboxUrl}/`);
  const email = page
    .locator('.email')
    .filter({ hasText: `To: ${to}` })
    .filter({ hasText: `Subject: Action needed: change the shared password of Facebook ${handle}` });
  await email.waitFor();
  await email.getByRole('button', { name: 'Toggle HTML view' }).click();
  const link = email.frameLocator('iframe').getByRole('link', { name: 'Open the password change' });
  await link.waitFor();
  const [taskPage] = await Promise.all([page.context().waitForEvent('page'), link.click({ modifiers: ['ControlOrMeta'] })]);
  await taskPage.waitForLoadState();
  return taskPage;
}

describe('separation offboarding, in the browser', () => {
  it('has the remaining admin reveal, set and confirm the new password from the emailed link, and records it for DTI without the password', async () => {
    const leaver = await hire(stack, library.code, 'Leaving');
    const stayer = await hire(stack, library.code, 'Staying');
    const [account] = await seedAccounts(stack, 1, [grantFor(leaver), grantFor(stayer)], library);
    const { handle } = account as { accountId: string; handle: string };

    // The remaining admin is signed in at her desk before the separation comes through.
    const admin = await newPerson();
    await signIn(admin, stayer.id, '/requests');

    const put = await separate(stack, leaver.id);
    expect(put.status).toBe(202);
    const offboardingId = String(put.body.offboardingId);

    const task = await openRotationLinkFromMailbox(admin, stayer.email, handle);
    expect(new URL(task.url()).pathname).toMatch(/^\/tasks\/[A-Za-z0-9_-]+$/);
    await task.getByRole('heading', { level: 1, name: new RegExp(`${handle}$`) }).waitFor();
    expect(await text(task.locator('main'))).toContain(`${stayer.name}, this is for you.`);
    // Opening the link shows no password, only the button that reveals it.
    const before = await task.content();
    expect(await task.locator('#new-password, .secret').count()).toBe(0);
    expect(await task.getByRole('button', { name: 'Show the new password', exact: true }).isVisible()).toBe(true);
    await task.screenshot({ path: join(results, 'e2e-offboarding-task.png'), fullPage: true });

    await task.getByRole('button', { name: 'Show the new password', exact: true }).click();
    const shown = task.locator('p.secret#new-password');
    await shown.waitFor();
    const password = squash(await shown.textContent());
    expect(password).toMatch(/^\S{24}$/);
    expect(before).not.toContain(password);

    await task.getByRole('checkbox', { name: `I have set this password on Facebook ${handle}` }).check();
    await task.getByRole('button', { name: 'Confirm the password is changed' }).click();
    await task.getByRole('heading', { name: `Thank you, ${stayer.name}` }).waitFor();
    expect(await task.title()).toMatch(/^Done/);
    expect(await text(task.getByRole('status'))).toContain(`The new password for Facebook ${handle} is confirmed`);
    expect(await task.content()).not.toContain(password);

    // The last task settled resumes the execution, which closes the record and tells DTI.
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');

    // DTI's view of the record (O.b).
    const samuel = await newPerson();
    await signIn(samuel, 'E400', '/offboardings');
    await samuel.goto(`${stack.baseUrl}/offboardings/${offboardingId}`);
    const heading = samuel.getByRole('heading', { level: 1 });
    expect(await text(heading)).toContain(`Offboarding of ${leaver.name}`);
    expect(await text(heading.locator('.status'))).toBe('completed');
    const accounts = samuel.locator('table').filter({ has: samuel.getByRole('columnheader', { name: 'Shared password' }) });
    const row = accounts.locator('tbody tr').filter({ hasText: handle });
    expect(await row.count()).toBe(1);
    const cells = row.getByRole('cell');
    expect(await text(cells.nth(1))).toMatch(/^admin grant revoked /);
    expect(await text(cells.nth(2))).toMatch(new RegExp(`^rotated — confirmed by ${stayer.name}`));
    const history = squash(await samuel.locator('main').textContent());
    expect(history).toContain(`New password for Facebook ${handle} revealed to ${stayer.name}`);
    expect(history).toContain(`done by ${stayer.name}`);
    expect(await samuel.content()).not.toContain(password);
    await samuel.screenshot({ path: join(results, 'e2e-offboarding-record.png'), fullPage: true });
  });
});
