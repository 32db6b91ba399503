import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { launchBrowser } from '../support/browser.ts';
import { approvedAccount, as, mailbox, startTestStack, waitForEmail } from '../support/harness.ts';

/**
 * Posting authority (B) as people do it, in a real browser against the real local stack: an
 * employee finds the account in the registry and asks to post for it, the department director
 * opens the email in the SES emulator's mailbox viewer and approves, and the registry shows the grant.
 */

const results = 'test-results';
const timeout = 15_000;

let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(results, { recursive: true });
  const [started, launched] = await Promise.allSettled([startTestStack(), launchBrowser()]);
  if (started.status === 'fulfilled') stack = started.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const outcome of [started, launched]) if (outcome.status === 'rejected') throw outcome.reason;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const squash = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
const text = async (l: Locator) => squash(await l.textContent());

async function newPerson(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  context.setDefaultTimeout(timeout);
  return context.newPage();
}

/** Signs in through the development sign-in, as a bookmark to the registry would lead there. */
async function signIn(page: Page, optionLabel: string) {
  await page.goto(`${stack.baseUrl}/accounts`);
  await page.waitForURL('**/dev/sign-in?next=%2Faccounts');
  await page.getByLabel('Sign in as').selectOption({ label: optionLabel });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/accounts');
}

/** The registry row of one account, as its text reads. */
async function registryRow(page: Page, handle: string): Promise<Locator> {
  await page.goto(`${stack.baseUrl}/accounts`);
  await page.getByRole('heading', { name: 'Registry of City social media accounts' }).waitFor();
  return page.locator('tbody tr').filter({ hasText: handle });
}

/** A Parks account with Ana Gallegos as its only admin, made by an approved new-account request. */
async function parksAccount(): Promise<{ accountId: string; handle: string }> {
  const accountId = await approvedAccount(stack, 'E102', { adminIds: ['E102'] });
  const registry = (await (await as(stack, 'E102').get('/accounts')).json()) as { accounts: { accountId: string; handle: string }[] };
  const handle = registry.accounts.find((a) => a.accountId === accountId)?.handle;
  if (!handle) throw new Error(`${accountId} is not in the registry`);
  return { accountId, handle };
}

async function storedCount() {
  const scan = await stack.client.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(stack)).length };
}

/** Opens the director's email in the mailbox viewer and follows "Review and decide" in a new tab (see new-account.e2e.test.ts). */
async function openDecisionLinkFromMailbox(page: Page, to: string, subject: string): Promise<Page> {
  await waitForEmail(stack, (e) => e.to.includes(to) && e.subject === subject, timeout);
  await page.goto(`${stack.mailboxUrl}/`);
  const email = page
    .locator('.email')
    .filter({ hasText: `To: ${to}` })
    .filter({ hasText: `Subject: ${subject}` });
  await email.waitFor();
  await email.getByRole('button', { name: 'Toggle HTML view' }).click();
  const link = email.frameLocator('iframe').getByRole('link', { name: 'Review and decide' });
  await link.waitFor();
  const [approvalPage] = await Promise.all([page.context().waitForEvent('page'), link.click({ modifiers: ['ControlOrMeta'] })]);
  await approvalPage.waitForLoadState();
  return approvalPage;
}

describe('posting authority, in the browser', () => {
  it('is requested from the registry, approved by the director from her email, and shown on the registry', async () => {
    const { handle } = await parksAccount();
    const title = `Posting authority for Tom Sandoval on Instagram ${handle} (poster, receives the shared credential)`;

    const tom = await newPerson();
    await signIn(tom, 'Tom Sandoval — Recreation Program Manager (PRD)');
    const row = await registryRow(tom, handle);
    expect(await text(row)).toContain('Ana Gallegos (authorized by Dolores Baca) admin, shared credential');
    await row.getByRole('link', { name: 'Request posting authority' }).click();

    await tom.getByRole('heading', { name: 'Request posting authority' }).waitFor();
    // The account's summary: what it is, and who posts for it now.
    expect((await tom.locator('dd').allTextContents()).map(squash)).toEqual([
      `Instagram ${handle}`,
      'Parks and Recreation',
      'Ana Gallegos (authorized by Dolores Baca) admin, shared credential',
    ]);
    const person = tom.getByRole('combobox', { name: /^Person/ });
    expect(await person.inputValue()).toBe('E103');
    await tom.getByRole('radio', { name: /^Poster/ }).check();
    await tom.getByRole('checkbox', { name: /Receives the account's shared credential/ }).check();
    await tom.getByRole('textbox', { name: /^Reason/ }).fill('I run the summer programs and post their schedules and closures.');
    await tom.screenshot({ path: join(results, 'e2e-posting-authority-form.png'), fullPage: true });
    await tom.getByRole('button', { name: 'Ask the director' }).click();

    await tom.waitForURL(/\/requests\/pa-[^/?]+\?submitted=1$/);
    const requestId = decodeURIComponent(new URL(tom.url()).pathname.split('/').pop() ?? '');
    const heading = tom.getByRole('heading', { level: 1 });
    expect(await text(heading)).toBe(`${title} pending`);

    const dolores = await newPerson();
    const approval = await openDecisionLinkFromMailbox(dolores, 'dbaca@cabq.example', `Decision needed: ${title}`);
    await approval.getByRole('heading', { name: /posting authority for Tom Sandoval/ }).waitFor();
    expect(await text(approval.locator('main'))).toContain('Dolores Baca, your decision is requested.');
    const facts = (await approval.locator('dd').allTextContents()).map(squash);
    expect(facts).toContain('Poster (posts for the account)');
    expect(facts).toContain('Receives the shared credential (from DTI, O.b)');
    expect(facts).toContain('I run the summer programs and post their schedules and closures.');
    await approval.screenshot({ path: join(results, 'e2e-posting-authority-approval.png'), fullPage: true });
    await approval.getByRole('button', { name: 'Approve' }).click();
    await approval.getByRole('heading', { name: 'Thank you, Dolores Baca' }).waitFor();

    expect((await stack.sfn.result(requestId))?.status).toBe('SUCCEEDED');
    await tom.goto(`${stack.baseUrl}/requests/${requestId}`);
    expect(await text(tom.getByRole('heading', { level: 1 }).locator('.status'))).toBe('approved');

    const rowAfter = await text(await registryRow(tom, handle));
    expect(rowAfter).toContain('Tom Sandoval (authorized by Dolores Baca) poster, shared credential');
    expect(rowAfter).toContain('Ana Gallegos (authorized by Dolores Baca) admin, shared credential');
    await tom.screenshot({ path: join(results, 'e2e-posting-authority-registry.png'), fullPage: true });
  });

  it('marks a too-short reason on the form, keeps what was chosen, and stores nothing', async () => {
    const { accountId } = await parksAccount();
    const ana = await newPerson();
    await signIn(ana, 'Ana Gallegos — Marketing Coordinator (PRD)');
    await ana.goto(`${stack.baseUrl}/accounts/${accountId}/authority/new`);
    await ana.getByRole('combobox', { name: /^Person/ }).selectOption({ label: 'Isabel Romero — Outreach Librarian (LIB)' });
    await ana.getByRole('radio', { name: /^Admin/ }).check();
    await ana.getByRole('textbox', { name: /^Reason/ }).fill('Events');
    const before = await storedCount();

    await ana.getByRole('button', { name: 'Ask the director' }).click();

    await ana.getByRole('alert').waitFor();
    expect(await text(ana.getByRole('alert'))).toContain('Please fix the fields marked below.');
    expect(await ana.locator('#reason').getAttribute('aria-invalid')).toBe('true');
    expect(await ana.locator('#reason').getAttribute('aria-describedby')).toBe('reason-error');
    expect(await text(ana.locator('#reason-error'))).toContain('at least 10 characters');
    expect(await ana.locator('[aria-invalid=true]').count()).toBe(1);
    expect(await ana.getByRole('combobox', { name: /^Person/ }).inputValue()).toBe('E202');
    expect(await ana.getByRole('radio', { name: /^Admin/ }).isChecked()).toBe(true);
    expect(await ana.getByRole('textbox', { name: /^Reason/ }).inputValue()).toBe('Events');
    await new Promise((r) => setTimeout(r, 300));
    expect(await storedCount()).toEqual(before);
  });
});
