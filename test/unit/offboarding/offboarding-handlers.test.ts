import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localKeys } from '#adapters/link-keys';
import { hashSecret } from '#core/approval-link';
import { maxDateWaitSeconds, separationStartsAt } from '#offboarding/hr-events';
import type { Offboarding, OffboardingTask, TaskLink } from '#offboarding/offboarding';
import { setFunctionEnv, testLinkKey } from '../env.ts';
import { formPost, httpEvent, jsonPost, lambdaContext } from '../events.ts';
import { grantItem } from '#adapters/store';
import type { AccountPlan } from '#offboarding/offboarding';
import { account, accountId, grant, named, offboardingId, person, rotationTask, rotationVersionId } from '../fixtures.ts';
import type { NamedPerson } from '#core/request';

type OpenModule = typeof import('#offboarding/handlers/open-offboarding');
type TrackModule = typeof import('#offboarding/handlers/track-offboarding-tasks');
type CompleteModule = typeof import('#offboarding/handlers/complete-offboarding-task');
type OffboardAccountModule = typeof import('#offboarding/handlers/offboard-account');
type ReportModule = typeof import('#offboarding/handlers/report-offboarding');
let offboardAccount: OffboardAccountModule['offboardAccount'];
let reportOffboarding: ReportModule['reportOffboarding'];
let openOffboarding: OpenModule['openOffboarding'];
let trackOffboardingTasks: TrackModule['trackOffboardingTasks'];
let completeOffboardingTask: CompleteModule['completeOffboardingTask'];
let completeHandler: CompleteModule['handler'];

beforeAll(async () => {
  setFunctionEnv();
  delete process.env.LOCAL_CLOCK_OFFSET_MS;
  delete process.env.VAULT_SECRET_PREFIX;
  ({ openOffboarding } = await import('#offboarding/handlers/open-offboarding'));
  ({ trackOffboardingTasks } = await import('#offboarding/handlers/track-offboarding-tasks'));
  ({ completeOffboardingTask, handler: completeHandler } = await import('#offboarding/handlers/complete-offboarding-task'));
  ({ offboardAccount } = await import('#offboarding/handlers/offboard-account'));
  ({ reportOffboarding } = await import('#offboarding/handlers/report-offboarding'));
});

const keys = localKeys(Buffer.from(testLinkKey, 'base64'));
const taskToken = 'AQCEAAAAKgAAAA-raw-task-token-from-step-functions-offboarding';
const pk = `OFFBOARD#${offboardingId}`;
const metaKey = { PK: pk, SK: 'META' };
const taskKey = { PK: pk, SK: `TASK#${accountId}#ROTATE` };
const linkKey = (l: Pick<TaskLink, 'round' | 'recipient'>) => ({ PK: pk, SK: `LINK#${accountId}#ROTATE#${l.round}#${l.recipient.id}` });
const versionId = rotationVersionId;
/** "Is anything open?": the open-task markers, read one at a time. */
const openQuery = { ExpressionAttributeValues: { ':pk': pk, ':open': 'OPEN#' } };
const openMarker = { PK: pk, SK: `OPEN#${accountId}#ROTATE` };

function offboarding(overrides: Partial<Offboarding> = {}): Offboarding {
  return {
    offboardingId,
    employee: { ...named('E102'), departmentCode: 'PRD' },
    separationDate: '2026-01-15',
    notBefore: '2026-01-15T07:00:00.000Z',
    status: 'IN_PROGRESS',
    createdAt: '2026-01-10T15:00:02.000Z',
    startedAt: '2026-01-15T07:00:03.000Z',
    accountCount: 1,
    ...overrides,
  };
}

const rotation = rotationTask;

async function taskLinkFor(recipient: NamedPerson, approvalId: string, overrides: Partial<TaskLink> = {}): Promise<TaskLink> {
  return {
    offboardingId,
    accountId,
    kind: 'ROTATE',
    round: 0,
    approvalId,
    recipient,
    secretHash: hashSecret(await keys.linkSecret(approvalId)),
    createdAt: '2026-01-15T07:00:04.000Z',
    emailedAt: '2026-01-15T07:00:05.000Z',
    remindersSent: 0,
    ...overrides,
  };
}

const asItem = (key: { PK: string; SK: string }, value: object) => ({ Item: { ...key, ...value } });

describe('open-offboarding', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);
  const futureId = 'off-E102-20990630';

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    ddb.on(GetCommand, { Key: { PK: 'PERSON#E102', SK: 'PROFILE' } }).resolves(asItem({ PK: 'PERSON#E102', SK: 'PROFILE' }, person('E102')));
    ddb.on(GetCommand, { Key: { PK: 'PERSON#E999', SK: 'PROFILE' } }).resolves({});
    ddb.on(PutCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});
  });

  it('records a past separation once, as scheduled from local midnight, and says it is due', async () => {
    expect(await openOffboarding({ offboardingId, employeeId: 'E102', separationDate: '2026-01-15' })).toEqual({ offboardingId, due: true, waitSeconds: 1 });

    expect(ddb).toHaveReceivedCommandExactlyOnceWith(PutCommand, {
      TableName: 'governance-test',
      ConditionExpression: 'attribute_not_exists(PK)',
      Item: expect.objectContaining({
        ...metaKey,
        offboardingId,
        employee: { ...named('E102'), departmentCode: 'PRD' },
        separationDate: '2026-01-15',
        notBefore: separationStartsAt('2026-01-15').toISOString(),
        status: 'SCHEDULED',
      }),
    });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('says a future separation is not due yet and how long to wait, capped', async () => {
    expect(await openOffboarding({ offboardingId: futureId, employeeId: 'E102', separationDate: '2099-06-30' })).toEqual({
      offboardingId: futureId,
      due: false,
      waitSeconds: maxDateWaitSeconds,
    });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ notBefore: '2099-06-30T06:00:00.000Z', status: 'SCHEDULED' }) });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('answers a repeated open of a recorded offboarding the same way', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    expect(await openOffboarding({ offboardingId, employeeId: 'E102', separationDate: '2026-01-15' })).toEqual({ offboardingId, due: true, waitSeconds: 1 });
  });

  it('refuses an employee the directory does not know with UnknownEmployeeError and writes nothing', async () => {
    await expect(openOffboarding({ offboardingId: 'off-E999-20260115', employeeId: 'E999', separationDate: '2026-01-15' })).rejects.toMatchObject({
      name: 'UnknownEmployeeError',
      message: expect.stringContaining('E999'),
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: 'PERSON#E999', SK: 'PROFILE' } });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it.each([
    ['another employee', { offboardingId, employeeId: 'E103', separationDate: '2026-01-15' }],
    ['another date', { offboardingId, employeeId: 'E102', separationDate: '2026-01-16' }],
  ])('refuses an offboarding id that does not match %s, before reading anything', async (_what, input) => {
    await expect(openOffboarding(input)).rejects.toMatchObject({ name: 'InvalidInputError', status: 400 });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('refuses a date that is not on the calendar, before reading anything', async () => {
    await expect(openOffboarding({ offboardingId: 'off-E102-20260230', employeeId: 'E102', separationDate: '2026-02-30' })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('refuses an input that is neither an open nor a wait', async () => {
    await expect(openOffboarding({ offboardingId, employeeId: 'E102' })).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(openOffboarding({ offboardingId, employeeId: 'E102', separationDate: '2026-01-15', extra: 1 })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('settles the wait token at once when the separation date has come', async () => {
    ddb.on(GetCommand, { Key: metaKey }).resolves(asItem(metaKey, offboarding({ status: 'SCHEDULED' })));

    expect(await openOffboarding({ offboardingId, waitSeconds: 3600, taskToken })).toEqual({ offboardingId, due: true, waitSeconds: 1 });

    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}')).toEqual({ due: true });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('leaves the wait token to its timeout while the date is ahead', async () => {
    const futureKey = { PK: `OFFBOARD#${futureId}`, SK: 'META' };
    const future = offboarding({ offboardingId: futureId, separationDate: '2099-06-30', notBefore: '2099-06-30T06:00:00.000Z', status: 'SCHEDULED' });
    ddb.on(GetCommand, { Key: futureKey }).resolves(asItem(futureKey, future));

    expect(await openOffboarding({ offboardingId: futureId, waitSeconds: maxDateWaitSeconds, taskToken })).toEqual({
      offboardingId: futureId,
      due: false,
      waitSeconds: maxDateWaitSeconds,
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('refuses to wait for an offboarding that is not recorded', async () => {
    ddb.on(GetCommand, { Key: metaKey }).resolves({});

    await expect(openOffboarding({ offboardingId, waitSeconds: 3600, taskToken })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });
});

describe('track-offboarding-tasks', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);
  const ses = mockClient(SESClient);
  const follow = { offboardingId, maxReminders: 1, waitSeconds: 3600 };
  const tasksQuery = { ExpressionAttributeValues: { ':pk': pk, ':sk': 'TASK#' } };
  const linksQuery = { ExpressionAttributeValues: { ':pk': pk, ':sk': `LINK#${accountId}#ROTATE#` } };
  const tomId = 'TomTomTomTomTomTomTom0';
  const graceId = 'GraceGraceGraceGrace01';
  const doloresId = 'DoloresDoloresDolores2';

  /** The table as a sweep sees it: the tasks before it, the task after its own move, and the task's links. */
  function table(before: OffboardingTask, after: OffboardingTask, links: TaskLink[]) {
    ddb.on(QueryCommand, tasksQuery).resolves({ Items: [{ ...taskKey, ...before }] });
    ddb.on(GetCommand, { Key: taskKey }).resolves(asItem(taskKey, after));
    ddb.on(QueryCommand, linksQuery).resolves({ Items: links.map((l) => ({ ...linkKey(l), ...l })) });
  }

  const mails = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
  const chases = () => ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.SK === taskKey.SK);
  const linkMarks = () => ddb.commandCalls(UpdateCommand).filter((c) => String(c.args[0].input.Key?.SK).startsWith('LINK#'));

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    ses.reset();
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'mail-1' });
  });

  it('parks the token sealed and settles it at once when nothing is open, clearing a marker its task outlived', async () => {
    ddb
      .on(QueryCommand, openQuery)
      .resolvesOnce({ Items: [openMarker] })
      .resolves({ Items: [] });
    ddb.on(GetCommand, { Key: taskKey }).resolves(asItem(taskKey, rotation({ status: 'DONE', doneByName: 'Tom Sandoval' })));

    expect(await trackOffboardingTasks({ ...follow, sweep: 0, taskToken })).toEqual({ open: 0 });

    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update).toMatchObject({ Key: metaKey, UpdateExpression: 'SET sealedToken = :t' });
    expect(JSON.stringify(update)).not.toContain(taskToken);
    const sealed = update?.ExpressionAttributeValues?.[':t'] as string;
    expect(await keys.openToken(sealed, offboardingId)).toBe(taskToken);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(DeleteCommand, { Key: openMarker });

    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}')).toEqual({ open: 0 });
    expect(ses).not.toHaveReceivedAnyCommand();
  });

  it('parks the token before it looks for open tasks, and keeps waiting while one is open', async () => {
    ddb.on(QueryCommand, openQuery).resolves({ Items: [openMarker] });
    ddb.on(GetCommand, { Key: taskKey }).resolves(asItem(taskKey, rotation()));

    expect(await trackOffboardingTasks({ ...follow, sweep: 0, taskToken })).toEqual({ open: 1 });

    const store = ddb.commandCalls(UpdateCommand)[0];
    const count = ddb.commandCalls(QueryCommand)[0];
    expect(store && count && store.calledBefore(count)).toBe(true);
    expect(ddb).not.toHaveReceivedCommand(DeleteCommand);
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('sends one reminder per current-round link, to the same URL, and marks each', async () => {
    const links = [await taskLinkFor(named('E103'), tomId), await taskLinkFor(named('E200'), graceId)];
    const before = rotation({ recipients: [named('E103'), named('E200')] });
    table(before, { ...before, remindersSent: 1, lastSweep: 1 }, links);

    expect(await trackOffboardingTasks({ ...follow, sweep: 1 })).toEqual({ open: 1 });

    expect(chases()).toHaveLength(1);
    expect(chases()[0]?.args[0].input).toMatchObject({
      UpdateExpression: expect.stringContaining('remindersSent = remindersSent + :one'),
      ExpressionAttributeValues: expect.objectContaining({ ':sweep': 1, ':sent': 0, ':round': 0 }),
    });
    expect(mails().map((m) => m.Destination?.ToAddresses)).toEqual([['tsandoval@cabq.example'], ['glucero@cabq.example']]);
    for (const [i, mail] of mails().entries()) {
      const link = links[i] as TaskLink;
      expect(mail.Message?.Subject?.Data).toMatch(/^Reminder: /);
      expect(mail.Message?.Body?.Text?.Data).toContain(`https://example.test/tasks/${link.approvalId}?s=${await keys.linkSecret(link.approvalId)}`);
    }
    // Each reminder is claimed on its link before it goes out, then confirmed with the link's reminder count.
    for (const link of links) {
      expect(
        linkMarks()
          .filter((c) => c.args[0].input.Key?.SK === linkKey(link).SK)
          .map((c) => c.args[0].input),
      ).toEqual([
        expect.objectContaining({
          ConditionExpression: expect.stringContaining('attribute_not_exists(#m)'),
          ExpressionAttributeNames: { '#m': 'mail:reminder-1' },
        }),
        expect.objectContaining({
          ExpressionAttributeNames: expect.objectContaining({ '#m': 'mail:reminder-1', '#f0': 'remindersSent' }),
          ExpressionAttributeValues: expect.objectContaining({ ':f0': 1 }),
        }),
      ]);
    }
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('reminds only the escalated recipient once a task is escalated', async () => {
    // Tom's first-round link is behind on reminders too: only the current round may be reminded.
    const links = [await taskLinkFor(named('E103'), tomId), await taskLinkFor(named('E100'), doloresId, { round: 1 })];
    const before = rotation({ round: 1, remindersSent: 0, lastSweep: 2, escalatedAt: '2026-01-21T07:00:00.000Z' });
    table(before, { ...before, remindersSent: 1, lastSweep: 3 }, links);

    expect(await trackOffboardingTasks({ ...follow, sweep: 3 })).toEqual({ open: 1 });

    expect(mails().map((m) => m.Destination?.ToAddresses)).toEqual([['dbaca@cabq.example']]);
    expect(mails()[0]?.Message?.Body?.Text?.Data).toContain(`/tasks/${doloresId}?s=`);
  });

  it('escalates with a new link for the escalation target alone', async () => {
    const links = [await taskLinkFor(named('E103'), tomId, { remindersSent: 1 })];
    const before = rotation({ remindersSent: 1, lastSweep: 1 });
    table(before, { ...before, round: 1, remindersSent: 0, lastSweep: 2, escalatedAt: '2026-01-21T07:00:00.000Z' }, links);

    expect(await trackOffboardingTasks({ ...follow, sweep: 2 })).toEqual({ open: 1 });

    expect(chases()[0]?.args[0].input.UpdateExpression).toContain('#r = :one');
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    const created = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item as TaskLink & Record<string, unknown>;
    expect(created).toMatchObject({ SK: `LINK#${accountId}#ROTATE#1#E100`, round: 1, recipient: named('E100') });
    expect(created.secretHash).toBe(hashSecret(await keys.linkSecret(created.approvalId)));
    expect(mails().map((m) => m.Destination?.ToAddresses)).toEqual([['dbaca@cabq.example']]);
    expect(mails()[0]?.Message?.Subject?.Data).toMatch(/^Escalated to you: /);
  });

  it('moves nothing and mails nobody when the sweep was applied already', async () => {
    const links = [await taskLinkFor(named('E103'), tomId, { remindersSent: 1 })];
    const already = rotation({ remindersSent: 1, lastSweep: 1 });
    table(already, already, links);

    expect(await trackOffboardingTasks({ ...follow, sweep: 1 })).toEqual({ open: 1 });

    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ses).not.toHaveReceivedAnyCommand();
  });

  it('expires a task with no one left to escalate to and mails nobody', async () => {
    const before = rotation({ round: 1, remindersSent: 1, lastSweep: 3 });
    table(before, { ...before, status: 'EXPIRED', lastSweep: 4, expiredAt: '2026-01-30T07:00:00.000Z' }, []);

    expect(await trackOffboardingTasks({ ...follow, sweep: 4 })).toEqual({ open: 0 });

    expect(chases()[0]?.args[0].input.ExpressionAttributeValues).toMatchObject({ ':expired': 'EXPIRED', ':sweep': 4 });
    expect(ses).not.toHaveReceivedAnyCommand();
  });

  it('refuses a malformed follow-up input before reading anything', async () => {
    await expect(trackOffboardingTasks({ ...follow, sweep: -1 })).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(trackOffboardingTasks({ ...follow, offboardingId: 'off-../x-1', sweep: 1 })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});

describe('complete-offboarding-task', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sm = mockClient(SecretsManagerClient);
  const sfn = mockClient(SFNClient);
  const approvalId = 'AbCdEfGhIjKlMnOpQrStUv';
  const path = `/tasks/${approvalId}`;
  const password = 'Tq7#hN2-wXp9=Lk4@Rz8^Mv3';
  const secretName = `social-media/${accountId}`;
  let secret: string;
  let link: TaskLink;

  beforeAll(async () => {
    secret = await keys.linkSecret(approvalId);
    link = await taskLinkFor(named('E103'), approvalId);
  });

  /** The table as the link finds it: who is signed in, the link by its id, its task and its offboarding. */
  function table(task: OffboardingTask = rotation(), record: Offboarding = offboarding()) {
    for (const id of ['E100', 'E103']) {
      const p = person(id);
      ddb
        .on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': `EMAIL#${p.email}` } })
        .resolves({ Items: [{ PK: `PERSON#${id}`, SK: 'PROFILE', ...p }] });
    }
    // The signed-in viewer's navigation reads the City-wide role holders (none needed here).
    ddb.on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'ROLES' } }).resolves({ Items: [] });
    ddb
      .on(QueryCommand, { IndexName: 'ByApprovalId', ExpressionAttributeValues: { ':id': approvalId } })
      .resolves({ Items: [{ ...linkKey(link), approvalId }] });
    ddb.on(GetCommand, { Key: linkKey(link) }).resolves(asItem(linkKey(link), link));
    ddb.on(GetCommand, { Key: taskKey }).resolves(asItem(taskKey, task));
    ddb.on(GetCommand, { Key: metaKey }).resolves(asItem(metaKey, record));
  }

  const as = (id: string) => ({ email: person(id).email, pathParameters: { taskId: approvalId } });
  const post = (id: string, fields: Record<string, string>) => jsonPost(path, fields, as(id));
  const body = (res: { body?: string }) => JSON.parse(res.body ?? '{}') as Record<string, unknown>;

  beforeEach(() => {
    ddb.reset();
    sm.reset();
    sfn.reset();
    ddb.on(UpdateCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});
  });

  it('shows an open task on GET without a password and without reading the vault or changing anything', async () => {
    table();
    const res = await completeOffboardingTask(httpEvent({ path, query: { s: secret }, ...as('E103') }));

    expect(res.statusCode).toBe(200);
    expect(body(res)).toEqual({ offboardingId, accountId, task: 'ROTATE', link: 'open', revealed: false });
    expect(sm).not.toHaveReceivedAnyCommand();
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('renders the HTML page on GET for a browser, still without the password', async () => {
    table();
    const res = await completeOffboardingTask(httpEvent({ path, query: { s: secret }, headers: { accept: 'text/html' }, ...as('E103') }));

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Instagram @ABQParks');
    expect(res.body).not.toContain(password);
    expect(sm).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it('refuses a reveal by anyone but the link recipient with 403, never reading the vault', async () => {
    table();
    const res = await completeOffboardingTask(post('E100', { s: secret, action: 'reveal' }));

    expect(res.statusCode).toBe(403);
    expect(body(res)).toMatchObject({ link: 'wrong-person' });
    expect(body(res)).not.toHaveProperty('password');
    expect(sm).not.toHaveReceivedCommand(GetSecretValueCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses a reveal with a wrong secret as it refuses an unknown link (404, naming nothing), never reading the vault', async () => {
    table();
    await expect(completeOffboardingTask(post('E103', { s: 'x'.repeat(43), action: 'reveal' }))).rejects.toMatchObject({
      name: 'InvalidLinkError',
      status: 404,
    });
    expect(sm).not.toHaveReceivedAnyCommand();
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('reveals the new password to the recipient, recording the reveal before it is shown', async () => {
    table();
    sm.on(GetSecretValueCommand, { SecretId: secretName, VersionId: versionId }).resolves({ SecretString: password, VersionId: versionId });

    const res = await completeOffboardingTask(post('E103', { s: secret, action: 'reveal' }));

    expect(res.statusCode).toBe(200);
    expect(body(res)).toMatchObject({ link: 'open', revealed: true, password });
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
      Key: taskKey,
      UpdateExpression: 'SET reveals = list_append(reveals, :r)',
      ExpressionAttributeValues: expect.objectContaining({ ':r': [expect.objectContaining({ personId: 'E103', name: 'Tom Sandoval' })] }),
    });
    const recorded = ddb.commandCalls(UpdateCommand)[0];
    const read = sm.commandCalls(GetSecretValueCommand)[0];
    expect(recorded && read?.calledBefore(recorded)).toBe(true);
  });

  it('records no reveal when the vault has no password to show', async () => {
    table();
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));

    await expect(completeOffboardingTask(post('E103', { s: secret, action: 'reveal' }))).rejects.toThrow(/missing from the vault/);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses a confirmation before the recipient has seen the password, with 400 and no vault change', async () => {
    table();
    const res = await completeOffboardingTask(post('E103', { s: secret, action: 'confirm', setOnPlatform: 'yes' }));

    expect(res.statusCode).toBe(400);
    expect(body(res)).toMatchObject({ fields: { action: expect.stringMatching(/password first/) } });
    expect(sm).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses a confirmation without the ticked box, with 400 and no vault change', async () => {
    table(rotation({ reveals: [{ personId: 'E103', name: 'Tom Sandoval', at: '2026-01-16T10:00:00.000Z' }] }));
    const res = await completeOffboardingTask(post('E103', { s: secret, action: 'confirm' }));

    expect(res.statusCode).toBe(400);
    expect(body(res)).toMatchObject({ fields: { setOnPlatform: expect.stringContaining('Instagram @ABQParks') } });
    expect(sm).not.toHaveReceivedCommand(UpdateSecretVersionStageCommand);
  });

  it('promotes the new password, closes the task and resumes the execution when the last task is confirmed', async () => {
    const revealed = rotation({ reveals: [{ personId: 'E103', name: 'Tom Sandoval', at: '2026-01-16T10:00:00.000Z' }] });
    table(revealed, offboarding({ sealedToken: await keys.sealToken(taskToken, offboardingId) }));
    const previous = '0b5e4c1a-6f0e-4a8e-9d47-3c1f2b8a9e10';
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { [previous]: ['AWSCURRENT'], [versionId]: ['AWSPENDING'] } });
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    ddb.on(QueryCommand, openQuery).resolves({ Items: [] });

    const res = await completeOffboardingTask(formPost(path, { s: secret, action: 'confirm', setOnPlatform: 'yes' }, as('E103')));

    expect(res.statusCode).toBe(200);
    expect(body(res)).toMatchObject({ link: 'done' });
    expect(sm).toHaveReceivedCommandWith(UpdateSecretVersionStageCommand, {
      SecretId: secretName,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: versionId,
      RemoveFromVersionId: previous,
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: taskKey,
      ExpressionAttributeValues: expect.objectContaining({ ':done': 'DONE', ':id': 'E103' }),
    });
    // The account's password change is on record for the annual review (C, O.b), after the task closes,
    // and the account's credential record names the rotated version as the confirmed password (O.b).
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 3);
    expect(ddb.commandCalls(UpdateCommand)[1]?.args[0].input).toMatchObject({
      Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' },
      UpdateExpression: 'SET credentialChangedAt = :at',
    });
    expect(ddb.commandCalls(UpdateCommand)[2]?.args[0].input).toMatchObject({
      Key: { PK: `ACCOUNT#${accountId}`, SK: 'CREDENTIAL' },
      // A recording pending from before is dropped with it: confirming it later would bring back an old password.
      UpdateExpression: expect.stringContaining('REMOVE pendingVersionId, pendingSince, pendingBy, pendingLogin'),
      ExpressionAttributeValues: expect.objectContaining({ ':v': versionId, ':by': { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' } }),
    });
    const promoted = sm.commandCalls(UpdateSecretVersionStageCommand)[0];
    const closed = ddb.commandCalls(UpdateCommand)[0];
    expect(promoted && closed && promoted.calledBefore(closed)).toBe(true);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(DeleteCommand, { Key: openMarker });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken });
  });

  it('answers 404 through the wrapped handler for a link that does not exist', async () => {
    ddb.on(QueryCommand, { IndexName: 'GSI1' }).resolves({ Items: [person('E103')] });
    ddb.on(QueryCommand, { IndexName: 'ByApprovalId' }).resolves({ Items: [] });

    const res = await completeHandler(httpEvent({ path, query: { s: secret }, ...as('E103') }), lambdaContext);

    expect(res.statusCode).toBe(404);
    expect(body(res)).toMatchObject({ error: 'InvalidLinkError' });
    expect(sm).not.toHaveReceivedAnyCommand();
  });
});

describe('offboard-account', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);
  const sm = mockClient(SecretsManagerClient);
  const planKey = { PK: pk, SK: `ACCOUNT#${accountId}` };
  const profileKey = { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' };
  const grantsQuery = { ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#' } };
  const anaGrantKey = { PK: `ACCOUNT#${accountId}`, SK: `GRANT#E102#${grant().sourceRequestId}` };
  const tomGrant = grant({ personId: 'E103', personName: 'Tom Sandoval' });
  const updates = () => ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    sm.reset();
    ddb.on(GetCommand, { Key: metaKey }).resolves(asItem(metaKey, offboarding()));
    ddb.on(GetCommand, { Key: planKey }).resolves({});
    ddb.on(QueryCommand, grantsQuery).resolves({ Items: [grantItem(grant()), grantItem(tomGrant)] });
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
  });

  it('revokes the grants on an account missing from the registry, records it FAILED with why, and asks nobody to act', async () => {
    ddb.on(GetCommand, { Key: profileKey }).resolves({});

    expect(await offboardAccount({ offboardingId, accountId, waitSeconds: 3600 })).toEqual({ accountId, rotate: true, appoint: false, failed: true });

    expect(ddb).toHaveReceivedCommandExactlyOnceWith(PutCommand, {
      Item: expect.objectContaining({
        ...planKey,
        accountLabel: accountId,
        grants: [expect.objectContaining({ personId: 'E102', role: 'ADMIN' })],
        rotate: true,
        failure: expect.objectContaining({ error: 'AccountNotInRegistry', reason: expect.stringContaining('not in the registry') }),
      }),
    });
    expect(updates()).toContainEqual(
      expect.objectContaining({ Key: anaGrantKey, ExpressionAttributeValues: expect.objectContaining({ ':revoked': 'REVOKED', ':by': offboardingId }) }),
    );
    expect(updates().filter((u) => String(u.Key?.SK).startsWith('GRANT#E103'))).toEqual([]);
    expect(updates()).toContainEqual(expect.objectContaining({ Key: planKey, UpdateExpression: 'SET revokedAt = :at' }));
    expect(ses).not.toHaveReceivedAnyCommand();
    expect(sm).not.toHaveReceivedAnyCommand();
  });

  it("records a caught failure on the account's plan, making the plan, and still revokes the employee's grants", async () => {
    ddb.on(GetCommand, { Key: profileKey }).resolves(asItem(profileKey, account()));
    const cause = JSON.stringify({ errorType: 'Error', errorMessage: 'Rate exceeded', trace: ['at send (/var/task/index.mjs:1:1)'] });
    const stored: AccountPlan = {
      offboardingId,
      accountId,
      accountLabel: 'Instagram @ABQParks',
      departmentCode: 'PRD',
      departmentName: 'Parks and Recreation',
      grants: [{ personId: 'E102', role: 'ADMIN', receivesCredential: true, sourceRequestId: grant().sourceRequestId, authorizedByName: 'Dolores Baca' }],
      rotate: true,
      appoint: false,
      createdAt: '2026-01-15T07:00:10.000Z',
      failure: { error: 'States.TaskFailed', reason: 'Rate exceeded', at: '2026-01-15T07:00:10.000Z' },
    };
    ddb.on(UpdateCommand, { Key: planKey, ReturnValues: 'ALL_NEW' }).resolves({ Attributes: { ...planKey, entity: 'OffboardingAccount', ...stored } });

    const result = await offboardAccount({ offboardingId, accountId, failure: { Error: 'States.TaskFailed', Cause: cause } });

    expect(result).toEqual({ accountId, rotate: true, appoint: false, failed: true });
    const recorded = updates().find((u) => u.ReturnValues === 'ALL_NEW');
    // Every field only if it is not there yet: a plan made before the failure keeps its steps.
    expect(recorded?.UpdateExpression).toMatch(/^SET (#f\d+ = if_not_exists\(#f\d+, :v\d+\)(, )?)+$/);
    expect(Object.values(recorded?.ExpressionAttributeValues ?? {})).toContainEqual(
      expect.objectContaining({ error: 'States.TaskFailed', reason: 'Rate exceeded' }),
    );
    expect(JSON.stringify(recorded)).not.toContain('/var/task');
    expect(updates()).toContainEqual(
      expect.objectContaining({ Key: anaGrantKey, ExpressionAttributeValues: expect.objectContaining({ ':revoked': 'REVOKED' }) }),
    );
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ses).not.toHaveReceivedAnyCommand();
  });

  it('refuses an input that is neither an account to offboard nor a failure to record', async () => {
    await expect(offboardAccount({ offboardingId, accountId, failure: 'x' })).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(offboardAccount({ offboardingId, accountId: 'acct bad', waitSeconds: 1 })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});

describe('report-offboarding', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);
  const mails = () => ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
  const failedPlan: AccountPlan = {
    offboardingId,
    accountId: 'acct-lost-1',
    accountLabel: 'acct-lost-1',
    departmentCode: '',
    departmentName: 'not in the registry',
    grants: [{ personId: 'E102', role: 'ADMIN', receivesCredential: true, sourceRequestId: 'na-1', authorizedByName: 'Dolores Baca' }],
    rotate: true,
    appoint: false,
    createdAt: '2026-01-15T07:00:10.000Z',
    revokedAt: '2026-01-15T07:00:10.000Z',
    failure: { error: 'AccountNotInRegistry', reason: 'acct-lost-1 is not in the registry', at: '2026-01-15T07:00:10.000Z' },
  };

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    ddb.on(QueryCommand, { IndexName: 'GSI1' }).resolves({ Items: [] });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': pk } }).resolves({
      Items: [
        { ...metaKey, ...offboarding() },
        { PK: pk, SK: 'ACCOUNT#acct-lost-1', ...failedPlan },
      ],
    });
    ddb.on(GetCommand, { Key: metaKey }).resolves(asItem(metaKey, offboarding()));
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'mail-1' });
  });

  it('tells DTI which account FAILED and why, and what is still owed by hand, in the started summary', async () => {
    expect(await reportOffboarding({ offboardingId, stage: 'STARTED' })).toEqual({ status: 'IN_PROGRESS' });

    const [mail] = mails();
    expect(mail?.Destination?.ToAddresses).toEqual(['dti@example.test']);
    expect(mail?.Message?.Subject?.Data).toBe('Offboarding started: Ana Gallegos (E102), 1 account (1 FAILED)');
    const text = mail?.Message?.Body?.Text?.Data ?? '';
    expect(text).toContain('FAILED — acct-lost-1 is not in the registry (AccountNotInRegistry');
    expect(text).toContain('1 account FAILED and needs DTI');
    expect(text).toMatch(/password: NOT STARTED — the former employee could know the shared password/);
    expect(mail?.Message?.Body?.Html?.Data).toContain('FAILED — acct-lost-1 is not in the registry');
  });

  it('lists, in the failure alert, where each account had got to, the unreached ones too', async () => {
    const accountsKey = { PK: pk, SK: 'ACCOUNTS' };
    ddb.on(GetCommand, { Key: accountsKey }).resolves(asItem(accountsKey, { accountIds: ['acct-lost-1', 'acct-never-2'] }));

    expect(await reportOffboarding({ offboardingId, stage: 'FAILED', error: 'AccountFailureNotRecorded' })).toEqual({ status: 'FAILED' });

    const text = mails()[0]?.Message?.Body?.Text?.Data ?? '';
    expect(text).toContain('stopped with AccountFailureNotRecorded');
    expect(text).toContain('- acct-lost-1 (not in the registry)\n  FAILED — ');
    expect(text).toContain('- acct-never-2 (not reached)\n  access: not yet revoked');
  });
});
