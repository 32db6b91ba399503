import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantItem } from '../../functions/adapters/store.ts';
import { vault } from '../../functions/adapters/vault.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { as, mailbox, restartTestStack, startTestStack, waitForEmail, waitUntilWaiting } from '../support/harness.ts';
import {
  denverDaysFromNow,
  denverToday,
  grantFor,
  hire,
  offboardingRecord,
  rotate,
  seedAccounts,
  separate,
  taskAction,
  taskLinkFor,
} from '../support/offboarding.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

type GrantJson = { personId: string; role: string; status: string; revokedBySourceId?: string; authorizedById: string; sourceRequestId: string };

/** An account's grants as its registry page answers them (JSON). */
const grantsOn = async (accountId: string) => ((await (await as(stack, 'E400').get(`/accounts/${accountId}`)).json()) as { grants: GrantJson[] }).grants;
const library = { code: 'LIB', name: 'Albuquerque Public Library' };
const scan = async (table: string) => (await DynamoDBDocumentClient.from(stack.client).send(new ScanCommand({ TableName: table }))).Items ?? [];
const executionsNamed = async (prefix: string) => (await scan(stack.sfn.executionsTable)).filter((e) => String(e.name).startsWith(prefix));
const db = () => DynamoDBDocumentClient.from(stack.client);
/** An account's grant items as stored (the registry page lists only accounts it has an entry for). */
const grantItems = async (accountId: string) =>
  ((
    await db().send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :g)',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':g': 'GRANT#' },
      }),
    )
  ).Items ?? []) as GrantJson[];

describe('separation offboarding (the real ASL on the local engine)', () => {
  it('revokes the grant, has the remaining admin rotate the password, and reports to DTI and the Communications Coordinator', async () => {
    const [leaver, stayer] = [await hire(stack, 'LIB', 'Leaving'), await hire(stack, 'LIB', 'Staying')];
    const [account] = await seedAccounts(stack, 1, [grantFor(leaver), grantFor(stayer)], library);
    const { accountId, handle } = account as { accountId: string; handle: string };
    const put = await separate(stack, leaver.id);
    expect(put.status).toBe(202);
    const offboardingId = String(put.body.offboardingId);

    const link = await taskLinkFor(stack, stayer.email, handle);
    const grants = await grantsOn(accountId);
    expect(grants.find((g) => g.personId === leaver.id)).toMatchObject({ status: 'REVOKED', revokedBySourceId: offboardingId });
    expect(grants.find((g) => g.personId === stayer.id)?.status).toBe('ACTIVE');
    const started = await waitForEmail(stack, (e) => e.subject.startsWith('Offboarding started') && e.subject.includes(leaver.id));
    await waitForEmail(stack, (e) => e.to.includes('rapodaca@cabq.example') && e.subject === started.subject);
    const startedTo = (await mailbox(stack)).filter((e) => e.subject === started.subject).flatMap((e) => e.to);
    expect(startedTo.sort()).toEqual(['dti-social-registry@cabq.example', 'rapodaca@cabq.example']);
    expect(started.text).toContain(`pending with ${stayer.name}`);
    const taskMail = (await mailbox(stack)).filter((e) => e.subject.includes(handle) && e.text.includes('/tasks/'));
    expect(taskMail.map((e) => e.to)).toEqual([[stayer.email]]);

    // Opening the link (GET) reveals nothing and records nothing; others cannot use it at all.
    const page = await fetch(link.url, { headers: { cookie: `dev_user=${stayer.id}`, accept: 'text/html' } });
    const pageHtml = await page.text();
    expect(page.status).toBe(200);
    expect(pageHtml).toContain('Show the new password');
    expect(pageHtml).not.toContain('class="secret"');
    expect((await taskAction(stack, 'E200', link, { action: 'reveal' })).status).toBe(403);
    // A wrong secret gets the answer an unknown link gets, which names nothing.
    expect(
      (await taskAction(stack, stayer.id, { ...link, secret: link.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) }, { action: 'reveal' })).status,
    ).toBe(404);
    expect((await offboardingRecord(stack, offboardingId)).tasks[0]?.reveals).toEqual([]);
    const early = await taskAction(stack, stayer.id, link, { action: 'confirm', setOnPlatform: 'yes' });
    expect(early.status).toBe(400);

    expect(Object.values(await vault.versions(accountId)).flat()).toContain('AWSPENDING');
    const password = await rotate(stack, stayer.id, link);
    expect(password).toMatch(/^\S{24}$/);
    expect(pageHtml).not.toContain(password);
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    const record = await offboardingRecord(stack, offboardingId);
    expect(record.status).toBe('COMPLETED');
    expect(record.accounts[0]?.rotation).toMatch(new RegExp(`^rotated — confirmed by ${stayer.name}`));
    expect(record.tasks[0]).toMatchObject({ kind: 'ROTATE', status: 'DONE', doneById: stayer.id, reveals: [{ personId: stayer.id }] });
    expect(Object.values(await vault.versions(accountId)).flat()).not.toContain('AWSPENDING');
    const finished = await waitForEmail(stack, (e) => e.subject.startsWith('Offboarding complete') && e.subject.includes(leaver.id));
    expect(finished.text).toContain(`confirmed by ${stayer.name}`);
    // A second click on the done link says so.
    expect((await taskAction(stack, stayer.id, link, { action: 'reveal' })).status).toBe(409);
  });

  it('finishes at once for an employee with no accounts, and still tells DTI', async () => {
    const nobody = await hire(stack, 'PRD', 'No accounts');
    const offboardingId = String((await separate(stack, nobody.id)).body.offboardingId);
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    expect(await offboardingRecord(stack, offboardingId)).toMatchObject({ status: 'COMPLETED', accountCount: 0, accounts: [] });
    const mail = await waitForEmail(stack, (e) => e.subject.startsWith('Offboarding complete') && e.subject.includes(nobody.id));
    expect(mail.text).toContain('held no posting grants');
  });

  it('revokes all 25 accounts of one employee, emails 25 rotations, and completes when all are confirmed', async () => {
    const [leaver, stayer] = [await hire(stack, 'PRD', 'Busy leaver'), await hire(stack, 'PRD', 'Busy stayer')];
    const accounts = await seedAccounts(stack, 25, [grantFor(leaver), grantFor(stayer)]);
    const offboardingId = String((await separate(stack, leaver.id)).body.offboardingId);
    const links = await Promise.all(accounts.map((a) => taskLinkFor(stack, stayer.email, a.handle)));
    expect(new Set(links.map((l) => l.taskId)).size).toBe(25);
    const grants = (await Promise.all(accounts.map((a) => grantsOn(a.accountId)))).flat().filter((g) => g.personId === leaver.id);
    expect(grants).toHaveLength(25);
    expect(grants.every((g) => g.status === 'REVOKED' && g.revokedBySourceId === offboardingId)).toBe(true);
    const passwords = [];
    for (const link of links) passwords.push(await rotate(stack, stayer.id, link));
    expect(new Set(passwords).size).toBe(25);
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    const record = await offboardingRecord(stack, offboardingId);
    expect(record.accounts).toHaveLength(25);
    expect(record.accounts.every((a) => a.rotation.startsWith('rotated') && !a.attention)).toBe(true);
  });

  it('asks the director to rotate and to appoint a new admin when the employee was the only admin', async () => {
    const [leaver, poster] = [await hire(stack, 'PRD', 'Sole admin'), await hire(stack, 'PRD', 'Poster')];
    const [account] = await seedAccounts(stack, 1, [grantFor(leaver), grantFor(poster, 'POSTER', false)]);
    const { accountId, handle } = account as { accountId: string; handle: string };
    const offboardingId = String((await separate(stack, leaver.id)).body.offboardingId);
    const appointLink = await taskLinkFor(stack, 'dbaca@cabq.example', handle, /^Action needed: appoint/);
    const rotateLink = await taskLinkFor(stack, 'dbaca@cabq.example', handle, /^Action needed: change/);

    const refused = await taskAction(stack, 'E100', appointLink, { action: 'appoint', personId: leaver.id });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { fields: Record<string, string> }).fields.personId).toMatch(/separated/);
    expect((await taskAction(stack, 'E100', appointLink, { action: 'appoint', personId: poster.id })).status).toBe(200);
    await rotate(stack, 'E100', rotateLink);

    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    const admins = (await grantsOn(accountId)).filter((g) => g.status === 'ACTIVE' && g.role === 'ADMIN');
    expect(admins).toEqual([expect.objectContaining({ personId: poster.id, authorizedById: 'E100', sourceRequestId: offboardingId })]);
    const record = await offboardingRecord(stack, offboardingId);
    expect(record.accounts[0]?.appointment).toMatch(new RegExp(`^appointed ${poster.name} — confirmed by Dolores Baca`));
    // The separated employee can no longer use the service at all.
    expect((await as(stack, leaver.id).get('/requests')).status).toBe(403);
  });

  it('waits for a future separation date, then revokes once the date has come', async () => {
    const leaver = await hire(stack, 'PRD', 'Future');
    const [account] = await seedAccounts(stack, 1, [grantFor(leaver, 'POSTER', false)]);
    const { accountId } = account as { accountId: string };
    const offboardingId = String((await separate(stack, leaver.id, denverDaysFromNow(2))).body.offboardingId);
    await waitUntilWaiting(stack, offboardingId);
    expect(stack.sfn.waitingOn(offboardingId)).toEqual([{ execution: offboardingId, state: 'AwaitSeparationDate' }]);
    expect((await offboardingRecord(stack, offboardingId)).status).toBe('SCHEDULED');
    // A wait that ends before the date (one of its 20-day slices) only waits again.
    // expireWaits drops the ended wait at once, so the wait seen next is a new one: the execution
    // went round to the date wait again. Had it gone on to revoke instead, it could not be parked
    // there now (revoking comes after that wait), so the grant and the record are checked only then.
    expect(stack.sfn.expireWaits(offboardingId)).toBe(1);
    await waitUntilWaiting(stack, offboardingId);
    expect(stack.sfn.waitingOn(offboardingId)).toEqual([{ execution: offboardingId, state: 'AwaitSeparationDate' }]);
    expect((await grantsOn(accountId))[0]?.status).toBe('ACTIVE');
    expect((await offboardingRecord(stack, offboardingId)).status).toBe('SCHEDULED');

    stack.advanceClock(3);
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    expect((await grantsOn(accountId))[0]?.status).toBe('REVOKED');
    // A poster without the credential: nothing to rotate, nobody emailed a task.
    const record = await offboardingRecord(stack, offboardingId);
    expect(record.accounts[0]).toMatchObject({ rotation: 'not needed', appointment: 'not needed', attention: false });
  });

  it('starts one offboarding from five copies of the event, in a row and at once', async () => {
    const [leaver, stayer] = [await hire(stack, 'DTI', 'Duplicate'), await hire(stack, 'DTI', 'Other')];
    const [account] = await seedAccounts(stack, 1, [grantFor(leaver), grantFor(stayer)], { code: 'DTI', name: 'Department of Technology and Innovation' });
    const date = denverToday();
    const sequential = [];
    for (let i = 0; i < 5; i++) sequential.push(await separate(stack, leaver.id, date));
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => separate(stack, leaver.id, date)));
    const all = [...sequential, ...concurrent];
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(202));
    const offboardingId = `off-${leaver.id}-${date.replaceAll('-', '')}`;
    expect(new Set(all.map((r) => r.body.offboardingId))).toEqual(new Set([offboardingId]));
    expect(await executionsNamed(`off-${leaver.id}-`)).toHaveLength(1);

    const link = await taskLinkFor(stack, stayer.email, (account as { handle: string }).handle);
    await waitForEmail(stack, (e) => e.subject.startsWith('Offboarding started') && e.subject.includes(leaver.id));
    const mail = await mailbox(stack);
    expect(mail.filter((e) => e.subject.startsWith('Offboarding started') && e.subject.includes(leaver.id))).toHaveLength(2);
    expect(mail.filter((e) => e.to.includes(stayer.email))).toHaveLength(1);
    await rotate(stack, stayer.id, link);
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    // After it has finished, a late copy still starts nothing.
    expect((await separate(stack, leaver.id, date)).status).toBe(202);
    expect(await executionsNamed(`off-${leaver.id}-`)).toHaveLength(1);
  });

  it('refuses the separation of an unknown employee with 422 and no record link, alerts DTI once, and changes nothing', async () => {
    const before = (await scan(stack.tableName)).length;
    const date = denverToday();
    const put = await separate(stack, 'E999', date);
    expect(put.status).toBe(422);
    expect(put.body).toMatchObject({
      error: 'UnknownEmployeeError',
      message: expect.stringMatching(/^Employee E999 is not in the directory.*DTI has been alerted/),
    });
    expect(put.body).not.toHaveProperty('record');
    expect(put.body).not.toHaveProperty('offboardingId');
    // The refusal is the consumer's; the alert is the execution's (its first step finds nobody).
    const offboardingId = `off-E999-${date.replaceAll('-', '')}`;
    expect(await stack.sfn.result(offboardingId)).toMatchObject({ status: 'FAILED', error: 'UnknownEmployeeError' });
    const alert = await waitForEmail(stack, (e) => e.subject.includes('E999') && e.to.includes('dti-social-registry@cabq.example'));
    expect(alert.subject).toMatch(/not in the directory/);

    // The same separation again is refused the same way and alerts nobody a second time.
    const again = await separate(stack, 'E999', date);
    expect(again.status).toBe(422);
    expect(await executionsNamed('off-E999-')).toHaveLength(1);
    expect((await mailbox(stack)).filter((e) => e.subject === alert.subject && e.to.includes('dti-social-registry@cabq.example'))).toHaveLength(1);
    expect((await scan(stack.tableName)).length).toBe(before);
    // Nothing to link to: there is no record.
    expect((await as(stack, 'E400').get(`/offboardings/${offboardingId}`)).status).toBe(404);
  });

  it('completes with the other accounts revoked and rotated when one account is missing from the registry, which is revoked and reported FAILED', async () => {
    const [leaver, stayer] = [await hire(stack, 'LIB', 'Three accounts'), await hire(stack, 'LIB', 'Co-admin')];
    const accounts = await seedAccounts(stack, 3, [grantFor(leaver), grantFor(stayer)], library);
    const [good1, lost, good2] = accounts as [(typeof accounts)[0], (typeof accounts)[0], (typeof accounts)[0]];
    await db().send(new DeleteCommand({ TableName: stack.tableName, Key: { PK: `ACCOUNT#${lost.accountId}`, SK: 'PROFILE' } }));

    const put = await separate(stack, leaver.id);
    expect(put.status).toBe(202);
    const offboardingId = String(put.body.offboardingId);
    const links = await Promise.all([good1, good2].map((a) => taskLinkFor(stack, stayer.email, a.handle)));

    const started = await waitForEmail(
      stack,
      (e) => e.subject.startsWith('Offboarding started') && e.subject.includes(leaver.id) && e.to.includes('dti-social-registry@cabq.example'),
    );
    expect(started.subject).toContain('3 accounts (1 FAILED)');
    expect(started.text).toContain(`FAILED — ${lost.accountId} is not in the registry`);
    for (const link of links) await rotate(stack, stayer.id, link);

    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    const record = await offboardingRecord(stack, offboardingId);
    expect(record.status).toBe('COMPLETED');
    const line = (id: string) => record.accounts.find((a) => a.accountId === id);
    for (const good of [good1, good2]) {
      expect(line(good.accountId)).toMatchObject({ failed: false, rotation: expect.stringMatching(/^rotated — confirmed by /) });
      expect((await grantsOn(good.accountId)).find((g) => g.personId === leaver.id)).toMatchObject({ status: 'REVOKED', revokedBySourceId: offboardingId });
    }
    expect(line(lost.accountId)).toMatchObject({
      failed: true,
      failure: expect.stringMatching(/^FAILED — acct-\S+ is not in the registry, though grants on it are \(AccountNotInRegistry, /),
      revoked: expect.stringMatching(/^admin grant revoked/),
      rotation: expect.stringMatching(/^NOT STARTED — the former employee could know the shared password/),
      attention: true,
    });
    // Access is cut off on the lost account too: its grant is revoked, though the registry has no entry.
    const lostGrants = await grantItems(lost.accountId);
    expect(lostGrants.find((g) => g.personId === leaver.id)).toMatchObject({ status: 'REVOKED', revokedBySourceId: offboardingId });
    expect(lostGrants.find((g) => g.personId === stayer.id)?.status).toBe('ACTIVE');
    // Nobody was asked to act on it, and nothing was staged in the vault for it.
    expect((await mailbox(stack)).filter((e) => e.text.includes('/tasks/') && e.subject.includes(lost.accountId))).toEqual([]);
    expect(await vault.versions(lost.accountId)).toEqual({});

    const page = await (await fetch(`${stack.baseUrl}/offboardings/${offboardingId}`, { headers: { cookie: 'dev_user=E400', accept: 'text/html' } })).text();
    expect(page).toContain('1 account could not be offboarded as planned');
    expect(page).toContain(`FAILED — ${lost.accountId} is not in the registry`);
    const finished = await waitForEmail(
      stack,
      (e) => e.subject.startsWith('Offboarding finished with items needing attention') && e.subject.includes(leaver.id),
    );
    expect(finished.text).toContain(`FAILED — ${lost.accountId} is not in the registry`);
  });

  it('catches an account whose step fails inside the Map, records it FAILED with the error, revokes its grant, and goes on with the rest', async () => {
    const [leaver, stayer] = [await hire(stack, 'PRD', 'Broken account'), await hire(stack, 'PRD', 'Other admin')];
    const [good] = (await seedAccounts(stack, 1, [grantFor(leaver), grantFor(stayer)])) as [{ accountId: string; handle: string }];
    // An account id the offboarding step refuses (InvalidInputError: not retried), as a stand-in for any failure of one account.
    const broken = `acct_broken_${good.accountId.slice(-6)}`;
    await db().send(
      new PutCommand({
        TableName: stack.tableName,
        Item: grantItem({
          accountId: broken,
          personId: leaver.id,
          personName: leaver.name,
          role: 'ADMIN',
          receivesCredential: true,
          authorizedById: 'E100',
          authorizedByName: 'Dolores Baca',
          authorizedAt: new Date().toISOString(),
          sourceRequestId: 'na-broken',
          status: 'ACTIVE',
        }),
      }),
    );

    const offboardingId = String((await separate(stack, leaver.id)).body.offboardingId);
    await rotate(stack, stayer.id, await taskLinkFor(stack, stayer.email, good.handle));

    const execution = await stack.sfn.result(offboardingId);
    expect(execution?.status).toBe('SUCCEEDED');
    const record = await offboardingRecord(stack, offboardingId);
    expect(record).toMatchObject({ status: 'COMPLETED', accountCount: 2 });
    expect(record.accounts.find((a) => a.accountId === good.accountId)).toMatchObject({ failed: false, attention: false });
    expect(record.accounts.find((a) => a.accountId === broken)).toMatchObject({
      failed: true,
      failure: expect.stringMatching(/^FAILED — The account offboarding input is invalid\. \(InvalidInputError/),
      revoked: expect.stringMatching(/^admin grant revoked/),
    });
    expect((await grantItems(broken))[0]).toMatchObject({ status: 'REVOKED', revokedBySourceId: offboardingId });
    const started = await waitForEmail(stack, (e) => e.subject.startsWith('Offboarding started') && e.subject.includes(leaver.id));
    expect(started.subject).toContain('(1 FAILED)');
    expect(started.text).toContain('FAILED — The account offboarding input is invalid.');
  });

  it.each([
    ['a detail without an employee id', { source: 'cabq.hr', 'detail-type': 'Employee Separated', detail: { separationDate: '2026-12-01' } }, /employeeId/],
    [
      'an impossible date',
      { source: 'cabq.hr', 'detail-type': 'Employee Separated', detail: { employeeId: 'E102', separationDate: '2026-02-30' } },
      /not a calendar date/,
    ],
    [
      'an unexpected field',
      { source: 'cabq.hr', 'detail-type': 'Employee Separated', detail: { employeeId: 'E102', separationDate: '2026-12-01', ssn: 'x' } },
      /ssn/,
    ],
    [
      'another source',
      { source: 'someone.else', 'detail-type': 'Employee Separated', detail: { employeeId: 'E102', separationDate: '2026-12-01' } },
      /No rule matches/,
    ],
    [
      'an update for a new person without a name',
      {
        source: 'cabq.hr',
        'detail-type': 'Employee Updated',
        detail: {
          employeeId: 'T-new',
          email: 'x@cabq.example',
          departmentCode: 'PRD',
          status: 'ACTIVE',
          effectiveAt: '2026-12-01T09:30:00-07:00',
          sequence: 0,
        },
      },
      /name: name is required/,
    ],
    [
      'an update that carries only the change, not the whole record',
      { source: 'cabq.hr', 'detail-type': 'Employee Updated', detail: { employeeId: 'E102', title: 'Senior Coordinator' } },
      /name: name is required; email: .*effectiveAt: .*sequence: /,
    ],
  ])('refuses a malformed event (%s) with what is wrong, and starts nothing', async (_what, entry, message) => {
    const executions = (await scan(stack.sfn.executionsTable)).length;
    const items = (await scan(stack.tableName)).length;
    const put = await stack.hr.put(entry);
    expect(put.status).toBeGreaterThanOrEqual(400);
    expect(String(put.body.message)).toMatch(message);
    expect((await scan(stack.sfn.executionsTable)).length).toBe(executions);
    expect((await scan(stack.tableName)).length).toBe(items);
  });

  it('reminds with the same link, escalates to the director with a new one, then expires and says so', async () => {
    const [leaver, stayer] = [await hire(stack, 'LIB', 'Leaving'), await hire(stack, 'LIB', 'Slow')];
    const [account] = await seedAccounts(stack, 1, [grantFor(leaver), grantFor(stayer)], library);
    const { handle } = account as { handle: string };
    const offboardingId = String((await separate(stack, leaver.id)).body.offboardingId);
    const first = await taskLinkFor(stack, stayer.email, handle);
    await waitUntilWaiting(stack, offboardingId);

    stack.sfn.expireWaits(offboardingId);
    const reminder = await taskLinkFor(stack, stayer.email, handle, /^Reminder: /);
    expect(reminder.url).toBe(first.url);
    await waitUntilWaiting(stack, offboardingId);

    stack.sfn.expireWaits(offboardingId);
    const escalated = await taskLinkFor(stack, 'glucero@cabq.example', handle, /^Escalated to you: /);
    expect(escalated.taskId).not.toBe(first.taskId);
    expect((await taskAction(stack, stayer.id, first, { action: 'reveal' })).status).toBe(410);
    await waitUntilWaiting(stack, offboardingId);

    stack.sfn.expireWaits(offboardingId);
    await taskLinkFor(stack, 'glucero@cabq.example', handle, /^Reminder: /);
    await waitUntilWaiting(stack, offboardingId);
    stack.sfn.expireWaits(offboardingId);

    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
    const record = await offboardingRecord(stack, offboardingId);
    expect(record.tasks[0]).toMatchObject({ status: 'EXPIRED', round: 1 });
    expect(record.accounts[0]).toMatchObject({ attention: true });
    expect(record.accounts[0]?.rotation).toMatch(/^EXPIRED/);
    const final = await waitForEmail(stack, (e) => e.subject.startsWith('Offboarding finished with items needing attention') && e.subject.includes(leaver.id));
    expect(final.text).toContain('EXPIRED');
    expect((await taskAction(stack, 'E200', escalated, { action: 'reveal' })).status).toBe(410);
  });

  it('keeps task links and staged passwords working across a restart of the local stack', async () => {
    const [leaver, stayer] = [await hire(stack, 'PRD', 'Restart leaver'), await hire(stack, 'PRD', 'Restart stayer')];
    const [account] = await seedAccounts(stack, 1, [grantFor(leaver), grantFor(stayer)]);
    const offboardingId = String((await separate(stack, leaver.id)).body.offboardingId);
    const link = await taskLinkFor(stack, stayer.email, (account as { handle: string }).handle);
    await waitUntilWaiting(stack, offboardingId);
    const sent = () => mailbox(stack).then((m) => m.filter((e) => e.to.includes(stayer.email)).length);
    const before = await sent();

    stack = await restartTestStack(stack);
    expect(stack.resumed).toContain(offboardingId);
    await waitUntilWaiting(stack, offboardingId);
    expect(await sent()).toBe(before);

    await rotate(stack, stayer.id, link);
    expect((await stack.sfn.result(offboardingId))?.status).toBe('SUCCEEDED');
  });
});
