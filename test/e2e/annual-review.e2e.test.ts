import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserTests, squash, text, tick } from '../support/e2e.ts';
import { checkPage, cspWatch, focusedId } from '../support/page-checks.ts';
import { as, waitUntilWaiting } from '../support/harness.ts';
import { grantFor, type Hire, hire, seedAccounts } from '../support/offboarding.ts';
import { reviewWhen } from '../support/reviews.ts';

/**
 * A department's annual review as people do it, in Chromium against the real local stack: DTI
 * starts the review of Parks and Recreation from /reviews (a second click starts nothing and says
 * so), the director finds it on My work, is told what is missing when she submits too early, answers
 * every question and revokes a poster, saves, confirms the one change and submits; the grant is
 * revoked, and DTI's report shows the department submitted with the change applied, printable
 * without the navigation. Every page on the way passes axe at a desk and on a phone and fits the
 * screen; the director's page, the confirmation and the report are photographed for the README.
 */

const e2e = browserTests();
const { newPerson, signIn } = e2e;

const parks = { code: 'PRD', name: 'Parks and Recreation' };
const year = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', year: 'numeric' }).format(new Date()));
const reviewId = `${year}-${parks.code}`;
const title = `${year} annual review (${parks.code})`;

const csp = cspWatch();
const cspRefusals = csp.refusals;

async function person(): Promise<Page> {
  return csp.watch(await newPerson());
}

/** The value beside a label in the page's first list of facts (USWDS-styled `dl.app-facts`). */
const fact = (scope: Page | ReturnType<Page['locator']>, label: string) =>
  text(
    scope
      .locator('dl.app-facts')
      .first()
      .locator('dt', { hasText: new RegExp(`^${label}$`) })
      .locator('xpath=following-sibling::dd[1]'),
  );

/** A radio's id, as the answer page names it: the field with its dots as dashes, then the value. */
const radio = (page: Page, field: string, value: 'yes' | 'no') => page.locator(`#${field.replaceAll('.', '-')}-${value}`);

/** Shared by the steps below, in order: the account under review, its poster, and DTI's browser. */
let accountId = '';
let poster: Hire;
let dti: Page;

describe('a department’s annual review, in the browser', () => {
  it('has DTI start the review of one department from /reviews, and a second start shows the one running', async () => {
    poster = await hire(e2e.stack, parks.code, 'Seasonal Poster');
    const [account] = await seedAccounts(
      e2e.stack,
      1,
      [{ personId: 'E102', role: 'ADMIN' }, { personId: 'E103', role: 'ADMIN' }, grantFor(poster, 'POSTER')],
      parks,
    );
    accountId = account?.accountId ?? '';

    dti = await person();
    await signIn(dti, { personId: 'E400' }, '/reviews');
    await dti.getByRole('heading', { level: 1, name: 'Annual reviews' }).waitFor();
    await checkPage(dti, 'the annual reviews list');

    const startFromTheForm = async () => {
      await dti.getByRole('textbox', { name: /^Year/ }).fill(String(year));
      await dti.getByLabel('Department').selectOption({ label: parks.name });
      await dti.getByRole('button', { name: 'Start the review' }).click();
    };
    await startFromTheForm();
    await dti.waitForURL(`**/reviews/${reviewId}`);
    await waitUntilWaiting(e2e.stack, `annual-review-${reviewId}`);
    // The first render may come before the execution has recorded the review ("starting"); once it waits on the director, it is running.
    await dti.reload();
    await dti.getByRole('heading', { level: 1, name: title }).waitFor();
    expect(await fact(dti, 'Status')).toBe('running');
    expect(await fact(dti, 'Departments')).toMatch(/^0 of 1 done/);
    expect(await dti.getByRole('heading', { level: 2, name: parks.name }).count()).toBe(1);

    await dti.goto(`${e2e.stack.baseUrl}/reviews`);
    expect(await dti.getByRole('link', { name: title }).count()).toBe(1);
    await startFromTheForm();
    await dti.waitForURL(`**/reviews/${reviewId}?already=1`);
    expect(await text(dti.getByRole('status'))).toContain('This review was already started: nothing new was started.');
    expect(await fact(dti, 'Status')).toBe('running');
    expect(e2e.stack.sfn.waitingOn(`annual-review-${reviewId}`).length).toBeGreaterThan(0);
  });

  it('has the director find it on My work, see what is missing, answer every question, revoke a poster and submit', async () => {
    const director = await person();
    await signIn(director, { personId: 'E100' }, '/');
    const reviews = director.getByRole('region', { name: /^Review questions/ });
    const row = reviews.getByRole('row').filter({ hasText: `${year} annual review: ${parks.name}` });
    await row.waitFor();
    await Promise.all([director.waitForURL(`**/reviews/${reviewId}/departments/${parks.code}`), row.getByRole('link', { name: 'Answer the review' }).click()]);
    await director.getByRole('heading', { level: 1, name: `${title}: ${parks.name}` }).waitFor();
    expect(await fact(director, 'Assigned to')).toBe('Dolores Baca');
    await checkPage(director, 'the director’s review page', { name: 'annual-review', at: ['desktop', 'phone'] });

    // Submitting with nothing answered: the error summary takes focus and links to the first question.
    await director.getByRole('button', { name: 'Review and submit' }).click();
    await director.locator('#error-summary').waitFor();
    expect(await focusedId(director)).toBe('error-summary');
    const first = await director.locator('#error-summary a').first().getAttribute('href');
    expect(first).toBe(`#a-${accountId}-inUse-yes`);
    expect(await director.locator(first ?? '').count()).toBe(1);
    expect(await text(director.locator('#error-summary a').first())).toContain('say whether it is still in use and needed');
    await checkPage(director, 'the director’s review page with errors');

    const f = (q: string) => `a.${accountId}.${q}`;
    await tick(radio(director, f('inUse'), 'yes'));
    await tick(radio(director, f('keep.E102'), 'yes'));
    await tick(radio(director, f('keep.E103'), 'yes'));
    const revoke = radio(director, f(`keep.${poster.id}`), 'no');
    expect(squash(await director.locator(`label[for="${await revoke.getAttribute('id')}"]`).textContent())).toBe('No, revoke it when I submit');
    await tick(revoke);
    await tick(radio(director, f('officialSite'), 'yes'));
    await tick(radio(director, f('purposeNotice'), 'yes'));

    await director.getByRole('button', { name: 'Save answers' }).click();
    await director.getByRole('status').filter({ hasText: 'Your answers are saved.' }).waitFor();
    expect(await director.locator('#error-summary').count()).toBe(0);
    // The saved answers come back checked.
    expect(await radio(director, f(`keep.${poster.id}`), 'no').isChecked()).toBe(true);
    expect(await radio(director, f('purposeNotice'), 'yes').isChecked()).toBe(true);

    const revocation = `${poster.name}'s posting authority (poster) revoked`;
    await director.getByRole('button', { name: 'Review and submit' }).click();
    await director.getByRole('heading', { level: 1, name: `Submit the ${title}: ${parks.name}` }).waitFor();
    const changes = (await director.locator('main ul.usa-list li').allTextContents()).map(squash);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toContain(revocation);
    await checkPage(director, 'the confirmation', { name: 'annual-review-confirm', at: ['desktop'] });

    await director.getByRole('button', { name: 'Confirm and submit' }).click();
    await director.getByRole('heading', { level: 1, name: `${title}: ${parks.name} submitted` }).waitFor();
    expect(await text(director.getByRole('status'))).toContain('Your review is submitted and on the record.');
    await director.getByRole('heading', { level: 2, name: 'What changed' }).waitFor();
    expect((await director.locator('main ul.usa-list li').allTextContents()).map(squash)).toEqual([changes[0]]);
    await checkPage(director, 'the submitted page');

    const res = await as(e2e.stack, 'E400').get(`/accounts/${accountId}`);
    expect(res.status).toBe(200);
    const { grants } = (await res.json()) as { grants: { personId: string; role: string; status: string; revokedBySourceId?: string }[] };
    expect(grants.find((g) => g.personId === poster.id)).toMatchObject({ role: 'POSTER', status: 'REVOKED', revokedBySourceId: `rev-${year}-${parks.code}` });
    expect(
      grants
        .filter((g) => g.status === 'ACTIVE')
        .map((g) => g.personId)
        .sort(),
    ).toEqual(['E102', 'E103']);
  });

  it('shows DTI the department submitted with its change applied, in a report that prints without the navigation', async () => {
    // The last page submitted resumes the execution, which finishes the review.
    await reviewWhen(e2e.stack, reviewId, (r) => r.review.status === 'COMPLETED');
    await dti.goto(`${e2e.stack.baseUrl}/reviews/${reviewId}`);
    await dti.getByRole('heading', { level: 1, name: title }).waitFor();
    expect(await fact(dti, 'Status')).toBe('completed');
    expect(await fact(dti, 'Departments')).toMatch(/^1 of 1 done: 1 submitted/);
    expect(await fact(dti, 'Changes applied')).toBe('1');

    const section = dti.locator('section.app-review-section').filter({ has: dti.getByRole('heading', { level: 2, name: parks.name }) });
    expect(await fact(section, 'Status')).toBe('submitted');
    expect(await fact(section, 'Reviewer')).toBe('Dolores Baca');
    const row = section.locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await text(row.locator('td[data-label="Answers"]'))).toBe('all answered');
    expect(await text(row.locator('td[data-label="Changes"]'))).toContain(`${poster.name}'s posting authority (poster) revoked`);
    await checkPage(dti, 'the review report', { name: 'annual-review-report', at: ['desktop'] });

    // The print styles (app-assets.ts) hide the header, which holds the Main navigation; the report stays.
    const nav = dti.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(true);
    await dti.emulateMedia({ media: 'print' });
    expect(await nav.isVisible()).toBe(false);
    expect(await dti.locator('.app-header').isVisible()).toBe(false);
    expect(await dti.getByRole('heading', { level: 1, name: title }).isVisible()).toBe(true);
    expect(await row.isVisible()).toBe(true);
    await dti.emulateMedia({ media: 'screen' });
    expect(await nav.isVisible()).toBe(true);
  });

  it('ran every page under the CSP without a refusal', () => {
    expect(cspRefusals).toEqual([]);
  });
});
