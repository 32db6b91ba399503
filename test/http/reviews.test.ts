import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { as, startTestStack, waitForEmail } from '../support/harness.ts';
import { seedAccounts } from '../support/offboarding.ts';
import {
  departmentPage,
  keepAll,
  openDepartmentReview,
  type ReviewPageJson,
  reviewEmailTo,
  reviewReport,
  reviewWhen,
  seedAccountOn,
  startReview,
  submitDepartment,
  sweepReview,
} from '../support/reviews.ts';

/**
 * The annual review's answer pages through the local HTTP API, on the real state machine: what a
 * POST may change (only its own accounts and grants, partial saves merged, one submit), who may
 * answer (the reviewer the page is with now; DTI reads), what happens as the page goes up the
 * chain and past its due date, and what a retired platform or a department without a director
 * does to a review. Each review here is one department's (`<year>-<CODE>`), so they are independent.
 */

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const year = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', year: 'numeric' }).format(new Date()));
const pagePath = (reviewId: string, code: string) => `/reviews/${reviewId}/departments/${code}`;
const grantsOn = async (accountId: string) =>
  ((
    await DynamoDBDocumentClient.from(stack.client).send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :g)',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':g': 'GRANT#' },
      }),
    )
  ).Items ?? []) as { personId: string; status: string; revokedBySourceId?: string }[];
const grantStates = async (accountId: string) =>
  Object.fromEntries((await grantsOn(accountId)).map((g) => [g.personId, g.status + (g.revokedBySourceId ? ` by ${g.revokedBySourceId}` : '')]));
/** Every question of every account on the page answered "keep". */
const keepEverything = (page: ReviewPageJson) =>
  Object.assign(
    {},
    ...page.accounts.map((a) =>
      keepAll(
        a.accountId,
        a.grants.map((g) => g.personId),
      ),
    ),
  ) as Record<string, string>;
const messageOf = async (res: Response) => ((await res.json()) as { message: string }).message;

describe('an open page, with Parks and Recreation’s director', () => {
  let reviewId: string;
  let accountId: string;

  beforeAll(async () => {
    const [account] = await seedAccounts(stack, 1, [
      { personId: 'E102', role: 'ADMIN' },
      { personId: 'E103', role: 'ADMIN' },
    ]);
    accountId = account?.accountId ?? '';
    reviewId = await openDepartmentReview(stack, year, 'PRD');
  });

  it('refuses an answer for an account not on the page, naming the field, and saves nothing', async () => {
    const res = await as(stack, 'E100').post(pagePath(reviewId, 'PRD'), {
      action: 'save',
      [`a.${accountId}.inUse`]: 'yes',
      'a.acct-elsewhere.inUse': 'yes',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fields: Record<string, string> }).fields).toEqual({
      'a.acct-elsewhere.inUse': 'acct-elsewhere is not one of the accounts on this review.',
    });
    expect((await departmentPage(stack, 'E100', reviewId, 'PRD')).answers).toEqual({});
  });

  it('refuses to keep or drop someone who holds no grant on that account, and saves nothing', async () => {
    const page = await departmentPage(stack, 'E100', reviewId, 'PRD');
    const label = page.accounts.find((a) => a.accountId === accountId)?.label;
    const res = await as(stack, 'E100').post(pagePath(reviewId, 'PRD'), {
      action: 'save',
      [`a.${accountId}.inUse`]: 'yes',
      [`a.${accountId}.keep.E102`]: 'yes',
      [`a.${accountId}.keep.E101`]: 'no',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fields: Record<string, string> }).fields).toEqual({
      [`a.${accountId}.keep.E101`]: `That person holds no posting authority on ${label} on this review.`,
    });
    expect((await departmentPage(stack, 'E100', reviewId, 'PRD')).answers).toEqual({});
    expect(await grantStates(accountId)).toEqual({ E102: 'ACTIVE', E103: 'ACTIVE' });
  });

  it('is refused to someone who is not its reviewer, and shown to DTI read-only', async () => {
    const path = pagePath(reviewId, 'PRD');
    const staffGet = await as(stack, 'E102').get(path);
    expect(staffGet.status).toBe(403);
    expect(await messageOf(staffGet)).toBe('This review is assigned to Dolores Baca.');
    const staffPost = await as(stack, 'E102').post(path, { action: 'save', [`a.${accountId}.inUse`]: 'no' });
    expect(staffPost.status).toBe(403);
    expect(await messageOf(staffPost)).toBe('This review is assigned to Dolores Baca.');

    const dti = await departmentPage(stack, 'E400', reviewId, 'PRD');
    expect(dti).toMatchObject({ reviewId, status: 'OPEN', reviewer: 'Dolores Baca', departmentCode: 'PRD' });
    expect(dti.accounts.map((a) => a.accountId)).toContain(accountId);
    const html = await (await fetch(`${stack.baseUrl}${path}`, { headers: { cookie: 'dev_user=E400', accept: 'text/html' } })).text();
    expect(html).toContain('This review is assigned to Dolores Baca.');
    expect(html).not.toContain(`action="${path}"`);
    // The director's own view has the form: its absence above is DTI's read-only view, not a missing form.
    const director = await (await fetch(`${stack.baseUrl}${path}`, { headers: { cookie: 'dev_user=E100', accept: 'text/html' } })).text();
    expect(director).toContain(`<form class="usa-form usa-form--large app-review-form" method="post" action="${path}" novalidate>`);
    const dtiPost = await as(stack, 'E400').post(path, { action: 'save', [`a.${accountId}.inUse`]: 'no' });
    expect(dtiPost.status).toBe(403);
    expect(await messageOf(dtiPost)).toBe('This review is assigned to Dolores Baca.');
    expect((await departmentPage(stack, 'E100', reviewId, 'PRD')).answers).toEqual({});
  });
});

it('keeps partial saves, merges a later save over them, and keeps the answers of a submit that leaves questions open', async () => {
  const [account] = await seedAccounts(
    stack,
    1,
    [
      { personId: 'E202', role: 'ADMIN' },
      { personId: 'E201', role: 'ADMIN', personName: 'Henry Otero' },
    ],
    { code: 'LIB', name: 'Albuquerque Public Library' },
  );
  const id = account?.accountId ?? '';
  const reviewId = await openDepartmentReview(stack, year, 'LIB');
  const path = pagePath(reviewId, 'LIB');

  const first = await as(stack, 'E200').post(path, { action: 'save', [`a.${id}.inUse`]: 'yes', [`a.${id}.keep.E202`]: 'yes' });
  expect(first.status).toBe(200);
  expect((await departmentPage(stack, 'E200', reviewId, 'LIB')).answers).toEqual({ [id]: { inUse: 'yes', keep: { E202: 'yes' } } });

  const second = await as(stack, 'E200').post(path, { action: 'save', [`a.${id}.officialSite`]: 'yes', [`a.${id}.keep.E201`]: 'no' });
  expect(second.status).toBe(200);
  expect((await departmentPage(stack, 'E200', reviewId, 'LIB')).answers).toEqual({
    [id]: { inUse: 'yes', officialSite: 'yes', keep: { E202: 'yes', E201: 'no' } },
  });

  // Dropping one of two admins asks for a second one; the purpose notice is still unanswered.
  const submit = await as(stack, 'E200').post(path, { action: 'submit', [`a.${id}.purposeNotice`]: 'no' });
  expect(submit.status).toBe(400);
  expect(Object.keys(((await submit.json()) as { fields: Record<string, string> }).fields)).toEqual([`a.${id}.newAdminEmail`]);
  const after = await departmentPage(stack, 'E200', reviewId, 'LIB');
  expect(after.status).toBe('OPEN');
  expect(after.answers).toEqual({ [id]: { inUse: 'yes', officialSite: 'yes', purposeNotice: 'no', keep: { E202: 'yes', E201: 'no' } } });
  expect(await grantStates(id)).toEqual({ E202: 'ACTIVE', E201: 'ACTIVE' });
});

it('refuses a second submit, naming who submitted, and changes nothing more', async () => {
  const [account] = await seedAccounts(
    stack,
    1,
    [
      { personId: 'E102', role: 'ADMIN' },
      { personId: 'E103', role: 'ADMIN' },
      { personId: 'E101', role: 'POSTER' },
    ],
    { code: 'CLERK', name: 'Office of the City Clerk' },
  );
  const id = account?.accountId ?? '';
  const reviewId = await openDepartmentReview(stack, year, 'CLERK');

  const first = await submitDepartment(stack, 'E600', reviewId, 'CLERK', { ...keepAll(id, ['E102', 'E103']), [`a.${id}.keep.E101`]: 'no' });
  expect(first.status).toBe(200);
  const afterFirst = { E102: 'ACTIVE', E103: 'ACTIVE', E101: `REVOKED by rev-${year}-CLERK` };
  expect(await grantStates(id)).toEqual(afterFirst);

  const again = await submitDepartment(stack, 'E600', reviewId, 'CLERK', { ...keepAll(id, ['E101', 'E103']), [`a.${id}.keep.E102`]: 'no' });
  expect(again.status).toBe(409);
  const report = await reviewWhen(stack, reviewId, (r) => r.review.status === 'COMPLETED');
  expect(report.pages[0]).toMatchObject({ status: 'SUBMITTED', submittedBy: { id: 'E600', name: 'Teresa Padilla' } });
  // The date is left out: the message gives it in UTC (see the report), not in the City's time zone as the pages do.
  expect(await messageOf(again)).toMatch(/^This review was submitted by Teresa Padilla on .+; it cannot be changed\.$/);
  expect(await grantStates(id)).toEqual(afterFirst);
  expect(report.progress).toMatchObject({ submitted: 1, changesApplied: 1 });
});

it('refuses the director’s submit once the page was reassigned to the designee, who can then submit it', async () => {
  const [account] = await seedAccounts(
    stack,
    1,
    [
      { personId: 'E312', role: 'ADMIN', personName: 'Nora Jaramillo' },
      { personId: 'E311', role: 'ADMIN', personName: 'Victor Padilla' },
    ],
    { code: 'APD', name: 'Albuquerque Police Department' },
  );
  const id = account?.accountId ?? '';
  const reviewId = await openDepartmentReview(stack, year, 'APD');
  await sweepReview(stack, reviewId);
  await waitForEmail(stack, (e) => e.to.includes('rmontoya@cabq.example') && e.subject.startsWith('Reminder:') && e.text.includes(`/reviews/${reviewId}/`));
  await sweepReview(stack, reviewId);
  const escalated = await reviewWhen(stack, reviewId, (r) => r.pages[0]?.stage === 1);
  expect(escalated.pages[0]).toMatchObject({ status: 'OPEN', remindersSent: 1 });
  await waitForEmail(
    stack,
    (e) => e.to.includes('ltrujillo@cabq.example') && e.subject.startsWith('Escalated to you:') && e.text.includes(`/reviews/${reviewId}/`),
  );

  const late = await submitDepartment(stack, 'E300', reviewId, 'APD', keepAll(id, ['E312', 'E311']));
  expect(late.status).toBe(403);
  expect(await messageOf(late)).toBe('This review was reassigned to Lena Trujillo because it was not answered in time. Your answers so far are kept.');
  expect((await departmentPage(stack, 'E301', reviewId, 'APD')).answers).toEqual({});

  const designee = await submitDepartment(stack, 'E301', reviewId, 'APD', keepAll(id, ['E312', 'E311']));
  expect(designee.status).toBe(200);
  expect(await designee.json()).toMatchObject({ reviewId, status: 'SUBMITTED', changes: [] });
  const done = await reviewWhen(stack, reviewId, (r) => r.review.status === 'COMPLETED');
  expect(done.pages[0]).toMatchObject({ status: 'SUBMITTED', stage: 1, submittedBy: { id: 'E301' } });
});

it('marks a page never answered as not attested after the last sweep, then refuses every answer with 410 and revokes nothing', async () => {
  const [account] = await seedAccounts(
    stack,
    1,
    [
      { personId: 'E102', role: 'ADMIN' },
      { personId: 'E101', role: 'POSTER' },
    ],
    { code: 'CAO', name: 'Office of the Chief Administrative Officer' },
  );
  const id = account?.accountId ?? '';
  const reviewId = await openDepartmentReview(stack, year, 'CAO');
  // A reminder, the designee, the Communications Director, then the due date.
  for (let sweep = 0; sweep < 4; sweep += 1) await sweepReview(stack, reviewId);
  const done = await reviewWhen(stack, reviewId, (r) => r.review.status === 'COMPLETED');
  expect(done.pages[0]).toMatchObject({ status: 'NOT_ATTESTED', stage: 2, chain: [{ id: 'E001' }, { id: 'E002' }, { id: 'E500' }] });
  expect(done.pages[0]?.unanswered?.[0]).toContain('say whether it is still in use and needed');

  for (const personId of ['E500', 'E001']) {
    const res = await submitDepartment(stack, personId, reviewId, 'CAO', keepAll(id, ['E102', 'E101']));
    expect(res.status).toBe(410);
    expect(await messageOf(res)).toBe('This review passed its due date without being submitted and is reported as not attested.');
  }
  // noAnswerRevokesGrants is off by default: a non-answer is reported, not acted on.
  expect(await grantStates(id)).toEqual({ E102: 'ACTIVE', E101: 'ACTIVE' });
  expect(done.progress).toMatchObject({ notAttested: 1, submitted: 0, changesApplied: 0 });
});

it('sends the page of a department with no director or designee to the Communications Director, and reports it', async () => {
  const { GovernanceStore } = await import('../../functions/adapters/store.ts');
  await new GovernanceStore().putDirectory({
    people: [],
    departments: [{ code: 'ZZT', name: 'Test Dept', directorId: 'NOPE1', designeeId: 'NOPE2' }],
    roles: [],
    platforms: [],
  });
  const [account] = await seedAccounts(
    stack,
    1,
    [
      { personId: 'E102', role: 'ADMIN' },
      { personId: 'E103', role: 'ADMIN' },
    ],
    { code: 'ZZT', name: 'Test Dept' },
  );
  const id = account?.accountId ?? '';
  const reviewId = await openDepartmentReview(stack, year, 'ZZT');

  const report = await reviewReport(stack, reviewId);
  expect(report.pages).toHaveLength(1);
  expect(report.pages[0]).toMatchObject({ departmentCode: 'ZZT', status: 'OPEN', noDirector: true, stage: 0, chain: [{ id: 'E500' }] });
  expect(report.pages[0]?.chain).toHaveLength(1);
  await reviewEmailTo(stack, 'emartinez@cabq.example', reviewId);
  expect((await departmentPage(stack, 'E500', reviewId, 'ZZT')).reviewer).toBe('Elena Martinez');
  expect((await submitDepartment(stack, 'E500', reviewId, 'ZZT', keepAll(id, ['E102', 'E103']))).status).toBe(200);
});

it('flags an account on a platform retired during a review, on the open page and in the next review, and keeps its questions', async () => {
  const added = await as(stack, 'E400').post('/platforms', {
    id: 'revgram',
    name: 'Revgram',
    siteUrl: 'https://www.revgram.example',
    agreementTitle: 'Revgram Terms of Service',
    agreementUrl: 'https://www.revgram.example/terms',
    agreementReviewedOn: new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date()),
  });
  expect(added.status).toBe(201);
  const account = await seedAccountOn(
    stack,
    { id: 'revgram', name: 'Revgram' },
    [
      { personId: 'E400', role: 'ADMIN', personName: 'Samuel Ortiz' },
      { personId: 'E401', role: 'ADMIN', personName: 'Julia Vigil' },
    ],
    { code: 'DTI', name: 'Department of Technology and Innovation' },
  );
  const first = await openDepartmentReview(stack, year, 'DTI');
  const before = await departmentPage(stack, 'E400', first, 'DTI');
  expect(before.accounts.map((a) => [a.accountId, a.platformId])).toEqual([[account.accountId, 'revgram']]);
  expect(before.accounts[0]?.findings.map((f) => f.code)).not.toContain('PLATFORM_RETIRED');

  // Retiring is final: no other test here uses Revgram.
  const { platform } = (await (await as(stack, 'E400').get('/platforms/revgram')).json()) as { platform: { version: number } };
  const reason = 'Its usage agreement lapsed during the review.';
  const retired = await as(stack, 'E400').post('/platforms/revgram/retire', { version: String(platform.version), reason });
  expect(retired.status).toBe(200);

  const next = await openDepartmentReview(stack, year + 1, 'DTI');
  const flagged = await departmentPage(stack, 'E400', next, 'DTI');
  expect(flagged.accounts[0]?.accountId).toBe(account.accountId);
  expect(flagged.accounts[0]?.findings).toContainEqual({ code: 'PLATFORM_RETIRED', text: `DTI retired Revgram: ${reason} (O.a).` });

  // The open review's page shows it too, with the same account and grants, and every question still asked.
  const open = await departmentPage(stack, 'E400', first, 'DTI');
  expect(open.accounts.map((a) => [a.accountId, a.grants])).toEqual(before.accounts.map((a) => [a.accountId, a.grants]));
  expect(open.accounts[0]?.findings).toContainEqual({ code: 'PLATFORM_RETIRED', text: `DTI retired Revgram during this review: ${reason} (O.a).` });
  const submit = await as(stack, 'E400').post(pagePath(first, 'DTI'), { action: 'submit' });
  expect(submit.status).toBe(400);
  expect(Object.keys(((await submit.json()) as { fields: Record<string, string> }).fields)).toEqual([`a.${account.accountId}.inUse`]);
});

it('lists the reviews for the Communications Director without the start form, refuses a director, and lets only DTI start one', async () => {
  const director = await as(stack, 'E100').get('/reviews');
  expect(director.status).toBe(403);
  expect(await messageOf(director)).toContain('Your own review pages are listed under My work.');

  const html = (personId: string) => fetch(`${stack.baseUrl}/reviews`, { headers: { cookie: `dev_user=${personId}`, accept: 'text/html' } });
  const comms = await html('E500');
  expect(comms.status).toBe(200);
  const page = await comms.text();
  expect(page).toContain(`${year}-PRD`);
  expect(page).not.toContain('action="/reviews"');
  expect(await (await html('E400')).text()).toContain('<form class="usa-form" method="post" action="/reviews" novalidate>');
  // The list in JSON: the running review is there, and its sealed task token is not (it never leaves the table).
  const listed = (await (await as(stack, 'E500').get('/reviews')).json()) as { reviews: Record<string, unknown>[] };
  const running = listed.reviews.find((r) => r.reviewId === `${year}-PRD`);
  expect(running).toMatchObject({ status: 'RUNNING', departmentCode: 'PRD' });
  expect(Object.keys(running ?? {})).not.toContain('sealedToken');
  const stored = await DynamoDBDocumentClient.from(stack.client).send(
    new GetCommand({ TableName: stack.tableName, Key: { PK: `REVIEW#${year}-PRD`, SK: 'META' }, ConsistentRead: true }),
  );
  expect(typeof stored.Item?.sealedToken).toBe('string');

  const start = await startReview(stack, { year: String(year + 1), departmentCode: 'CLERK' }, 'E500');
  expect(start.status).toBe(403);
  expect(await messageOf(start)).toBe('Only DTI starts an annual review (O.a). The yearly one starts by itself.');
  expect((await as(stack, 'E400').get(`/reviews/${year + 1}-CLERK`)).status).toBe(404);
});

it('lists an open review page in its director’s My work until it is submitted', async () => {
  await seedAccounts(stack, 1, [
    { personId: 'E102', role: 'ADMIN' },
    { personId: 'E103', role: 'ADMIN' },
  ]);
  const reviewId = await openDepartmentReview(stack, year + 1, 'PRD');
  const myReviews = async () => ((await (await as(stack, 'E100').get('/')).json()) as { reviews: { reviewId: string; page: string; path: string }[] }).reviews;

  expect(await myReviews()).toContainEqual(expect.objectContaining({ reviewId, page: 'PRD', path: pagePath(reviewId, 'PRD') }));
  const page = await departmentPage(stack, 'E100', reviewId, 'PRD');
  expect((await submitDepartment(stack, 'E100', reviewId, 'PRD', keepEverything(page))).status).toBe(200);
  const after = (await myReviews()).map((r) => r.path);
  expect(after).not.toContain(pagePath(reviewId, 'PRD'));
  // This year's page, still open, stays listed.
  expect(after).toContain(pagePath(`${year}-PRD`, 'PRD'));
});

// Last: it moves the calendar for the whole stack (and ends every wait, one sweep for each open review).
it('refuses an answer to a page still open past its due date, and saves nothing', async () => {
  const [account] = await seedAccounts(stack, 1, [{ personId: 'E202', role: 'ADMIN' }], { code: 'LIB', name: 'Albuquerque Public Library' });
  const id = account?.accountId ?? '';
  const reviewId = await openDepartmentReview(stack, year + 1, 'LIB');
  stack.advanceClock(29);
  await stack.runDueSchedules();

  const late = await as(stack, 'E200').post(pagePath(reviewId, 'LIB'), { action: 'save', [`a.${id}.inUse`]: 'yes' });
  expect(late.status).toBe(410);
  expect(await messageOf(late)).toMatch(/^This review was due .+; it can no longer be answered\.$/);
  const page = await departmentPage(stack, 'E400', reviewId, 'LIB');
  expect(page).toMatchObject({ status: 'OPEN', reviewer: 'Grace Lucero', answers: {} });
});
