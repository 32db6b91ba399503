import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserTests, text, tick } from '../support/e2e.ts';
import { approvedAccount, as } from '../support/harness.ts';
import { checkPage, cspWatch, focusedId } from '../support/page-checks.ts';

/**
 * A new account's first login, as people record and use it in a real browser against the real
 * local stack (O.b, O.c): an admin opens the capture task from the email in the SES emulator's
 * mailbox viewer, follows it to the account's credential page, gets the Record form wrong (its error
 * summary takes focus and links to the fields), then right, and confirms it works; the page says it
 * is on file and confirmed and never carries the password. The Communications Coordinator asks to
 * view it without a reason (refused, 403, the summary focused), then with one, and sees the login
 * typed. Every page on the way, and DTI's list of accounts, is axe-clean at a desk and on a phone
 * and reflows at 320 px.
 */

const e2e = browserTests();
const { newPerson, signIn, openFromMailbox } = e2e;

const csp = cspWatch();

async function person(): Promise<Page> {
  return csp.watch(await newPerson());
}

/** WCAG 1.4.10 (reflow): at 320 CSS px nothing scrolls sideways. */
async function reflowsAt320(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 320, height: 900 });
  const size = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })')) as {
    scroll: number;
    client: number;
  };
  expect(size.scroll, `${name} scrolls sideways at 320 px`).toBeLessThanOrEqual(size.client);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function everyWidth(page: Page, name: string, shot?: string): Promise<void> {
  await checkPage(page, name, shot);
  await reflowsAt320(page, name);
}

/** The value beside a fact's label in the page's first list of facts (`dl.app-facts`). */
const fact = (page: Page, label: string): Locator =>
  page
    .locator('dl.app-facts')
    .first()
    .locator('dt', { hasText: new RegExp(`^${label}$`) })
    .locator('xpath=following-sibling::dd[1]');

/** Submits a form with a click and returns the response to its POST. */
async function post(page: Page, button: Locator) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/credential')),
    button.click(),
  ]);
  await page.waitForLoadState();
  return response;
}

const summaryTargets = (page: Page) => page.locator('#error-summary a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));

describe('credentials on file, in the browser', () => {
  it('has an admin record and confirm the first login from the capture task, and the Coordinator view it with a reason', async () => {
    const accountId = await approvedAccount(e2e.stack);
    const { account } = (await (await as(e2e.stack, 'E400').get(`/accounts/${accountId}`)).json()) as {
      account: { platformName: string; handle: string };
    };
    const label = `${account.platformName} ${account.handle}`;
    const credentialPath = `/accounts/${accountId}/credential`;
    const login = {
      username: 'parks-events@cabq.example',
      password: 'Bosque-Trail-4417!',
      recoveryContact: '505-555-0173',
      twoFactorHolder: 'the Parks communications phone',
    };

    // DTI's list, before: the new account fails the check, and links to its credential page.
    const dti = await person();
    await signIn(dti, { personId: 'E400' }, '/credentials');
    await dti.getByRole('heading', { level: 1, name: 'Credentials on file' }).waitFor();
    const failing = dti.locator('table').filter({ has: dti.locator('caption', { hasText: 'Accounts that fail a check' }) });
    const row = failing.locator('tbody tr').filter({ has: dti.getByRole('link', { name: label, exact: true }) });
    expect(await row.count()).toBe(1);
    expect(await text(row.locator('td[data-label="What fails"]'))).toContain('No credential is on file with DTI (O.b).');
    expect(await row.getByRole('link', { name: label, exact: true }).getAttribute('href')).toBe(credentialPath);
    await everyWidth(dti, 'the credentials overview', 'credentials-overview');

    // 1. The admin, signed in at her desk, opens the capture task from her email.
    const admin = await person();
    await signIn(admin, { personId: 'E102' }, '/');
    const { opened: task } = await openFromMailbox(admin, {
      to: 'agallegos@cabq.example',
      subject: `Action needed: record the login of ${label} (Parks and Recreation)`,
      link: 'Record the login',
    });
    csp.watch(task);
    expect(new URL(task.url()).pathname).toMatch(/^\/tasks\/[A-Za-z0-9_-]+$/);
    await Promise.all([task.waitForURL(`**${credentialPath}`), task.getByRole('link', { name: 'Record the login', exact: true }).click()]);
    await task.getByRole('heading', { level: 1, name: `Credential: ${label}` }).waitFor();
    expect(await text(fact(task, 'Credential'))).toBe('Credential not on file');
    expect(await task.locator('#view, #confirm, #revealed').count()).toBe(0);
    await everyWidth(task, 'the credential page before the login is recorded', 'credential-record');

    // Wrong first: the passwords differ, and two-factor is on with nobody holding it.
    const recordButton = task.getByRole('button', { name: 'Record the login', exact: true });
    await task.getByLabel('Username or email address it signs in with').fill(login.username);
    await task.getByLabel(/^Password\b/).fill(login.password);
    await task.getByLabel('The password again').fill('Bosque-Trail-4418?');
    await task.getByLabel('Recovery email address or phone number').fill(login.recoveryContact);
    await tick(task.getByRole('radio', { name: 'Yes', exact: true }));
    const wrong = await post(task, recordButton);
    expect(wrong.status()).toBe(400);
    await task.locator('#error-summary').waitFor();
    expect(await focusedId(task)).toBe('error-summary');
    expect(await summaryTargets(task)).toEqual(['#passwordAgain', '#twoFactorHolder']);
    for (const target of await summaryTargets(task)) expect(await task.locator(target).count(), `${target} is a field on the page`).toBe(1);
    expect(await text(task.locator('#passwordAgain-error'))).toBe('the two passwords do not match');
    expect(await task.locator('#twoFactorHolder').getAttribute('aria-invalid')).toBe('true');
    // What was typed comes back, except the passwords; and nothing was recorded.
    expect(await task.getByLabel('Username or email address it signs in with').inputValue()).toBe(login.username);
    expect(await task.getByLabel(/^Password\b/).inputValue()).toBe('');
    expect(await task.content()).not.toContain(login.password);
    expect(await text(fact(task, 'Credential'))).toBe('Credential not on file');
    // Following a summary link lands on its field.
    await task.locator('#error-summary a[href="#twoFactorHolder"]').click();
    expect(await focusedId(task)).toBe('twoFactorHolder');
    await everyWidth(task, 'the credential page with errors');

    // Then right.
    await task.getByLabel('Username or email address it signs in with').fill(login.username);
    await task.getByLabel(/^Password\b/).fill(login.password);
    await task.getByLabel('The password again').fill(login.password);
    await task.getByLabel('Recovery email address or phone number').fill(login.recoveryContact);
    await tick(task.getByRole('radio', { name: 'Yes', exact: true }));
    await task.getByLabel('Who holds the second factor').fill(login.twoFactorHolder);
    const recorded = await post(task, recordButton);
    expect(recorded.status()).toBe(200);
    await task.getByRole('heading', { level: 2, name: 'Confirm it works' }).waitFor();
    expect(await task.locator('#error-summary').count()).toBe(0);
    expect(await text(fact(task, 'Credential'))).toBe('Recorded, not yet confirmed');
    expect(await task.content()).not.toContain(login.password);

    await tick(task.getByRole('checkbox', { name: `I signed in to ${label} with it` }));
    const confirmed = await post(task, task.getByRole('button', { name: 'Confirm', exact: true }));
    expect(confirmed.status()).toBe(200);
    const notice = task.getByRole('status').filter({ hasText: 'Confirmed:' });
    await notice.waitFor();
    expect(await text(notice)).toContain(`Confirmed: it is the current credential of ${label}.`);
    expect(await text(fact(task, 'Credential'))).toBe('On file and confirmed');
    expect(await text(fact(task, 'Two-factor sign-in'))).toBe(`on, held by ${login.twoFactorHolder}`);
    expect(await text(fact(task, 'Confirmed'))).toMatch(/^Ana Gallegos, /);
    expect(await task.getByRole('heading', { level: 2, name: 'Confirm it works' }).count()).toBe(0);
    // 4. The page after confirmation never carries the password.
    expect(await task.content()).not.toContain(login.password);
    expect(await confirmed.text()).not.toContain(login.password);
    await everyWidth(task, 'the credential page after confirmation', 'credential-confirmed');

    // 2. The Coordinator views it: without a reason, refused with the form's error summary focused.
    const coordinator = await person();
    await signIn(coordinator, { personId: 'E502' }, credentialPath);
    await coordinator.getByRole('heading', { level: 2, name: 'View the login' }).waitFor();
    expect(await coordinator.locator('#revealed, #credential-password').count()).toBe(0);
    expect(await coordinator.content()).not.toContain(login.password);
    const viewButton = coordinator.getByRole('button', { name: 'View the login', exact: true });
    const refused = await post(coordinator, viewButton);
    expect(refused.status()).toBe(403);
    await coordinator.locator('#error-summary').waitFor();
    expect(await focusedId(coordinator)).toBe('error-summary');
    expect(await summaryTargets(coordinator)).toEqual(['#reason']);
    expect(await coordinator.locator('#revealed, #credential-password').count()).toBe(0);
    expect(await refused.text()).not.toContain(login.password);

    const reason = 'Emergency post during the Bosque fire';
    await coordinator.getByLabel('Why do you need it?').fill(reason);
    const shown = await post(coordinator, viewButton);
    expect(shown.status()).toBe(200);
    const card = coordinator.locator('#revealed');
    await card.waitFor();
    expect(await text(coordinator.locator('#credential-password'))).toBe(login.password);
    expect(await text(card.locator('dt', { hasText: /^Username$/ }).locator('xpath=following-sibling::dd[1]'))).toBe(login.username);
    const views = coordinator.locator('table').filter({ has: coordinator.locator('caption', { hasText: 'Views of the login' }) });
    expect(await text(views.locator('tbody tr').first().locator('td[data-label="Reason"]'))).toBe(reason);
    await everyWidth(coordinator, 'the Coordinator’s revealed login', 'credential-revealed');

    // DTI's list, after: the account passes, so it is no longer listed as failing.
    await dti.goto(`${e2e.stack.baseUrl}/credentials`);
    await dti.getByRole('heading', { level: 1, name: 'Credentials on file' }).waitFor();
    expect(await dti.getByRole('link', { name: label, exact: true }).count()).toBe(0);
    await everyWidth(dti, 'the credentials overview after confirmation');
  });

  it('ran every page under the CSP without a refusal', () => {
    expect(csp.refusals).toEqual([]);
  });
});
