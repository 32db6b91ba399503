import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { as, mailbox, startTestStack, waitForEmail, waitUntilWaiting } from '../support/harness.ts';
import { grantFor, hire, seedAccounts } from '../support/offboarding.ts';
import { keepAll, reviewEmailTo, reviewReport, reviewWhen, startReview, submitDepartment } from '../support/reviews.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const db = () => DynamoDBDocumentClient.from(stack.client);
const year = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', year: 'numeric' }).format(new Date()));
const grantItems = async (accountId: string) =>
  ((
    await db().send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :g)',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':g': 'GRANT#' },
      }),
    )
  ).Items ?? []) as { personId: string; role: string; status: string; revokedBySourceId?: string; sourceRequestId: string; authorizedById: string }[];
const accountStatus = async (accountId: string) =>
  ((await (await as(stack, 'E400').get(`/accounts/${accountId}`)).json()) as { account: { status: string } }).account.status;
const executions = async (prefix: string) =>
  ((await db().send(new ScanCommand({ TableName: stack.sfn.executionsTable }))).Items ?? []).filter((e) => String(e.name).startsWith(prefix));

describe('annual review (the real ASL on the local engine)', () => {
  it('reviews 3 departments: keeps, revokes a grant, retires an account, names a second admin, and one department never answers and is escalated, then not attested', async () => {
    const poster = await hire(stack, 'PRD', 'Poster');
    const [kept, retired] = await seedAccounts(stack, 2, [
      { personId: 'E102', role: 'ADMIN' },
      { personId: 'E103', role: 'ADMIN' },
      grantFor(poster, 'POSTER'),
    ]);
    const [library] = await seedAccounts(stack, 1, [{ personId: 'E202', role: 'ADMIN' }], { code: 'LIB', name: 'Albuquerque Public Library' });
    const [police] = await seedAccounts(
      stack,
      1,
      [
        { personId: 'E312', role: 'ADMIN', personName: 'Nora Jaramillo' },
        { personId: 'E311', role: 'ADMIN', personName: 'Victor Padilla' },
      ],
      {
        code: 'APD',
        name: 'Albuquerque Police Department',
      },
    );
    const ids = { kept: kept?.accountId ?? '', retired: retired?.accountId ?? '', library: library?.accountId ?? '', police: police?.accountId ?? '' };
    // A display on a City website (Q) in force on the kept account, as its approval leaves it: the director sees it on the account's row.
    await db().send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          PK: `ACCOUNT#${ids.kept}`,
          SK: 'STANDING#DISPLAY#wd-20260101-00000000000000aa',
          entity: 'Standing',
          accountId: ids.kept,
          kind: 'DISPLAY',
          requestId: 'wd-20260101-00000000000000aa',
          title: 'Shown on https://www.cabq.gov/parks',
          facts: [['Content', 'The latest 3 posts']],
          approvedAt: '2026-01-01T17:00:00.000Z',
          approvedByName: 'Samuel Ortiz',
          startsOn: '2026-01-01',
          status: 'ACTIVE',
        },
      }),
    );

    const started = await startReview(stack, { year: String(year) });
    expect(started.status).toBe(202);
    expect(await started.json()).toMatchObject({ reviewId: String(year), executionName: `annual-review-${year}`, outcome: 'started' });
    // A second click, and the schedule firing for the same year, start nothing.
    const again = await startReview(stack, { year: String(year) });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ reviewId: String(year), outcome: 'exists' });
    expect(await stack.runSchedule('annualReview')).toMatchObject({ reviewId: String(year), outcome: 'exists' });

    const reviewId = String(year);
    await waitUntilWaiting(stack, `annual-review-${reviewId}`);
    expect(await executions('annual-review-')).toHaveLength(1);
    const opened = await reviewReport(stack, reviewId);
    // Seven directory departments: three with accounts, four with nothing to review (no page to answer, no email).
    expect(opened.progress).toMatchObject({ departments: 7, done: 4, nothingToReview: 4, accounts: 4 });
    const prdEmail = await reviewEmailTo(stack, 'dbaca@cabq.example', reviewId);
    expect(prdEmail.subject).toBe(`${year} annual review: review the 2 social media accounts of Parks and Recreation`);
    await reviewEmailTo(stack, 'glucero@cabq.example', reviewId);
    await reviewEmailTo(stack, 'rmontoya@cabq.example', reviewId);
    await reviewEmailTo(stack, 'sortiz@cabq.example', reviewId, /approved platforms/);
    // One email per department, not one per account; none to a department with nothing to review.
    const reviewMail = (await mailbox(stack)).filter((e) => e.text.includes(`/reviews/${reviewId}/`));
    expect(reviewMail.map((e) => e.to[0]).sort()).toEqual(['dbaca@cabq.example', 'glucero@cabq.example', 'rmontoya@cabq.example', 'sortiz@cabq.example']);
    // The findings the system computed: the library account has a sole admin and no password change on record
    // (its grant, just made, is recent activity).
    const lib = opened.pages.find((p) => p.departmentCode === 'LIB');
    expect(lib?.accounts?.[0]?.findings.map((f) => f.code).sort()).toEqual(['CREDENTIAL_UNKNOWN', 'SOLE_ADMIN']);

    const prdPage = await (
      await fetch(`${stack.baseUrl}/reviews/${reviewId}/departments/PRD`, { headers: { cookie: 'dev_user=E100', accept: 'text/html' } })
    ).text();
    expect(prdPage).toContain(
      '<p class="text-bold margin-bottom-0">In force on this account</p>\n    <ul class="usa-list"><li>Shown on https://www.cabq.gov/parks</li></ul>',
    );

    // Parks: keeps the first account without the poster, retires the second.
    const prd = await submitDepartment(stack, 'E100', reviewId, 'PRD', {
      ...keepAll(ids.kept, ['E102', 'E103']),
      [`a.${ids.kept}.keep.${poster.id}`]: 'no',
      [`a.${ids.retired}.inUse`]: 'no',
    });
    expect(prd.status).toBe(200);
    expect(((await prd.json()) as { changes: string[] }).changes).toHaveLength(2);
    const keptGrants = await grantItems(ids.kept);
    expect(keptGrants.find((g) => g.personId === poster.id)).toMatchObject({ status: 'REVOKED', revokedBySourceId: `rev-${year}-PRD` });
    expect(
      keptGrants
        .filter((g) => g.status === 'ACTIVE')
        .map((g) => g.personId)
        .sort(),
    ).toEqual(['E102', 'E103']);
    expect((await grantItems(ids.retired)).every((g) => g.status === 'REVOKED')).toBe(true);
    expect(await accountStatus(ids.retired)).toBe('RETIRED');
    await waitForEmail(stack, (e) => e.to.includes(poster.email) && e.subject.startsWith('Your posting authority'));
    // A second submit changes nothing and says why.
    const twice = await submitDepartment(stack, 'E100', reviewId, 'PRD', keepAll(ids.kept, ['E102', 'E103']));
    expect(twice.status).toBe(409);

    // The library: names a second admin, who becomes one authorized by the director.
    const libAnswer = await submitDepartment(stack, 'E200', reviewId, 'LIB', {
      ...keepAll(ids.library, ['E202']),
      [`a.${ids.library}.newAdminEmail`]: 'hotero@cabq.example',
    });
    expect(libAnswer.status).toBe(200);
    expect((await grantItems(ids.library)).find((g) => g.personId === 'E201')).toMatchObject({
      status: 'ACTIVE',
      role: 'ADMIN',
      authorizedById: 'E200',
      sourceRequestId: `rev-${year}-LIB`,
    });

    // DTI keeps every platform but retires one.
    const platforms = (opened.pages.find((p) => p.kind === 'PLATFORMS')?.platforms ?? []).map((p) => p.platformId);
    expect(platforms).toContain('nextdoor');
    const dti = await as(stack, 'E400').post(`/reviews/${reviewId}/platforms`, {
      action: 'submit',
      confirmed: true,
      ...Object.fromEntries(platforms.map((id) => [`p.${id}.decision`, id === 'nextdoor' ? 'RETIRE' : 'KEEP'])),
      'p.nextdoor.note': 'No longer offered for government agencies',
    });
    expect(dti.status).toBe(200);
    const form = await (await fetch(`${stack.baseUrl}/requests/new`, { headers: { cookie: 'dev_user=E102', accept: 'text/html' } })).text();
    expect(form).not.toContain('value="nextdoor"');
    expect(form).toContain('value="facebook"');

    // APD never answers: a reminder, the designee, the Communications Director, then not attested.
    const chase = async () => {
      await waitUntilWaiting(stack, `annual-review-${reviewId}`);
      stack.advanceClock();
    };
    await chase();
    await waitForEmail(stack, (e) => e.to.includes('rmontoya@cabq.example') && e.subject.startsWith('Reminder:'));
    await chase();
    await waitForEmail(stack, (e) => e.to.includes('ltrujillo@cabq.example') && e.subject.startsWith('Escalated to you:'));
    // The director's link now says the page was reassigned, and changes nothing.
    const late = await submitDepartment(stack, 'E300', reviewId, 'APD', keepAll(ids.police, ['E312', 'E311']));
    expect(late.status).toBe(403);
    expect(((await late.json()) as { message: string }).message).toContain('reassigned to Lena Trujillo');
    await chase();
    await waitForEmail(stack, (e) => e.to.includes('emartinez@cabq.example') && e.subject.startsWith('Escalated to you:'));
    await chase();
    const done = await reviewWhen(stack, reviewId, (r) => r.review.status === 'COMPLETED');
    const apd = done.pages.find((p) => p.departmentCode === 'APD');
    expect(apd).toMatchObject({ status: 'NOT_ATTESTED', stage: 2 });
    expect(apd?.unanswered?.[0]).toContain('still in use');
    // Nothing was revoked for the non-answer.
    expect((await grantItems(ids.police)).every((g) => g.status === 'ACTIVE')).toBe(true);
    expect(done.progress).toMatchObject({ departments: 7, submitted: 2, notAttested: 1, nothingToReview: 4, changesApplied: 3 });
    const finished = await waitForEmail(stack, (e) => e.to.includes('rapodaca@cabq.example') && e.subject === `${year} annual review is finished`);
    expect(finished.text).toContain('Not attested: Albuquerque Police Department');
    await waitForEmail(stack, (e) => e.to.includes('dti-social-registry@cabq.example') && e.subject === `${year} annual review is finished`);

    // The review is in the records export: Parks' two accounts (the retired one too), what was found, answered and changed.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Denver' }).format(new Date());
    const zip = await as(stack, 'E400').get(`/records/export?department=PRD&from=${year}-01-01&to=${today}`);
    expect(zip.status).toBe(200);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const rows = parse(strFromU8(files['reviews.csv'] ?? new Uint8Array()).replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    const byAccount = Object.fromEntries(rows.filter((r) => r.reviewId === reviewId).map((r) => [r.accountId, r]));
    expect(byAccount[ids.kept]).toMatchObject({
      pageStatus: 'SUBMITTED',
      reviewerName: 'Dolores Baca',
      inUse: 'yes',
      grantsRevoked: `${poster.name} (poster)`,
    });
    expect(byAccount[ids.kept]?.changes).toContain('posting authority (poster) revoked');
    expect(byAccount[ids.retired]).toMatchObject({ inUse: 'no' });
    expect(byAccount[ids.retired]?.changes).toContain('retired, every grant revoked');
  });

  it('reviews one department on its own, and refuses a year in the past or too far ahead', async () => {
    const past = await startReview(stack, { year: String(year - 1) });
    expect(past.status).toBe(400);
    expect(((await past.json()) as { fields: Record<string, string> }).fields.year).toContain('in the past');
    expect((await startReview(stack, { year: String(year + 2) })).status).toBe(400);
    expect((await startReview(stack, { year: String(year + 1) }, 'E100')).status).toBe(403);

    const [account] = await seedAccounts(stack, 1, [
      { personId: 'E102', role: 'ADMIN' },
      { personId: 'E103', role: 'ADMIN' },
    ]);
    const started = await startReview(stack, { year: String(year + 1), departmentCode: 'PRD' });
    expect(await started.json()).toMatchObject({ reviewId: `${year + 1}-PRD`, executionName: `annual-review-${year + 1}-PRD` });
    const reviewId = `${year + 1}-PRD`;
    await waitUntilWaiting(stack, `annual-review-${reviewId}`);
    const report = await reviewReport(stack, reviewId);
    // One department, and no platforms page: DTI's list is reviewed City-wide only.
    expect(report.pages.map((p) => p.kind)).toEqual(['DEPARTMENT']);
    const accounts = report.pages[0]?.accounts ?? [];
    const answers = Object.assign(
      {},
      ...accounts.map((a) =>
        keepAll(
          a.accountId,
          a.grants.map((g) => g.personId),
        ),
      ),
    );
    expect(accounts.map((a) => a.accountId)).toContain(account?.accountId);
    expect((await submitDepartment(stack, 'E100', reviewId, 'PRD', answers)).status).toBe(200);
    const done = await reviewWhen(stack, reviewId, (r) => r.review.status === 'COMPLETED');
    expect(done.progress).toMatchObject({ departments: 1, submitted: 1, changesApplied: 0 });
  });
});
