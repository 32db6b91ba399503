import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFunctionEnv } from '../env.ts';
import { person } from '../fixtures.ts';
import { metricsEmittedBy } from '../output.ts';

type Module = typeof import('#offboarding/handlers/receive-hr-event');
let receiveHrEvent: Module['receiveHrEvent'];
let handleHrEvent: Module['handleHrEvent'];
let metrics: typeof import('#adapters/metrics')['metrics'];

const stateMachineArn = 'arn:aws:states:us-west-2:123456789012:stateMachine:separation-offboarding';

beforeAll(async () => {
  setFunctionEnv();
  process.env.STATE_MACHINE_ARN_SEPARATION_OFFBOARDING = stateMachineArn;
  delete process.env.HR_EVENT_SOURCE;
  ({ receiveHrEvent, handleHrEvent } = await import('#offboarding/handlers/receive-hr-event'));
  ({ metrics } = await import('#adapters/metrics'));
  // Only the date is fixed (10:00 in Albuquerque on 2026-03-01); the SDK mocks' promises run as usual.
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-01T17:00:00Z') });
});
afterAll(() => {
  vi.useRealTimers();
});

const separation = (separationDate: string) => ({
  version: '0',
  id: '0d3f6a2e-0000-4000-8000-000000000001',
  'detail-type': 'Employee Separated',
  source: 'cabq.hr',
  account: '123456789012',
  time: '2026-03-01T17:00:00Z',
  region: 'us-west-2',
  resources: [],
  detail: { employeeId: 'E102', separationDate },
});
/** An SQS batch of one message (only the fields the consumer reads). */
const sqs = (messageId: string, body: unknown) => ({ Records: [{ messageId, body: JSON.stringify(body) }] }) as unknown as SQSEvent;

const personKey = { PK: 'PERSON#E102', SK: 'PROFILE' };
const startKey = (offboardingId: string) => ({ PK: `OFFBOARD#${offboardingId}`, SK: 'START' });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('receive-hr-event: the date bound and the start claim', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);
  let order: string[];

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    order = [];
    ddb.on(GetCommand, { Key: personKey }).resolves({ Item: { ...personKey, entity: 'Person', ...person('E102') } });
    ddb.on(PutCommand).callsFake(() => {
      order.push('claim');
      return {};
    });
    ddb.on(UpdateCommand).callsFake(() => {
      order.push('mark');
      return {};
    });
    sfn.on(StartExecutionCommand).callsFake(() => {
      order.push('start');
      return { executionArn: `${stateMachineArn}:x`, startDate: new Date() };
    });
  });

  it('starts a separation dated 350 days after the day it arrives (2027-02-14)', async () => {
    expect(await handleHrEvent(separation('2027-02-14'))).toEqual({ kind: 'separated', employeeId: 'E102', offboardingId: 'off-E102-20270214', started: true });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn, name: 'off-E102-20270214' });
  });

  it('refuses a separation dated 351 days ahead (2027-02-15) by name, reads and writes nothing, and starts nothing', async () => {
    await expect(handleHrEvent(separation('2027-02-15'))).rejects.toMatchObject({
      name: 'SeparationTooFarAheadError',
      status: 422,
      message: expect.stringContaining('send the event again on or after 2026-03-02'),
    });
    // On the queue it fails as a malformed event does: retried, then kept in the dead-letter queue, whose alarm tells DTI.
    expect(await receiveHrEvent(sqs('far-1', separation('2027-02-15')))).toEqual({ batchItemFailures: [{ itemIdentifier: 'far-1' }] });
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('claims the offboarding in the table before it starts the execution, then records the start', async () => {
    await handleHrEvent(separation('2026-03-15'));

    expect(order).toEqual(['claim', 'start', 'mark']);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ ...startKey('off-E102-20260315'), entity: 'OffboardingStart', employeeId: 'E102', separationDate: '2026-03-15' }),
      ConditionExpression: 'attribute_not_exists(PK)',
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: startKey('off-E102-20260315'),
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(startedAt)',
      ExpressionAttributeValues: expect.objectContaining({ ':r': 'started' }),
    });
  });

  it('starts nothing for a copy of an event whose start the table has recorded, however long ago (the execution name may be free again)', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: startKey('off-E102-20260315') }).resolves({ Item: { ...startKey('off-E102-20260315'), startedAt: '2025-06-01T12:00:00.000Z' } });

    expect(await handleHrEvent(separation('2026-03-15'))).toEqual({
      kind: 'separated',
      employeeId: 'E102',
      offboardingId: 'off-E102-20260315',
      started: false,
    });
    expect(await receiveHrEvent(sqs('late-1', separation('2026-03-15')))).toEqual({ batchItemFailures: [] });
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('starts, by the same name, a claim an earlier delivery left without its start recorded, and records it', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: startKey('off-E102-20260315') }).resolves({ Item: { ...startKey('off-E102-20260315'), claimedAt: '2026-03-01T16:58:00.000Z' } });

    expect(await handleHrEvent(separation('2026-03-15'))).toMatchObject({ started: true });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn, name: 'off-E102-20260315' });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: startKey('off-E102-20260315') });
  });

  it('counts ExecutionAlreadyExists for such a claim as its start, and records it', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: startKey('off-E102-20260315') }).resolves({ Item: { ...startKey('off-E102-20260315') } });
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    expect(await receiveHrEvent(sqs('m-1', separation('2026-03-15')))).toEqual({ batchItemFailures: [] });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: startKey('off-E102-20260315'),
      ExpressionAttributeValues: expect.objectContaining({ ':r': 'exists' }),
    });
  });

  it("claims nothing for an unknown employee's separation (bad input records nothing) and still starts the execution that alerts DTI", async () => {
    ddb.on(GetCommand, { Key: { PK: 'PERSON#E999', SK: 'PROFILE' } }).resolves({});
    const event = { ...separation('2026-03-15'), detail: { employeeId: 'E999', separationDate: '2026-03-15' } };

    expect(await handleHrEvent(event)).toMatchObject({ refused: 'UnknownEmployeeError' });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn, name: 'off-E999-20260315' });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('reports the message back, with the claim left to its retry, when the start fails', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('Rate exceeded'));

    expect(await receiveHrEvent(sqs('m-1', separation('2026-03-15')))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(ddb).toHaveReceivedCommand(PutCommand);
    // Not marked started: the queue's next delivery finds the claim pending and starts it.
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('counts one offboarding started, in the separationOffboarding workflow, for the delivery that records the start', async () => {
    expect(await metricsEmittedBy(metrics, () => receiveHrEvent(sqs('m-1', separation('2026-03-15'))))).toEqual([
      { workflow: 'separationOffboarding', OffboardingStarted: 1 },
    ]);
  });

  it('counts nothing for a copy whose start is recorded, nor for one that raced it and lost the mark', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: startKey('off-E102-20260315') }).resolves({ Item: { ...startKey('off-E102-20260315'), startedAt: '2026-03-01T16:59:00.000Z' } });
    expect(await metricsEmittedBy(metrics, () => handleHrEvent(separation('2026-03-15')))).toEqual([]);

    ddb.on(GetCommand, { Key: startKey('off-E102-20260315') }).resolves({ Item: { ...startKey('off-E102-20260315'), claimedAt: '2026-03-01T16:59:00.000Z' } });
    ddb.on(UpdateCommand).rejects(conditionFailed());
    expect(await metricsEmittedBy(metrics, () => handleHrEvent(separation('2026-03-15')))).toEqual([]);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('counts nothing for an unknown employee’s separation, whose execution only alerts DTI', async () => {
    ddb.on(GetCommand, { Key: { PK: 'PERSON#E999', SK: 'PROFILE' } }).resolves({});
    const event = { ...separation('2026-03-15'), detail: { employeeId: 'E999', separationDate: '2026-03-15' } };
    expect(await metricsEmittedBy(metrics, () => handleHrEvent(event))).toEqual([]);
  });
});
