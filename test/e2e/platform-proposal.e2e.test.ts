import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserTests, text } from '../support/e2e.ts';
import { mailbox } from '../support/harness.ts';
import { denverToday } from '../support/offboarding.ts';
import { checkPage, cspWatch, focusedId } from '../support/page-checks.ts';

/**
 * A new platform (O.a) as people do it, in a real browser against the real local stack: an
 * employee finds "Propose a platform" on DTI's list, fixes what the form marks and sends it; DTI's
 * director opens the email in the SES emulator's mailbox viewer and approves; the list shows the
 * platform, incomplete until its P documents are recorded. Every page on the way passes axe, fits
 * a desk and a phone, and reflows at 320 px.
 */

const e2e = browserTests();
const { newPerson, signIn, openFromMailbox } = e2e;
const csp = cspWatch();

/** WCAG 1.4.10 reflow: at 320 CSS px nothing scrolls sideways. */
async function reflowsAt320(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 320, height: 900 });
  const size = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })')) as {
    scroll: number;
    client: number;
  };
  expect(size.scroll, `${name} is wider than 320 px`).toBeLessThanOrEqual(size.client);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function storedCount() {
  const scan = await e2e.stack.client.send(new ScanCommand({ TableName: e2e.stack.tableName, Select: 'COUNT', ConsistentRead: true }));
  return { items: scan.Count, emails: (await mailbox(e2e.stack)).length };
}

describe('a new platform, in the browser', () => {
  it('is proposed from the platforms list, approved by the DTI director from his email, and listed incomplete', async () => {
    const tom = csp.watch(await newPerson());
    await signIn(tom, { label: 'Tom Sandoval — Recreation Program Manager (PRD)' }, '/platforms');
    await tom.getByRole('link', { name: 'Propose a platform' }).click();
    await tom.getByRole('heading', { level: 1, name: 'Propose a platform for the approved list' }).waitFor();
    await checkPage(tom, 'the new-platform form');
    await reflowsAt320(tom, 'the new-platform form');

    await tom.getByRole('textbox', { name: /^Platform name/ }).fill('Threads');
    await tom.getByRole('textbox', { name: /^Site/ }).fill('threads.net');
    await tom.getByRole('textbox', { name: /^What it is/ }).fill('A text-first social network run by Meta, linked to Instagram accounts.');
    await tom.getByRole('textbox', { name: /^Why your department wants it/ }).fill('Our Instagram followers are moving there for event updates.');
    await tom.getByRole('textbox', { name: /^Address/ }).fill('https://help.instagram.com/769983657850450');
    await tom.getByLabel(/^Read on/).fill(denverToday());
    const before = await storedCount();
    await tom.getByRole('button', { name: 'Send to DTI' }).click();

    // A bad address: the summary takes the focus, links to the field, and nothing was stored.
    await tom.locator('#error-summary').waitFor();
    expect(await focusedId(tom)).toBe('error-summary');
    expect(await text(tom.locator('#error-summary'))).toBe(
      'There is a problem give the platform’s site as an https:// address, for example https://www.threads.net',
    );
    expect(await tom.locator('#error-summary a').getAttribute('href')).toBe('#siteUrl');
    expect(await tom.locator('#siteUrl').getAttribute('aria-invalid')).toBe('true');
    expect(await tom.locator('[aria-invalid=true]').count()).toBe(1);
    expect(await tom.getByRole('textbox', { name: /^Platform name/ }).inputValue()).toBe('Threads');
    expect(await storedCount()).toEqual(before);
    await checkPage(tom, 'the new-platform form with an error');
    await reflowsAt320(tom, 'the new-platform form with an error');

    await tom.getByRole('textbox', { name: /^Site/ }).fill('https://www.threads.net');
    await tom.getByRole('button', { name: 'Send to DTI' }).click();
    await tom.waitForURL(/\/requests\/pp-[^/?]+\?submitted=1$/);
    const requestId = decodeURIComponent(new URL(tom.url()).pathname.split('/').pop() ?? '');
    expect(await text(tom.getByRole('heading', { level: 1 }))).toBe('New platform Threads pending');

    const samuel = csp.watch(await newPerson());
    const { opened } = await openFromMailbox(samuel, {
      to: 'sortiz@cabq.example',
      subject: 'Decision needed: New platform Threads for Parks and Recreation',
      link: 'Review and decide',
    });
    const approval = csp.watch(opened);
    await approval.getByRole('heading', { level: 1, name: /new platform Threads/i }).waitFor();
    expect(await text(approval.locator('main'))).toContain('Samuel Ortiz, your decision is requested.');
    await checkPage(approval, 'the new-platform decision page');
    await reflowsAt320(approval, 'the new-platform decision page');
    await approval.getByRole('button', { name: 'Approve', exact: true }).click();
    await approval.getByRole('heading', { name: 'Approve this request?' }).waitFor();
    await approval.getByRole('button', { name: 'Yes, approve' }).click();
    await approval.getByRole('heading', { name: 'Thank you, Samuel Ortiz' }).waitFor();
    expect((await e2e.stack.sfn.result(requestId))?.status).toBe('SUCCEEDED');

    await tom.goto(`${e2e.stack.baseUrl}/platforms`);
    const row = tom.locator('tbody tr').filter({ has: tom.getByRole('link', { name: 'Threads', exact: true }) });
    expect(await text(row.locator('td[data-label="Status"]'))).toBe('approved');
    expect(await text(row.locator('td[data-label="P documents"]'))).toBe(
      'Incomplete missing user guidelines, account-management standards and processes, branding standards',
    );
    await checkPage(tom, 'the platforms list with an incomplete platform');
    expect(csp.refusals).toEqual([]);
  });
});
