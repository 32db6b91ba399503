import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserTests, grantLines, results, squash, text, tick } from '../support/e2e.ts';
import { mailbox } from '../support/harness.ts';

/**
 * The new-account approval as people do it, in a real browser against the real local stack:
 * the requester fills in the form, each approver opens the email in the SES emulator's mailbox
 * viewer and follows its link, and DTI's registry shows the account and who authorized its admins.
 */

const e2e = browserTests();
const { newPerson, signIn, openFromMailbox } = e2e;

interface FormInput {
  handle: string;
  purpose: string;
}

async function fillForm(page: Page, input: FormInput) {
  await page.goto(`${e2e.stack.baseUrl}/requests/new`);
  await page.getByRole('heading', { name: 'New Social Media form' }).waitFor();
  expect(await page.getByRole('combobox', { name: /^Department/ }).inputValue()).toBe('PRD');
  await page.getByRole('combobox', { name: /^Platform/ }).selectOption({ label: 'Instagram' });
  await page.getByRole('textbox', { name: /^Proposed handle/ }).fill(input.handle);
  await page.getByRole('textbox', { name: /^Purpose and strategy/ }).fill(input.purpose);
  await page.getByRole('textbox', { name: /^Audience/ }).fill('Residents, families and park visitors across Albuquerque');
  await page
    .getByRole('textbox', { name: /^Risk assessment/ })
    .fill('Off-topic or abusive comments and impersonation; moderated daily under rule K, escalations go to the Communications Director.');
  // The admins by City email (the picker's datalist offers the same when the script runs).
  const admins = page.getByRole('group', { name: 'Proposed administrators' });
  await admins.getByRole('combobox', { name: /^First administrator/ }).fill('agallegos@cabq.example');
  await admins.getByRole('combobox', { name: /^Second administrator/ }).fill('tsandoval@cabq.example');
  const checklist = page.getByRole('group', { name: /Official City site checklist/ }).getByRole('checkbox');
  expect(await checklist.count()).toBe(5);
  for (const item of await checklist.all()) await tick(item);
}

/** Everything the app has stored: the table's item count (consistent), and the mail sent. */
async function storedCounts() {
  const scan = await e2e.stack.client.send(new ScanCommand({ TableName: e2e.stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(e2e.stack)).length };
}

async function registryRows(page: Page): Promise<string[]> {
  await page.goto(`${e2e.stack.baseUrl}/accounts`);
  await page.getByRole('heading', { name: 'Registry of City social media accounts' }).waitFor();
  return (await page.locator('tbody tr').allTextContents()).map(squash);
}

/** An approver's "Decision needed" email, and its link to the decision page. */
const decisionEmail = (to: string) => ({ to, subject: { startsWith: 'Decision needed' }, link: 'Review and decide' });

async function approve(page: Page, approverName: string, screenshot?: string) {
  await page.getByRole('heading', { name: /new Instagram account/ }).waitFor();
  expect(await text(page.locator('main'))).toContain(`${approverName}, your decision is requested.`);
  if (screenshot) await page.screenshot({ path: join(results, screenshot), fullPage: true });
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  // Approving is final: the page asks once more before anything is recorded.
  await page.getByRole('heading', { name: 'Approve this request?' }).waitFor();
  await page.getByRole('button', { name: 'Yes, approve' }).click();
  await page.getByRole('heading', { name: `Thank you, ${approverName}` }).waitFor();
  expect(await page.title()).toMatch(/^Decision recorded/);
  expect(await text(page.getByRole('status'))).toMatch(/Your decision \(approved\) on request .+ is recorded\./);
}

describe('new social media account, in the browser', () => {
  it('is requested, approved from both emails, and listed in the registry with its admins', async () => {
    const handle = `@ABQParks${randomBytes(3).toString('hex')}`;

    const ana = await newPerson();
    await signIn(ana, { label: 'Ana Gallegos — Marketing Coordinator (PRD)' }, '/requests/new');
    await fillForm(ana, { handle, purpose: 'Share park events, closures and volunteer days with residents of every district.' });
    await ana.screenshot({ path: join(results, 'e2e-new-account-form.png'), fullPage: true });
    await ana.getByRole('button', { name: 'Submit for approval' }).click();

    await ana.waitForURL(/\/requests\/[^/?]+\?submitted=1$/);
    const requestId = decodeURIComponent(new URL(ana.url()).pathname.split('/').pop() ?? '');
    expect(await text(ana.getByRole('status'))).toContain('Your request is submitted');
    const heading = ana.getByRole('heading', { level: 1 });
    expect(await text(heading)).toContain(`New Instagram account ${handle}`);
    expect(await text(heading.locator('.app-status'))).toBe('pending');
    await ana.screenshot({ path: join(results, 'e2e-request-pending.png'), fullPage: true });

    // The department director, at her own computer, from her email.
    const dolores = await newPerson();
    await approve((await openFromMailbox(dolores, decisionEmail('dbaca@cabq.example'))).opened, 'Dolores Baca', 'e2e-approval-page.png');

    // Then the Communications Director, from hers (sent only once the director has approved).
    const elena = await newPerson();
    await approve((await openFromMailbox(elena, decisionEmail('emartinez@cabq.example'))).opened, 'Elena Martinez');

    // The workflow records the outcome in the background; wait for it as the harness does.
    expect((await e2e.stack.sfn.result(requestId))?.status).toBe('SUCCEEDED');

    await ana.goto(`${e2e.stack.baseUrl}/requests/${requestId}`);
    expect(await text(ana.getByRole('heading', { level: 1 }).locator('.app-status'))).toBe('approved');

    // DTI's view of the registry (O.b).
    const samuel = await newPerson();
    await signIn(samuel, { label: 'Samuel Ortiz — Chief Information Officer (DTI)' }, '/requests/new');
    const rows = (await registryRows(samuel)).filter((r) => r.includes(handle));
    expect(rows).toHaveLength(1);
    const row = rows[0] ?? '';
    expect(row).toContain('Instagram');
    expect(row).toContain('Parks and Recreation');
    expect(row).toContain('active');
    await samuel.screenshot({ path: join(results, 'e2e-registry.png'), fullPage: true });
    // The row links to the account's page, which lists its admins and who authorized them (B).
    await samuel
      .locator('tbody tr')
      .filter({ hasText: handle })
      .getByRole('link', { name: `Instagram ${handle}` })
      .click();
    await samuel.waitForURL(`**/accounts/${encodeURIComponent(`acct-${requestId.replace(/^na-/, '')}`)}`);
    await samuel.getByRole('heading', { level: 1, name: `Instagram ${handle}` }).waitFor();
    const grants = await grantLines(samuel);
    expect(grants).toHaveLength(2);
    expect(grants.find((g) => g.startsWith('Ana Gallegos '))).toContain('Ana Gallegos (authorized by Dolores Baca)');
    expect(grants.find((g) => g.startsWith('Tom Sandoval '))).toContain('Tom Sandoval (authorized by Dolores Baca)');
    await samuel.screenshot({ path: join(results, 'e2e-registry-account.png'), fullPage: true });
  });

  it('shows a field error for a purpose that is too short, and stores nothing', async () => {
    const handle = `@ABQShort${randomBytes(3).toString('hex')}`;
    const ana = await newPerson();
    await signIn(ana, { label: 'Ana Gallegos — Marketing Coordinator (PRD)' }, '/requests/new');
    const registryBefore = await registryRows(ana);
    await fillForm(ana, { handle, purpose: 'Park news.' });
    const before = await storedCounts();

    await ana.getByRole('button', { name: 'Submit for approval' }).click();

    await ana.getByRole('alert').waitFor();
    expect(await text(ana.getByRole('alert'))).toContain('There is a problem');
    // The summary links the error to its field and has the focus.
    expect(await ana.locator('#error-summary a').getAttribute('href')).toBe('#purpose');
    expect(await ana.locator('#error-summary:focus').count()).toBe(1);
    const purposeError = ana.locator('#purpose-error');
    expect(await purposeError.isVisible()).toBe(true);
    expect(await text(purposeError)).toContain('describe the purpose and strategy in at least 20 characters');
    expect(await ana.locator('.usa-error-message[id$="-error"]').count()).toBe(1);
    // The field itself is marked, and points screen readers at its message.
    expect(await ana.locator('#purpose').getAttribute('aria-invalid')).toBe('true');
    expect(await ana.locator('#purpose').getAttribute('aria-describedby')).toBe('purpose-error purpose-hint');
    expect(await ana.locator('[aria-invalid=true]').count()).toBe(1);
    // What she typed is kept for her to correct.
    expect(await ana.getByRole('textbox', { name: /^Proposed handle/ }).inputValue()).toBe(handle);
    // The admins come back as their emails, resolved.
    expect(await ana.getByRole('combobox', { name: /^Second administrator/ }).inputValue()).toBe('tsandoval@cabq.example');
    expect(await ana.getByRole('textbox', { name: /^Purpose and strategy/ }).inputValue()).toBe('Park news.');
    await ana.screenshot({ path: join(results, 'e2e-new-account-form-error.png'), fullPage: true });

    // Nothing stored, nobody emailed, the registry unchanged. The error page is the event that
    // settles it: the handler answers only after storing a request and starting its execution, and
    // mail is only ever sent by an execution, so nothing of this submission can still be on its way.
    expect(await storedCounts()).toEqual(before);
    expect(await registryRows(ana)).toEqual(registryBefore);
  });
});
