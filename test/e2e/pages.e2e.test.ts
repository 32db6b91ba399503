import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserTests, squash } from '../support/e2e.ts';
import { checkPage, cspWatch, focusedId } from '../support/page-checks.ts';
import { approvalLinkIn, submit, waitForEmail, waitUntilWaiting } from '../support/harness.ts';
import { grantFor, hire, seedAccounts, separate, taskLinkFor } from '../support/offboarding.ts';

/**
 * Every page type, as people meet them in Chromium at a desk (1280 px) and on a phone (390 px):
 * axe-core finds no accessibility violation, nothing is wider than the screen, the pages' CSP
 * refuses nothing the app itself sends, and the main pages are photographed for the README
 * (docs/screenshots). Then what the everyday surface promises: My work shows a director's pending
 * decision and drops it once decided, the navigation differs by role, sign-out works, a form's error
 * summary takes focus and links to its fields, and the registry finds and pages through 500 accounts.
 */

const e2e = browserTests();
const { newPerson, signIn } = e2e;

const csp = cspWatch();
const cspRefusals = csp.refusals;

async function person(): Promise<Page> {
  return csp.watch(await newPerson());
}

const navLabels = async (page: Page) => (await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).map(squash);

describe('every page, at a desk and on a phone', () => {
  it('walks a new-account decision from My work, and every page on the way is accessible and fits a phone', async () => {
    const requestId = await submit(e2e.stack, 'E102');
    const link = approvalLinkIn(await waitForEmail(e2e.stack, (e) => e.subject.startsWith('Decision needed') && e.text.includes(requestId)));
    await waitUntilWaiting(e2e.stack, requestId);

    const director = await person();
    await signIn(director, { personId: 'E100' }, '/');
    const row = director.getByRole('row').filter({ hasText: 'Ana Gallegos' });
    await row.first().waitFor();
    await checkPage(director, 'My work with a pending decision', 'my-work');

    await Promise.all([
      director.waitForURL(new RegExp(`/approvals/${link.approvalId}\\?s=`)),
      row.first().getByRole('link', { name: 'Review and decide' }).click(),
    ]);
    await checkPage(director, 'the approval page', 'approval');

    // Reject without a reason: the page comes back with the error summary at the top, focused.
    await director.getByRole('button', { name: 'Reject' }).click();
    await director.locator('#error-summary').waitFor();
    expect(await focusedId(director)).toBe('error-summary');
    expect(await director.locator('#error-summary a').first().getAttribute('href')).toBe('#reason');
    await checkPage(director, 'the approval page with an error');

    // Approve: a final decision, recorded once.
    await director.getByRole('button', { name: 'Approve' }).click();
    const confirm = director.getByRole('button', { name: /^Yes, approve/ });
    if (await confirm.count()) await confirm.click();
    await director.getByText('is recorded').first().waitFor();
    await checkPage(director, 'the decision recorded page');

    await director.goto(`${e2e.stack.baseUrl}/`);
    await director.getByRole('heading', { level: 1, name: 'My work' }).waitFor();
    expect(await director.getByRole('row').filter({ hasText: 'Ana Gallegos' }).count()).toBe(0);

    const requester = await person();
    await signIn(requester, { personId: 'E102' }, '/requests');
    await checkPage(requester, 'My requests');
    await requester.goto(`${e2e.stack.baseUrl}/requests/${requestId}`);
    await checkPage(requester, 'the request page', 'request');
    await requester.goto(`${e2e.stack.baseUrl}/`);
    await checkPage(requester, 'My work for a requester');
  });

  it('has forms whose error summary takes focus and links to each field', async () => {
    const page = await person();
    await signIn(page, { personId: 'E102' }, '/requests/new');
    await checkPage(page, 'the new-account form', 'new-account-form');
    await page.getByRole('button', { name: /^Submit/ }).click();
    await page.locator('#error-summary').waitFor();
    expect(await focusedId(page)).toBe('error-summary');
    const targets = await page.locator('#error-summary a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    expect(targets.length).toBeGreaterThan(2);
    for (const target of targets) expect(await page.locator(target).count(), `${target} is a field on the page`).toBe(1);
    await checkPage(page, 'the new-account form with errors');
  });

  it('gives DTI the directory pages, accessibly, with a form whose error summary takes focus', async () => {
    const dti = await person();
    await signIn(dti, { personId: 'E400' }, '/directory');
    await checkPage(dti, 'the directory overview');
    for (const [path, name] of [
      ['/directory/departments', 'the departments list'],
      ['/directory/roles', 'the City-wide roles'],
      ['/directory/roles/COMMUNICATIONS_COORDINATOR', 'a role’s page'],
      ['/directory/people?q=gal', 'a people search'],
      ['/directory/people/E102', 'a person’s page (HR’s, read only)'],
      ['/directory/departments/PRD', 'a department’s page'],
    ] as const) {
      await dti.goto(`${e2e.stack.baseUrl}${path}`);
      await checkPage(dti, name);
    }
    // Someone not in the directory as the director: the page again, its error summary focused, linking to the field.
    await dti.locator('#director').fill('nobody@cabq.example');
    await dti.getByRole('button', { name: 'Save the change' }).click();
    await dti.locator('#error-summary').waitFor();
    expect(await focusedId(dti)).toBe('error-summary');
    expect(await dti.locator('#error-summary a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual(['#director']);
    await checkPage(dti, 'a department’s form with an error');
  });

  it('finds an account by handle among 500 and pages through them, with its own page and the forms it offers', async () => {
    const admin = await hire(e2e.stack, 'LIB', 'Registry Admin');
    const seeded = await seedAccounts(e2e.stack, 500, [grantFor(admin)], { code: 'LIB', name: 'Albuquerque Public Library' });
    const tag = (seeded[0]?.handle ?? '').replace(/^@seed/, '').replace(/0$/, '');
    const page = await person();
    await signIn(page, { personId: admin.id }, '/accounts');
    await checkPage(page, 'the registry', 'registry');

    const wanted = seeded[137]?.handle ?? '';
    await page.getByRole('searchbox', { name: 'Handle starts with' }).fill(wanted);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: `Facebook ${wanted}`, exact: true }).waitFor();
    expect(await page.getByRole('link', { name: /^Facebook @seed/ }).count()).toBe(1);

    // Every seeded account, once, page by page.
    await page.goto(`${e2e.stack.baseUrl}/accounts?department=LIB&q=${encodeURIComponent(`@seed${tag}`)}`);
    const seen = new Set<string>();
    for (let pages = 0; pages < 40; pages++) {
      for (const handle of await page.getByRole('link', { name: /^Facebook @seed/ }).allTextContents()) seen.add(squash(handle));
      const next = page.getByRole('link', { name: 'Next page' });
      if ((await next.count()) === 0) break;
      await next.first().click();
      await page.waitForLoadState();
    }
    expect(seen.size).toBe(500);

    await page.goto(`${e2e.stack.baseUrl}/accounts/${seeded[137]?.accountId}`);
    await checkPage(page, 'an account page', 'account');
    for (const name of [/posting authority/i, /post removal/i, /correction/i]) {
      const action = page.getByRole('link', { name }).first();
      await action.click();
      await page.waitForLoadState();
      await checkPage(page, `the form behind "${name.source}"`);
      await page.goBack();
    }
  });

  it('shows each role its own navigation, refuses with a page that keeps it, and signs out', async () => {
    const employee = await person();
    await signIn(employee, { personId: 'E102' }, '/');
    expect(await navLabels(employee)).toEqual(['My work', 'New account', 'My requests', 'Registry']);
    await employee.goto(`${e2e.stack.baseUrl}/offboardings`);
    await checkPage(employee, 'a refusal (403)');
    expect(await navLabels(employee)).toEqual(['My work', 'New account', 'My requests', 'Registry']);
    await employee.goto(`${e2e.stack.baseUrl}/no/such/page`);
    await employee.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await checkPage(employee, 'a page that does not exist (404)');
    await employee.goto(`${e2e.stack.baseUrl}/guidelines`);
    await checkPage(employee, 'the comment guidelines');

    const dti = await person();
    await signIn(dti, { personId: 'E400' }, '/offboardings');
    expect(await navLabels(dti)).toEqual([
      'My work',
      'New account',
      'My requests',
      'Registry',
      'Platforms',
      'Directory',
      'Annual reviews',
      'Credentials',
      'Offboardings',
      'Records export',
    ]);
    await checkPage(dti, 'the offboardings list');
    await dti.goto(`${e2e.stack.baseUrl}/records/export`);
    await checkPage(dti, 'the records export form');

    const clerk = await person();
    await signIn(clerk, { personId: 'E600' }, '/');
    expect(await navLabels(clerk)).toContain('Records export');

    const apd = await person();
    await signIn(apd, { personId: 'E310' }, '/');
    expect(await navLabels(apd)).toContain('APD accounts');

    // Sign out (from a signed-in page: public pages such as the guidelines know nobody): the session
    // ends, and the next page asks who you are.
    await employee.goto(`${e2e.stack.baseUrl}/`);
    await employee.getByRole('button', { name: 'Sign out' }).click();
    await employee.getByRole('heading', { level: 1, name: 'You are signed out' }).waitFor();
    await checkPage(employee, 'the signed-out page');
    await employee.goto(`${e2e.stack.baseUrl}/`);
    await employee.waitForURL('**/dev/sign-in?next=%2F');
    await checkPage(employee, 'the development sign-in');
  });

  it('shows an offboarding’s task and record accessibly', async () => {
    const leaver = await hire(e2e.stack, 'LIB', 'Leaving Soon');
    const stayer = await hire(e2e.stack, 'LIB', 'Staying On');
    const [account] = await seedAccounts(e2e.stack, 1, [grantFor(leaver), grantFor(stayer)], { code: 'LIB', name: 'Albuquerque Public Library' });
    const put = await separate(e2e.stack, leaver.id);
    const offboardingId = String(put.body.offboardingId);
    const link = await taskLinkFor(e2e.stack, stayer.email, account?.handle ?? '');

    const page = await person();
    await signIn(page, { personId: stayer.id }, '/');
    await page.getByRole('link', { name: 'Open the task' }).first().waitFor();
    await checkPage(page, 'My work with an offboarding task');
    await Promise.all([page.waitForURL(new RegExp(`/tasks/${link.taskId}\\?s=`)), page.getByRole('link', { name: 'Open the task' }).first().click()]);
    await checkPage(page, 'the password change task', 'offboarding-task');

    const dti = await person();
    await signIn(dti, { personId: 'E400' }, `/offboardings/${offboardingId}`);
    await checkPage(dti, 'the offboarding record', 'offboarding-record');
  });

  it('ran every page under the CSP without a refusal', () => {
    expect(cspRefusals).toEqual([]);
  });
});
