import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { policy } from '#core/policy';
import { setFunctionEnv } from '../env.ts';
import { lambdaContext } from '../events.ts';
import { department, person } from '../fixtures.ts';

type Module = typeof import('#offboarding/handlers/receive-hr-event');
let receiveHrEvent: Module['receiveHrEvent'];
let handleHrEvent: Module['handleHrEvent'];
let handler: Module['handler'];

const stateMachineArn = 'arn:aws:states:us-west-2:123456789012:stateMachine:separation-offboarding';

beforeAll(async () => {
  setFunctionEnv();
  process.env.STATE_MACHINE_ARN_SEPARATION_OFFBOARDING = stateMachineArn;
  delete process.env.HR_EVENT_SOURCE;
  ({ receiveHrEvent, handleHrEvent, handler } = await import('#offboarding/handlers/receive-hr-event'));
});

/** An HR event as EventBridge delivers it; `delivery` varies what EventBridge varies between copies. */
function hrEvent(detailType: string, detail: unknown, delivery = 1) {
  return {
    version: '0',
    id: `0d3f6a2e-0000-4000-8000-00000000000${delivery}`,
    'detail-type': detailType,
    source: 'cabq.hr',
    account: '123456789012',
    time: `2026-01-10T15:00:0${delivery}Z`,
    region: 'us-west-2',
    resources: [],
    detail,
  };
}

const separation = (delivery = 1) => hrEvent('Employee Separated', { employeeId: 'E102', separationDate: '2026-01-15' }, delivery);

function sqsRecord(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1768057200000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1768057200001',
    },
    messageAttributes: {},
    md5OfBody: 'not-checked',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-west-2:123456789012:hr-events',
    awsRegion: 'us-west-2',
  };
}

const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

const personKey = (id: string) => ({ PK: `PERSON#${id}`, SK: 'PROFILE' });

/** When HR recorded a change, and its counter for the person (later changes of one person count up). */
const ordering = (sequence: number) => ({ effectiveAt: '2026-01-10T08:00:00-07:00', sequence });

/** The whole record HR sends for a demo person ("Employee Updated" is a snapshot), with `change` applied. */
function snapshotOf(id: string, change: Record<string, unknown> = {}, sequence = 1) {
  const { id: employeeId, name, email, departmentCode, title, supervisorId } = person(id);
  return { employeeId, name, email, departmentCode, title, supervisorId, status: 'ACTIVE', ...ordering(sequence), ...change };
}

/** The attributes an UpdateItem sets, by name (its `#sN = :sN` pairs, and the version). */
function written(
  update: { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } | undefined,
): Record<string, unknown> {
  const names = update?.ExpressionAttributeNames ?? {};
  return Object.fromEntries(Object.entries(names).map(([n, attribute]) => [attribute, update?.ExpressionAttributeValues?.[`:${n.slice(1)}`]]));
}

describe('receive-hr-event', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${stateMachineArn}:off-E102-20260115`, startDate: new Date() });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    // No directory events parked for anyone.
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(GetCommand, { Key: personKey('E102') }).resolves({ Item: { ...personKey('E102'), entity: 'Person', ...person('E102') } });
  });

  it('starts the offboarding execution named after the employee and date', async () => {
    const result = await receiveHrEvent(sqsEvent(sqsRecord('m-1', separation())));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn, name: 'off-E102-20260115' });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}');
    expect(input).toEqual({
      offboardingId: 'off-E102-20260115',
      employeeId: 'E102',
      separationDate: '2026-01-15',
      waitSeconds: policy.waits.decisionWaitSeconds,
      maxReminders: policy.waits.remindersBeforeEscalation,
    });
  });

  it('gives two deliveries of the same separation byte-identical execution inputs, with nothing from the delivery in them', async () => {
    await receiveHrEvent(sqsEvent(sqsRecord('m-1', separation(1))));
    await receiveHrEvent(sqsEvent(sqsRecord('m-2', separation(2))));

    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toHaveLength(2);
    expect(starts[1]?.name).toBe(starts[0]?.name);
    expect(starts[1]?.input).toBe(starts[0]?.input);
    for (const varying of [separation(1).id, separation(1).time, 'm-1', 'receipt-m-1']) expect(starts[0]?.input).not.toContain(varying);
  });

  it('counts an execution that already exists as success', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    expect(await receiveHrEvent(sqsEvent(sqsRecord('m-1', separation())))).toEqual({ batchItemFailures: [] });
    expect(await handleHrEvent(separation())).toEqual({ kind: 'separated', employeeId: 'E102', offboardingId: 'off-E102-20260115', started: false });
  });

  it('refuses the separation of an employee the directory does not know, and starts the execution that alerts DTI', async () => {
    ddb.on(GetCommand, { Key: personKey('E999') }).resolves({});
    const event = hrEvent('Employee Separated', { employeeId: 'E999', separationDate: '2026-01-15' });

    const outcome = await handleHrEvent(event);

    expect(outcome).toEqual({
      kind: 'separated',
      employeeId: 'E999',
      offboardingId: 'off-E999-20260115',
      refused: 'UnknownEmployeeError',
      message: expect.stringMatching(/^Employee E999 is not in the directory.*2026-01-15.*DTI has been alerted/),
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: personKey('E999') });
    // Its first step finds nobody and its alert step emails DTI, once: the name is the employee and date.
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn, name: 'off-E999-20260115' });
  });

  it("handles an unknown employee's separation on the queue: no batch failure, so it is not retried into the dead-letter queue", async () => {
    ddb.on(GetCommand, { Key: personKey('E999') }).resolves({});
    const event = hrEvent('Employee Separated', { employeeId: 'E999', separationDate: '2026-01-15' });

    expect(await receiveHrEvent(sqsEvent(sqsRecord('m-1', event), sqsRecord('m-2', event)))).toEqual({ batchItemFailures: [] });
    const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(names).toEqual(['off-E999-20260115', 'off-E999-20260115']);
  });

  it('reports a message back, and starts nothing, when the directory cannot be read', async () => {
    ddb.on(GetCommand, { Key: personKey('E102') }).rejects(new Error('ProvisionedThroughputExceededException'));

    expect(await receiveHrEvent(sqsEvent(sqsRecord('m-1', separation())))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('reports a message back when Step Functions fails for another reason', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('Rate exceeded'));

    expect(await receiveHrEvent(sqsEvent(sqsRecord('m-1', separation())))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
  });

  it.each([
    ['not JSON', '{"detail-type": "Employee Separated",'],
    ['from another source', { ...separation(), source: 'someone.else' }],
    ['of an unknown type', hrEvent('Employee Hired', { employeeId: 'E102' })],
    ['with an impossible date', hrEvent('Employee Separated', { employeeId: 'E102', separationDate: '2026-02-30' })],
    ['with an extra detail field', hrEvent('Employee Separated', { employeeId: 'E102', separationDate: '2026-01-15', note: 'x' })],
  ])('reports a message %s as a failure by its id and starts nothing', async (_what, body) => {
    const result = await receiveHrEvent(sqsEvent(sqsRecord('bad-1', body)));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('handles each message of a batch on its own: only the malformed one fails', async () => {
    const result = await receiveHrEvent(sqsEvent(sqsRecord('ok-1', separation()), sqsRecord('bad-1', 'not json'), sqsRecord('ok-2', separation(2))));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
  });

  it('applies a snapshot of a known employee to the directory, moving them to another department', async () => {
    ddb.on(GetCommand, { Key: personKey('E103') }).resolves({ Item: { ...personKey('E103'), entity: 'Person', ...person('E103') } });
    ddb.on(GetCommand, { Key: { PK: 'DEPT#LIB', SK: 'PROFILE' } }).resolves({ Item: { PK: 'DEPT#LIB', SK: 'PROFILE', ...department('LIB') } });

    const event = hrEvent('Employee Updated', snapshotOf('E103', { departmentCode: 'LIB', title: 'Outreach Manager', supervisorId: 'E200' }));
    expect(await receiveHrEvent(sqsEvent(sqsRecord('m-1', event)))).toEqual({ batchItemFailures: [] });

    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const [entity, history, ...more] = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(more).toEqual([]);
    expect(entity?.Update?.Key).toEqual(personKey('E103'));
    // Stored before versions existed: applied on condition nobody versioned it meanwhile.
    expect(entity?.Update?.ConditionExpression).toBe('attribute_not_exists(#v)');
    expect(written(entity?.Update)).toMatchObject({
      version: '2026-01-10T15:00:00.000Z#0000000000000001',
      id: 'E103',
      name: 'Tom Sandoval',
      email: 'tsandoval@cabq.example',
      departmentCode: 'LIB',
      title: 'Outreach Manager',
      supervisorId: 'E200',
      hrStatus: 'ACTIVE',
      GSI1PK: 'EMAIL#tsandoval@cabq.example',
      provenance: expect.objectContaining({ source: 'HR', effectiveAt: '2026-01-10T08:00:00-07:00' }),
    });
    expect(history?.Put?.Item).toMatchObject({
      PK: 'DIRECTORY#PERSON#E103',
      SK: 'CHANGE#2026-01-10T15:00:00.000Z#0000000000000001',
      type: 'Employee Updated',
    });
    expect(sfn).not.toHaveReceivedAnyCommand();
  });

  it('adds an unknown employee whose first snapshot names them', async () => {
    ddb.on(GetCommand, { Key: personKey('E777') }).resolves({});
    ddb.on(GetCommand, { Key: { PK: 'DEPT#PRD', SK: 'PROFILE' } }).resolves({ Item: { PK: 'DEPT#PRD', SK: 'PROFILE', ...department('PRD') } });

    const detail = { employeeId: 'E777', name: 'Rita Gurulé', email: 'RGurule@cabq.example', departmentCode: 'PRD', status: 'ACTIVE', ...ordering(0) };
    expect(await handleHrEvent(hrEvent('Employee Updated', detail))).toEqual({
      kind: 'directory',
      outcome: { entity: { kind: 'PERSON', id: 'E777' }, version: '2026-01-10T15:00:00.000Z#0000000000000000', result: 'applied', unparked: [] },
    });

    const update = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
    expect(update?.Key).toEqual(personKey('E777'));
    expect(written(update)).toMatchObject({ id: 'E777', name: 'Rita Gurulé', email: 'rgurule@cabq.example', departmentCode: 'PRD' });
  });

  it('refuses an update that carries only a change, not the whole record, naming what is missing, and writes nothing', async () => {
    ddb.on(GetCommand, { Key: personKey('E777') }).resolves({});

    const event = hrEvent('Employee Updated', { employeeId: 'E777', title: 'Lifeguard' });
    expect(await receiveHrEvent(sqsEvent(sqsRecord('m-9', event)))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-9' }] });
    await expect(handleHrEvent(event)).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringMatching(/^The "Employee Updated" event's detail is invalid: name: name is required;.*effectiveAt.*sequence/),
    });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });

  it('parks a move to a department the directory does not have, and writes nothing to the person until it arrives', async () => {
    ddb.on(GetCommand, { Key: personKey('E103') }).resolves({ Item: { ...personKey('E103'), ...person('E103') } });
    ddb.on(GetCommand, { Key: { PK: 'DEPT#ZOO', SK: 'PROFILE' } }).resolves({});

    expect(await handleHrEvent(hrEvent('Employee Updated', snapshotOf('E103', { departmentCode: 'ZOO' })))).toEqual({
      kind: 'directory',
      outcome: {
        entity: { kind: 'PERSON', id: 'E103' },
        version: '2026-01-10T15:00:00.000Z#0000000000000001',
        result: 'parked',
        waitingFor: [{ kind: 'DEPT', id: 'ZOO' }],
        unparked: [],
      },
    });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(PutCommand, {
      Item: expect.objectContaining({ PK: 'PARKED#DEPT#ZOO', SK: '2026-01-10T15:00:00.000Z#0000000000000001#PERSON#E103', entity: 'ParkedDirectoryEvent' }),
      ConditionExpression: 'attribute_not_exists(PK)',
    });
  });

  it('ignores a snapshot older than the one stored, and the same one delivered again, writing nothing', async () => {
    const storedVersion = '2026-01-10T15:00:00.000Z#0000000000000002';
    ddb.on(GetCommand, { Key: personKey('E103') }).resolves({ Item: { ...personKey('E103'), ...person('E103'), version: storedVersion } });
    ddb.on(GetCommand, { Key: { PK: `HANDOVER#PERSON#E103#${storedVersion}`, SK: 'PENDING' } }).resolves({});

    const older = await handleHrEvent(hrEvent('Employee Updated', snapshotOf('E103', { title: 'Older title' }, 1)));
    const again = await handleHrEvent(hrEvent('Employee Updated', snapshotOf('E103', { title: 'Current title' }, 2)));

    expect(older).toEqual({
      kind: 'directory',
      outcome: { entity: { kind: 'PERSON', id: 'E103' }, version: '2026-01-10T15:00:00.000Z#0000000000000001', result: 'stale', unparked: [] },
    });
    expect(again).toEqual({
      kind: 'directory',
      outcome: { entity: { kind: 'PERSON', id: 'E103' }, version: storedVersion, result: 'duplicate', unparked: [] },
    });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers one event invoked directly (the local HR bus) with the outcome, refused or not', async () => {
    ddb.on(GetCommand, { Key: personKey('E999') }).resolves({});

    expect(await handler(separation(), lambdaContext)).toEqual({ kind: 'separated', employeeId: 'E102', offboardingId: 'off-E102-20260115', started: true });
    expect(await handler(hrEvent('Employee Separated', { employeeId: 'E999', separationDate: '2026-01-15' }), lambdaContext)).toMatchObject({
      refused: 'UnknownEmployeeError',
    });
    await expect(handler({ ...separation(), source: 'someone.else' }, lambdaContext)).rejects.toMatchObject({ name: 'InvalidInputError' });
  });

  it('answers the SQS poller through the wrapped handler with the partial batch response', async () => {
    const result = await handler(sqsEvent(sqsRecord('ok-1', separation()), sqsRecord('bad-7', { source: 'cabq.hr' })), lambdaContext);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-7' }] });
  });
});
