import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserTests, grantLines, results, squash, text, tick } from '../support/e2e.ts';
import { approvedAccount, as, mailbox } from '../support/harness.ts';

/**
 * Posting authority (B) as people do it, in a real browser against the real local stack: an
 * employee finds the account in the registry and asks to post for it, the department director
 * opens the email in the SES emulator's mailbox viewer and approves, and the registry shows the grant.
 */

const e2e = browserTests();
const { newPerson, signIn, openFromMailbox } = e2e;

/** From the registry to one account's page, by its row's link; returns that page's active grants, one line each. */
async function accountGrants(page: Page, handle: string): Promise<string[]> {
  await page.goto(`${e2e.stack.baseUrl}/accounts`);
  await page.getByRole('heading', { name: 'Registry of City social media accounts' }).waitFor();
  await page
    .locator('tbody tr')
    .filter({ hasText: handle })
    .getByRole('link', { name: `Instagram ${handle}` })
    .click();
  await page.getByRole('heading', { level: 1, name: `Instagram ${handle}` }).waitFor();
  return grantLines(page);
}

/** A Parks account with Ana Gallegos as its only admin, made by an approved new-account request. */
async function parksAccount(): Promise<{ accountId: string; handle: string }> {
  const accountId = await approvedAccount(e2e.stack, 'E102', { adminIds: ['E102'] });
  const registry = (await (await as(e2e.stack, 'E102').get('/accounts')).json()) as { accounts: { accountId: string; handle: string }[] };
  const handle = registry.accounts.find((a) => a.accountId === accountId)?.handle;
  if (!handle) throw new Error(`${accountId} is not in the registry`);
  return { accountId, handle };
}

async function storedCount() {
  const scan = await e2e.stack.client.send(new ScanCommand({ TableName: e2e.stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(e2e.stack)).length };
}

describe('posting authority, in the browser', () => {
  it('is requested from the registry, approved by the director from her email, and shown on the registry', async () => {
    const { handle } = await parksAccount();
    const title = `Posting authority for Tom Sandoval on Instagram ${handle} (poster, receives the shared credential)`;

    const tom = await newPerson();
    await signIn(tom, { label: 'Tom Sandoval — Recreation Program Manager (PRD)' }, '/accounts');
    expect(await accountGrants(tom, handle)).toContain('Ana Gallegos (authorized by Dolores Baca) admin, shared credential');
    await tom.getByRole('link', { name: 'Request posting authority' }).click();

    await tom.getByRole('heading', { name: 'Request posting authority' }).waitFor();
    // The account's summary: what it is, and who posts for it now.
    expect((await tom.locator('dd').allTextContents()).map(squash)).toEqual([
      `Instagram ${handle}`,
      'Parks and Recreation',
      'Ana Gallegos (authorized by Dolores Baca) admin, shared credential',
    ]);
    const person = tom.getByRole('combobox', { name: /^Person/ });
    // The person field opens with the requester: their City email, which the server resolves exactly.
    expect(await person.inputValue()).toBe('tsandoval@cabq.example');
    await tick(tom.getByRole('radio', { name: /^Poster/ }));
    await tick(tom.getByRole('checkbox', { name: /Receives the account's shared credential/ }));
    await tom.getByRole('textbox', { name: /^Reason/ }).fill('I run the summer programs and post their schedules and closures.');
    await tom.screenshot({ path: join(results, 'e2e-posting-authority-form.png'), fullPage: true });
    await tom.getByRole('button', { name: 'Ask the director' }).click();

    await tom.waitForURL(/\/requests\/pa-[^/?]+\?submitted=1$/);
    const requestId = decodeURIComponent(new URL(tom.url()).pathname.split('/').pop() ?? '');
    const heading = tom.getByRole('heading', { level: 1 });
    expect(await text(heading)).toBe(`${title} pending`);

    const dolores = await newPerson();
    const { opened: approval } = await openFromMailbox(dolores, { to: 'dbaca@cabq.example', subject: `Decision needed: ${title}`, link: 'Review and decide' });
    await approval.getByRole('heading', { name: /posting authority for Tom Sandoval/ }).waitFor();
    expect(await text(approval.locator('main'))).toContain('Dolores Baca, your decision is requested.');
    const facts = (await approval.locator('dd').allTextContents()).map(squash);
    expect(facts).toContain('Poster (posts for the account)');
    expect(facts).toContain('Receives the shared credential (from DTI, O.b)');
    expect(facts).toContain('I run the summer programs and post their schedules and closures.');
    await approval.screenshot({ path: join(results, 'e2e-posting-authority-approval.png'), fullPage: true });
    await approval.getByRole('button', { name: 'Approve', exact: true }).click();
    // Approving is final: the page asks once more before anything is recorded.
    await approval.getByRole('heading', { name: 'Approve this request?' }).waitFor();
    await approval.getByRole('button', { name: 'Yes, approve' }).click();
    await approval.getByRole('heading', { name: 'Thank you, Dolores Baca' }).waitFor();

    expect((await e2e.stack.sfn.result(requestId))?.status).toBe('SUCCEEDED');
    await tom.goto(`${e2e.stack.baseUrl}/requests/${requestId}`);
    expect(await text(tom.getByRole('heading', { level: 1 }).locator('.app-status'))).toBe('approved');

    const grantsAfter = await accountGrants(tom, handle);
    expect(grantsAfter).toContain('Tom Sandoval (authorized by Dolores Baca) poster, shared credential');
    expect(grantsAfter).toContain('Ana Gallegos (authorized by Dolores Baca) admin, shared credential');
    await tom.screenshot({ path: join(results, 'e2e-posting-authority-registry.png'), fullPage: true });
  });

  it('marks a too-short reason on the form, keeps what was chosen, and stores nothing', async () => {
    const { accountId } = await parksAccount();
    const ana = await newPerson();
    await signIn(ana, { label: 'Ana Gallegos — Marketing Coordinator (PRD)' }, '/accounts');
    await ana.goto(`${e2e.stack.baseUrl}/accounts/${accountId}/authority/new`);
    await ana.getByRole('combobox', { name: /^Person/ }).fill('iromero@cabq.example');
    await tick(ana.getByRole('radio', { name: /^Admin/ }));
    await ana.getByRole('textbox', { name: /^Reason/ }).fill('Events');
    const before = await storedCount();

    await ana.getByRole('button', { name: 'Ask the director' }).click();

    await ana.getByRole('alert').waitFor();
    expect(await text(ana.getByRole('alert'))).toContain('There is a problem');
    // The summary links the error to its field and has the focus.
    expect(await ana.locator('#error-summary a').getAttribute('href')).toBe('#reason');
    expect(await ana.locator('#error-summary:focus').count()).toBe(1);
    expect(await ana.locator('#reason').getAttribute('aria-invalid')).toBe('true');
    expect(await ana.locator('#reason').getAttribute('aria-describedby')).toBe('reason-error reason-hint');
    expect(await text(ana.locator('#reason-error'))).toContain('at least 10 characters');
    expect(await ana.locator('[aria-invalid=true]').count()).toBe(1);
    expect(await ana.getByRole('combobox', { name: /^Person/ }).inputValue()).toBe('iromero@cabq.example');
    expect(await ana.getByRole('radio', { name: /^Admin/ }).isChecked()).toBe(true);
    expect(await ana.getByRole('textbox', { name: /^Reason/ }).inputValue()).toBe('Events');
    // The error page is the event that settles it: the handler answers only after storing a request
    // and starting its execution, and mail is only ever sent by an execution.
    expect(await storedCount()).toEqual(before);
  });
});
