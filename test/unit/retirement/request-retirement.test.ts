import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RetirementRequest } from '#retirement/retirement';
import { setFunctionEnv } from '../env.ts';
import { formPost, httpEvent, jsonPost, lambdaContext } from '../events.ts';
import { account, accountId, department, grant, mockPeople, people, person, roleHolders } from '../fixtures.ts';

type Module = typeof import('#retirement/handlers/request-retirement');
let handler: Module['handler'];

const arn = 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-AccountRetirementApproval';

beforeAll(async () => {
  setFunctionEnv();
  process.env.STATE_MACHINE_ARN_ACCOUNT_RETIREMENT_APPROVAL = arn;
  ({ handler } = await import('#retirement/handlers/request-retirement'));
});

const path = `/accounts/${accountId}/retirement`;
const body = { submissionId: 'sub-12345678', reason: 'The pool program moved to the main Parks account.', contentPlan: 'ARCHIVE_THEN_DELETE' };
const post = (as: string, fields: Record<string, unknown> = body) =>
  handler(jsonPost(path, fields, { email: person(as).email, pathParameters: { accountId } }), lambdaContext);
const page = (as: string) =>
  handler(httpEvent({ path: `${path}/new`, email: person(as).email, pathParameters: { accountId }, headers: { accept: 'text/html' } }), lambdaContext);
const json = (res: { body?: string }) => JSON.parse(res.body as string) as Record<string, unknown>;
const claimKey = { PK: `ACCOUNT#${accountId}`, SK: 'RETIREMENT' };
const openId = 'ra-20260301-aaaaaaaaaaaaaaaa';

describe('request-retirement', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    // The Parks account: Ana Gallegos (E102) its admin, Tom Sandoval (E103) a poster.
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(GetCommand).resolves({});
    mockPeople(ddb);
    ddb.on(QueryCommand, { IndexName: 'GSI2', ExpressionAttributeValues: { ':pk': 'PEOPLE' } }).resolves({ Items: people });
    ddb.on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'ROLES' } }).resolves({ Items: roleHolders });
    ddb.on(GetCommand, { Key: { PK: 'DEPT#PRD', SK: 'PROFILE' } }).resolves({ Item: department('PRD') });
    ddb.on(GetCommand, { Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' } }).resolves({ Item: account() });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#' } })
      .resolves({ Items: [grant(), grant({ personId: 'E103', personName: 'Tom Sandoval', role: 'POSTER', sourceRequestId: 'pa-20250310-fedcba9876543210' })] });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
  });

  it('stores an admin’s request with the account’s claim in one transaction, and starts the director’s approval', async () => {
    const res = await post('E102');
    expect(res.statusCode).toBe(201);
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    const request = items[0]?.Put?.Item as RetirementRequest & Record<string, unknown>;
    expect(request).toMatchObject({
      entity: 'RetirementRequest',
      kind: 'RETIRE_ACCOUNT',
      GSI1PK: `ACCOUNT_RECORDS#${accountId}`,
      pendingStart: 'accountRetirementApproval',
      requester: { id: 'E102', name: 'Ana Gallegos' },
      reason: body.reason,
      contentPlan: 'ARCHIVE_THEN_DELETE',
    });
    expect(request.steps.map((s) => [s.approverId, s.approverName, s.escalateToId])).toEqual([['E100', 'Dolores Baca', 'E101']]);
    expect(items[1]?.Put).toMatchObject({ Item: { ...claimKey, requestId: request.requestId }, ConditionExpression: 'attribute_not_exists(PK)' });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { stateMachineArn: arn, name: request.requestId });
    expect(json(res)).toMatchObject({
      requestId: request.requestId,
      href: `/requests/${request.requestId}`,
      steps: ['Department Director (Parks and Recreation)'],
    });
  });

  it('lets the department director ask, and routes it to the designee', async () => {
    const res = await post('E100');
    expect(res.statusCode).toBe(201);
    const request = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Put?.Item as RetirementRequest;
    expect(request.steps).toEqual([expect.objectContaining({ approverId: 'E101', routedToDesignee: true })]);
  });

  it('refuses a poster with 403 naming who may ask, storing and starting nothing', async () => {
    const res = await post('E103');
    expect(res.statusCode).toBe(403);
    expect(json(res)).toMatchObject({
      error: 'ForbiddenError',
      message: expect.stringContaining('(Ana Gallegos) or the director of Parks and Recreation (Dolores Baca)'),
    });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('refuses a retired account with a page saying when and by which request', async () => {
    ddb.on(GetCommand, { Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' } }).resolves({
      Item: { ...account({ status: 'RETIRED' }), retiredAt: '2026-03-12T17:00:00.000Z', retiredBySourceId: openId },
    });
    const res = await page('E102');
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain(`Instagram @ABQParks was retired on Mar 12, 2026 by request ${openId}.`);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('refuses a second request while one is open, naming it, on the form and on submit', async () => {
    ddb.on(GetCommand, { Key: claimKey }).resolves({ Item: { ...claimKey, requestId: openId } });
    ddb.on(GetCommand, { Key: { PK: `REQ#${openId}`, SK: 'META' } }).resolves({
      Item: {
        requestId: openId,
        kind: 'RETIRE_ACCOUNT',
        status: 'PENDING',
        requester: { id: 'E100', name: 'Dolores Baca' },
        createdAt: '2026-03-01T16:00:00.000Z',
      },
    });
    const shown = await page('E102');
    expect(shown.statusCode).toBe(409);
    expect(shown.body).toContain(`already has an open request to retire it: ${openId}, asked by Dolores Baca on Mar 1, 2026`);
    expect((await post('E102')).statusCode).toBe(409);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('replaces a closed request’s claim only while the claim still names it', async () => {
    ddb.on(GetCommand, { Key: claimKey }).resolves({ Item: { ...claimKey, requestId: openId } });
    ddb.on(GetCommand, { Key: { PK: `REQ#${openId}`, SK: 'META' } }).resolves({ Item: { requestId: openId, status: 'REJECTED' } });
    expect((await post('E102')).statusCode).toBe(201);
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[1]?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(PK) OR requestId = :previous',
      ExpressionAttributeValues: { ':previous': openId },
    });
  });

  it('answers a repeated submission with the stored request, storing nothing twice', async () => {
    const first = json(await post('E102'));
    ddb.on(GetCommand, { Key: claimKey }).resolves({ Item: { ...claimKey, requestId: first.requestId } });
    ddb.on(GetCommand, { Key: { PK: `REQ#${first.requestId}`, SK: 'META' }, ProjectionExpression: 'pendingStart' }).resolves({ Item: {} });
    const again = await post('E102');
    expect(again.statusCode).toBe(200);
    expect(json(again).requestId).toBe(first.requestId);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });

  it('tells the second of two simultaneous requests about the first', async () => {
    ddb.on(TransactWriteCommand).callsFake(() => {
      // The other request got the claim between the read and the write.
      ddb.on(GetCommand, { Key: claimKey }).resolves({ Item: { ...claimKey, requestId: openId } });
      ddb.on(GetCommand, { Key: { PK: `REQ#${openId}`, SK: 'META' } }).resolves({
        Item: { requestId: openId, status: 'PENDING', requester: { id: 'E100', name: 'Dolores Baca' }, createdAt: '2026-03-01T16:00:00.000Z' },
      });
      throw new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      });
    });
    const res = await post('E102');
    expect(res.statusCode).toBe(409);
    expect(json(res).message).toContain(`already has an open request to retire it: ${openId}`);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('shows the form with the grants that end, and again with the invalid fields marked', async () => {
    const shown = await page('E102');
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Ana Gallegos (admin), Tom Sandoval (poster)');
    expect(shown.body).toContain(`action="/accounts/${accountId}/retirement"`);
    const res = await handler(
      formPost(
        path,
        { submissionId: 'sub-12345678', reason: 'short' },
        { email: person('E102').email, pathParameters: { accountId }, headers: { accept: 'text/html' } },
      ),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('aria-invalid="true" aria-describedby="reason-error reason-hint"');
    expect(res.body).toContain('id="contentPlan-error"');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });
});
