import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Offboarding, OffboardingTask } from '#offboarding/offboarding';
import { setFunctionEnv } from '../env.ts';
import { accountId, named, offboardingId, rotationTask } from '../fixtures.ts';
import { metricsEmittedBy } from '../output.ts';

type TrackModule = typeof import('#offboarding/handlers/track-offboarding-tasks');
type ReportModule = typeof import('#offboarding/handlers/report-offboarding');
let trackOffboardingTasks: TrackModule['trackOffboardingTasks'];
let reportOffboarding: ReportModule['reportOffboarding'];
let metrics: typeof import('#adapters/metrics')['metrics'];

beforeAll(async () => {
  setFunctionEnv();
  ({ trackOffboardingTasks } = await import('#offboarding/handlers/track-offboarding-tasks'));
  ({ reportOffboarding } = await import('#offboarding/handlers/report-offboarding'));
  ({ metrics } = await import('#adapters/metrics'));
});

const pk = `OFFBOARD#${offboardingId}`;
const metaKey = { PK: pk, SK: 'META' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const asItem = (key: { PK: string; SK: string }, value: object) => ({ Item: { ...key, ...value } });

describe('what the offboarding follow-up and its report count', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);
  const follow = { offboardingId, maxReminders: 1, waitSeconds: 3600 };

  /** The sweep's table: one task before its move and after it, and no links (nothing to mail). */
  function tasks(before: OffboardingTask, after: OffboardingTask) {
    const key = { PK: pk, SK: `TASK#${accountId}#${before.kind}` };
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': pk, ':sk': 'TASK#' } }).resolves({ Items: [{ ...key, ...before }] });
    ddb.on(GetCommand, { Key: key }).resolves(asItem(key, after));
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': pk, ':sk': `LINK#${accountId}#${before.kind}#` } }).resolves({ Items: [] });
  }

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'mail-1' });
  });

  it('counts an expired rotation as expired and as overdue, in the separationOffboarding workflow', async () => {
    const before = rotationTask({ round: 1, remindersSent: 1, lastSweep: 3 });
    tasks(before, { ...before, status: 'EXPIRED', lastSweep: 4, expiredAt: '2026-01-30T07:00:00.000Z' });

    expect(await metricsEmittedBy(metrics, () => trackOffboardingTasks({ ...follow, sweep: 4 }))).toEqual([
      { workflow: 'separationOffboarding', Expired: 1, RotationOverdue: 1 },
    ]);
  });

  it('counts an expired appointment as expired only: no password is left known', async () => {
    const before = rotationTask({ kind: 'APPOINT', round: 1, remindersSent: 1, lastSweep: 3, versionId: undefined });
    tasks(before, { ...before, status: 'EXPIRED', lastSweep: 4 });

    expect(await metricsEmittedBy(metrics, () => trackOffboardingTasks({ ...follow, sweep: 4 }))).toEqual([{ workflow: 'separationOffboarding', Expired: 1 }]);
  });

  it('counts a reminder and an escalation once each, and nothing for a sweep another run applied first', async () => {
    const fresh = rotationTask();
    tasks(fresh, { ...fresh, remindersSent: 1, lastSweep: 1 });
    expect(await metricsEmittedBy(metrics, () => trackOffboardingTasks({ ...follow, sweep: 1 }))).toEqual([
      { workflow: 'separationOffboarding', ReminderSent: 1 },
    ]);

    const reminded = rotationTask({ remindersSent: 1, lastSweep: 1 });
    tasks(reminded, { ...reminded, round: 1, remindersSent: 0, lastSweep: 2 });
    expect(await metricsEmittedBy(metrics, () => trackOffboardingTasks({ ...follow, sweep: 2 }))).toEqual([
      { workflow: 'separationOffboarding', Escalated: 1 },
    ]);

    ddb.on(UpdateCommand, { Key: { PK: pk, SK: `TASK#${accountId}#ROTATE` } }).rejects(conditionFailed());
    expect(await metricsEmittedBy(metrics, () => trackOffboardingTasks({ ...follow, sweep: 2 }))).toEqual([]);
  });

  it('counts a new account’s credential capture in the credentialCapture workflow', async () => {
    const caseId = 'cap-20250301-0123456789abcdef';
    const before = rotationTask({ offboardingId: caseId, kind: 'CAPTURE', recipients: [named('E102')], escalateTo: null });
    const key = { PK: `OFFBOARD#${caseId}`, SK: `TASK#${accountId}#CAPTURE` };
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': key.PK, ':sk': 'TASK#' } }).resolves({ Items: [{ ...key, ...before }] });
    ddb.on(GetCommand, { Key: key }).resolves(asItem(key, { ...before, status: 'EXPIRED' }));

    expect(await metricsEmittedBy(metrics, () => trackOffboardingTasks({ ...follow, offboardingId: caseId, maxReminders: 0, sweep: 1 }))).toEqual([
      { workflow: 'credentialCapture', Expired: 1 },
    ]);
  });

  it('counts an offboarding finished once: the report whose write closes it, not a re-run that finds it closed', async () => {
    const offboarding: Offboarding = {
      offboardingId,
      employee: { ...named('E102'), departmentCode: 'PRD' },
      separationDate: '2026-01-15',
      notBefore: '2026-01-15T07:00:00.000Z',
      status: 'IN_PROGRESS',
      createdAt: '2026-01-10T15:00:02.000Z',
      accountCount: 0,
    };
    ddb.on(QueryCommand, { IndexName: 'GSI1' }).resolves({ Items: [] });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': pk } }).resolves({ Items: [{ ...metaKey, ...offboarding }] });
    ddb.on(GetCommand, { Key: metaKey }).resolves(asItem(metaKey, offboarding));

    expect(await metricsEmittedBy(metrics, () => reportOffboarding({ offboardingId, stage: 'FINISHED' }))).toEqual([
      { workflow: 'separationOffboarding', OffboardingFinished: 1 },
    ]);
    expect(await metricsEmittedBy(metrics, () => reportOffboarding({ offboardingId, stage: 'STARTED' }))).toEqual([]);

    ddb.on(UpdateCommand, { Key: metaKey }).rejects(conditionFailed());
    expect(await metricsEmittedBy(metrics, () => reportOffboarding({ offboardingId, stage: 'FINISHED' }))).toEqual([]);
  });
});
