import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFunctionEnv } from '../env.ts';
import { accountRequest, paRequestId, postingAuthorityRequest, requestId } from '../fixtures.ts';
import { metricsEmittedBy } from '../output.ts';

type Module = typeof import('#approval-chain/handlers/reconcile-starts');
let reconcileStarts: Module['reconcileStarts'];
let metrics: typeof import('#adapters/metrics')['metrics'];

beforeAll(async () => {
  setFunctionEnv();
  ({ reconcileStarts } = await import('#approval-chain/handlers/reconcile-starts'));
  ({ metrics } = await import('#adapters/metrics'));
});

const now = '2025-03-01T17:00:00.000Z';
const stateMachineArn = 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-NewAccountApproval';
const postingAuthorityArn = 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-PostingAuthorityApproval';
const retiredChainArn = 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-ApprovalChain';
const metaKey = { PK: `REQ#${requestId}`, SK: 'META' };
const paMetaKey = { PK: `REQ#${paRequestId}`, SK: 'META' };
/** The ByPendingStart query of one state machine's stored requests. */
const pendingQuery = (workflow: string) => ({ IndexName: 'ByPendingStart', ExpressionAttributeValues: { ':w': workflow } });
/** What ByPendingStart holds for a request not yet known to have started, under the state machine it is to run on. */
const listed = (key: { PK: string; SK: string }, since: string, workflow = 'newAccountApproval') => ({ ...key, pendingStart: workflow, pendingSince: since });
const markStarted = { UpdateExpression: 'REMOVE pendingStart, pendingSince' };

describe('reconcile-starts', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(now));
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(QueryCommand, pendingQuery('newAccountApproval')).resolves({ Items: [listed(metaKey, '2025-03-01T16:00:00.000Z')] });
    ddb
      .on(GetCommand, { Key: metaKey })
      .resolves({ Item: { ...metaKey, ...accountRequest(), pendingStart: 'newAccountApproval', pendingSince: '2025-03-01T16:00:00.000Z' } });
    ddb.on(UpdateCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${stateMachineArn}:${requestId}`, startDate: new Date(now) });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a pending request under its own id with the input the submit handler sends, then clears its marker', async () => {
    expect(await reconcileStarts({})).toEqual({ started: 1, existing: 0, cleared: 0, handOvers: 0 });

    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: metaKey, ConsistentRead: true });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn, name: requestId });
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}')).toEqual({
      requestId,
      stepCount: 2,
      maxReminders: 1,
      approval: { Payload: { requestId, step: 0, reminder: 0, escalated: false, waitSeconds: 259200 } },
    });
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
      Key: metaKey,
      UpdateExpression: 'REMOVE pendingStart, pendingSince',
      ConditionExpression: 'attribute_exists(pendingStart)',
    });
    // The marker goes only once the execution is known to exist.
    const [start] = sfn.commandCalls(StartExecutionCommand);
    const [clear] = ddb.commandCalls(UpdateCommand);
    expect(start && clear && start.calledBefore(clear)).toBe(true);
  });

  it('counts a request whose execution already exists as existing, and still clears its marker', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    expect(await reconcileStarts({})).toEqual({ started: 0, existing: 1, cleared: 0, handOvers: 0 });

    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn, name: requestId });
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, { Key: metaKey, ...markStarted });
  });

  it('counts the request submitted, in its workflow, when its start clears the marker, and not when another starter cleared it first', async () => {
    expect(await metricsEmittedBy(metrics, () => reconcileStarts({}))).toEqual([{ workflow: 'newAccountApproval', RequestSubmitted: 1 }]);

    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    expect(await metricsEmittedBy(metrics, () => reconcileStarts({}))).toEqual([]);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
  });

  it('clears the marker of a request that is no longer pending without starting it', async () => {
    ddb.on(GetCommand, { Key: metaKey }).resolves({ Item: { ...metaKey, ...accountRequest({ status: 'REJECTED' }), pendingStart: 'newAccountApproval' } });

    expect(await reconcileStarts({})).toEqual({ started: 0, existing: 0, cleared: 1, handOvers: 0 });

    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
      Key: metaKey,
      UpdateExpression: 'REMOVE pendingStart, pendingSince',
      ConditionExpression: 'attribute_exists(pendingStart)',
    });
  });

  it('clears the marker of a listed request it cannot read, without starting anything', async () => {
    ddb.on(GetCommand, { Key: metaKey }).resolves({});

    expect(await reconcileStarts({})).toEqual({ started: 0, existing: 0, cleared: 1, handOvers: 0 });

    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, { Key: metaKey, ...markStarted });
  });

  it('lists, for each approval state machine, only requests stored longer ago than olderThanSeconds', async () => {
    await reconcileStarts({ olderThanSeconds: 300 });

    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual(
      [
        'newAccountApproval',
        'postingAuthorityApproval',
        'postRemovalApproval',
        'departmentPolicyApproval',
        'exceptionApproval',
        'websiteDisplayApproval',
        'platformProposalApproval',
        'accountRetirementApproval',
        'approvalChain',
      ]
        .map((w): Record<string, string> => ({ ':w': w, ':before': '2025-03-01T16:55:00.000Z' }))
        // Then the directory hand-overs a crash left undone, from the same age on.
        .concat([{ ':q': 'directoryHandOver', ':before': '2025-03-01T16:55:00.000Z' }]),
    );
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'governance-test',
      IndexName: 'ByPendingStart',
      KeyConditionExpression: 'pendingStart = :w AND pendingSince < :before',
    });
  });

  it('leaves a minute for a submit handler to start its own request when no age is given', async () => {
    await reconcileStarts(undefined);

    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { ExpressionAttributeValues: { ':w': 'newAccountApproval', ':before': '2025-03-01T16:59:00.000Z' } });
  });

  it('starts a request stored for the retired shared chain (before the upgrade) on that chain, where its marker says', async () => {
    ddb.on(QueryCommand, pendingQuery('newAccountApproval')).resolves({ Items: [] });
    ddb.on(QueryCommand, pendingQuery('approvalChain')).resolves({ Items: [listed(metaKey, '2025-03-01T16:00:00.000Z', 'approvalChain')] });

    expect(await reconcileStarts({})).toEqual({ started: 1, existing: 0, cleared: 0, handOvers: 0 });

    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn: retiredChainArn, name: requestId });
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, { Key: metaKey, ...markStarted });
  });

  it('lists again while the index has more, starting each request of each page', async () => {
    ddb
      .on(QueryCommand, pendingQuery('newAccountApproval'))
      .resolvesOnce({ Items: [listed(metaKey, '2025-03-01T16:00:00.000Z')], LastEvaluatedKey: listed(metaKey, '2025-03-01T16:00:00.000Z') })
      .resolves({ Items: [] });
    ddb
      .on(QueryCommand, pendingQuery('postingAuthorityApproval'))
      .resolves({ Items: [listed(paMetaKey, '2025-03-01T16:30:00.000Z', 'postingAuthorityApproval')] });
    ddb.on(GetCommand, { Key: paMetaKey }).resolves({ Item: { ...paMetaKey, ...postingAuthorityRequest(), pendingStart: 'postingAuthorityApproval' } });

    expect(await reconcileStarts({ olderThanSeconds: 0 })).toEqual({ started: 2, existing: 0, cleared: 0, handOvers: 0 });

    // Two pages of the new-account machine's list, then one query per other approval machine (8), then the pending hand-overs.
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 11);
    // One pass: the second page starts after the first, not again from the top.
    expect(ddb.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual(listed(metaKey, '2025-03-01T16:00:00.000Z'));
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => [c.args[0].input.stateMachineArn, c.args[0].input.name])).toEqual([
      [stateMachineArn, requestId],
      [postingAuthorityArn, paRequestId],
    ]);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[1]?.args[0].input.input ?? '{}')).toEqual({
      requestId: paRequestId,
      stepCount: 1,
      maxReminders: 1,
      approval: { Payload: { requestId: paRequestId, step: 0, reminder: 0, escalated: false, waitSeconds: 259200 } },
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: paMetaKey, ...markStarted });
  });

  it('keeps the marker of a request whose start fails, starts the rest, then fails the run so it is retried', async () => {
    ddb
      .on(QueryCommand, pendingQuery('newAccountApproval'))
      .resolves({ Items: [listed(metaKey, '2025-03-01T16:00:00.000Z'), listed(paMetaKey, '2025-03-01T16:30:00.000Z')] });
    ddb.on(GetCommand, { Key: paMetaKey }).resolves({ Item: { ...paMetaKey, ...postingAuthorityRequest(), pendingStart: 'newAccountApproval' } });
    sfn.on(StartExecutionCommand, { name: requestId }).rejects(new Error('Rate exceeded'));

    await expect(reconcileStarts({})).rejects.toThrow('1 stored request(s) or hand-over(s) could not be finished; the next run tries again.');
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([requestId, paRequestId]);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: paMetaKey, ...markStarted });
  });

  it.each([{ olderThanSeconds: -1 }, { olderThanSeconds: 1.5 }, { olderThanSeconds: 86_401 }, { olderThanSeconds: '60' }])(
    'refuses %o with an InvalidInputError before reading the table',
    async (input) => {
      await expect(reconcileStarts(input)).rejects.toMatchObject({
        name: 'InvalidInputError',
        message: 'The reconciler input is invalid: { olderThanSeconds?: 0..86400 }.',
      });
      expect(ddb).not.toHaveReceivedAnyCommand();
      expect(sfn).not.toHaveReceivedAnyCommand();
    },
  );
});
