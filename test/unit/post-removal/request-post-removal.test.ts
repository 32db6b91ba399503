import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PostRemovalRequest } from '#post-removal/post-removal';
import { canonicalJson, type GovernanceRecord, recordIntact, sha256Hex } from '#core/records';
import { setFunctionEnv } from '../env.ts';
import { formPost, httpEvent, jsonPost, lambdaContext } from '../events.ts';
import { account, accountId, grant, person, mockPeople } from '../fixtures.ts';

type Module = typeof import('#post-removal/handlers/request-post-removal');
let handler: Module['handler'];

beforeAll(async () => {
  setFunctionEnv();
  ({ handler } = await import('#post-removal/handlers/request-post-removal'));
});

const path = `/accounts/${accountId}/removals`;
const content = {
  text: 'Pools open June 1! <b>Bring sunscreen.</b>',
  author: 'ABQ Parks',
  publishedAt: '2025-05-20T15:04:00Z',
  mediaLinks: ['https://cdn.example.org/pool.jpg'],
};
const body = {
  submissionId: 'sub-12345678',
  postRef: 'https://www.instagram.com/p/Cx1yZ2abc/',
  action: 'DELETE',
  reason: 'The post gave the wrong date for the pool opening.',
  content,
};
const post = (as: string, fields: Record<string, unknown>) =>
  handler(jsonPost(path, fields, { email: person(as).email, pathParameters: { accountId } }), lambdaContext);
const json = (res: { body?: string }) => JSON.parse(res.body as string) as Record<string, unknown>;

describe('request-post-removal', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);

  /** The transaction's two items: the request and the record of the post. */
  const written = () => {
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    const request = items.find((i) => String(i.Put?.Item?.PK).startsWith('REQ#'))?.Put?.Item as PostRemovalRequest & Record<string, unknown>;
    const record = items.find((i) => String(i.Put?.Item?.PK).startsWith('RECORD#'))?.Put?.Item as GovernanceRecord & Record<string, unknown>;
    return { items, request, record };
  };

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    // The directory and the Parks account; Ana Gallegos (E102, supervisor Marcus Chavez) is its active admin.
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(GetCommand).resolves({});
    mockPeople(ddb);
    ddb.on(GetCommand, { Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' } }).resolves({ Item: account() });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#' } }).resolves({ Items: [grant()] });
    ddb.on(TransactWriteCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
  });

  it('preserves the post and stores the request in one transaction, then starts the supervisor’s approval', async () => {
    const res = await post('E102', body);

    expect(res.statusCode).toBe(201);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const { items, request, record } = written();
    expect(items).toHaveLength(2);
    expect(items.map((i) => i.Put?.ConditionExpression)).toEqual(['attribute_not_exists(PK)', 'attribute_not_exists(PK)']);
    expect(request).toMatchObject({
      entity: 'PostRemovalRequest',
      GSI2PK: 'REQUESTER#E102',
      GSI1PK: `ACCOUNT_RECORDS#${accountId}`,
      kind: 'POST_REMOVAL',
      status: 'PENDING',
      requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
      accountId,
      accountLabel: 'Instagram @ABQParks',
      departmentCode: 'PRD',
      postRef: body.postRef,
      action: 'DELETE',
      reason: body.reason,
      recordId: record.recordId,
    });
    expect(request.requestId).toMatch(/^pr-\d{8}-[0-9a-f]{16}$/);
    expect(request.steps.map((s) => [s.role, s.approverId, s.approverName, s.escalateToId])).toEqual([
      ['SUPERVISOR', 'E101', 'Marcus Chavez', 'E100'],
      ['REQUESTER', 'E102', 'Ana Gallegos', null],
    ]);
    expect(record).toMatchObject({
      PK: `RECORD#${record.recordId}`,
      GSI1PK: `ACCOUNT_RECORDS#${accountId}`,
      kind: 'PRESERVED_POST',
      recordedById: 'E102',
      preserved: { requestId: request.requestId, postRef: body.postRef, action: 'DELETE', content },
    });
    expect(record.sha256).toBe(sha256Hex(canonicalJson(record.preserved)));
    expect(recordIntact(record)).toBe(true);

    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, {
      stateMachineArn: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-PostRemovalApproval',
      name: request.requestId,
    });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}') as { stepCount: number };
    expect(input.stepCount).toBe(2);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(json(res)).toMatchObject({
      requestId: request.requestId,
      recordId: record.recordId,
      href: `/requests/${request.requestId}`,
      steps: ['Supervisor', 'Removal, confirmed by the requester'],
    });
  });

  it('preserves the content before anything else happens: the transaction, then the execution', async () => {
    const events: string[] = [];
    ddb.on(TransactWriteCommand).callsFake(() => {
      events.push('transaction');
      return {};
    });
    sfn.on(StartExecutionCommand).callsFake(() => {
      events.push('start');
      return { executionArn: 'arn:exec' };
    });
    await post('E102', body);
    expect(events).toEqual(['transaction', 'start']);
  });

  it('takes the supervisor from the directory, never from the request', async () => {
    const res = await post('E102', { ...body, supervisorId: 'E400', requester: { id: 'E400' }, steps: [{ approverId: 'E400' }] });
    expect(res.statusCode).toBe(201);
    const { request } = written();
    expect(request.requester.id).toBe('E102');
    expect(request.steps.map((s) => s.approverId)).toEqual(['E101', 'E102']);
  });

  it('answers 403 to someone without posting authority on the account, storing and starting nothing', async () => {
    const res = await post('E103', body);
    expect(res.statusCode).toBe(403);
    expect(json(res)).toMatchObject({ error: 'ForbiddenError', message: expect.stringMatching(/Tom Sandoval holds none on it/) });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 403 to a revoked grant holder as well', async () => {
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#' } }).resolves({ Items: [grant({ status: 'REVOKED' })] });
    expect((await post('E102', body)).statusCode).toBe(403);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it.each([
    ['400 to a reason under 10 characters', { reason: 'typo' }, 400, 'InvalidInputError', { reason: expect.any(String) }],
    ['400 to a merge without its target', { action: 'MERGE' }, 400, 'InvalidInputError', { mergeTargetRef: 'give the post it is merged into' }],
    ['400 to content without an author', { content: { ...content, author: '' } }, 400, 'InvalidInputError', { 'content.author': expect.any(String) }],
  ])('answers %s, storing and starting nothing', async (_what, change, status, error, fields) => {
    const res = await post('E102', { ...body, ...change });
    expect(res.statusCode).toBe(status);
    expect(json(res)).toMatchObject({ error, fields });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 409 telling a requester without a supervisor in the directory to ask HR, storing nothing', async () => {
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#' } }).resolves({ Items: [grant({ personId: 'E001' })] });
    const res = await post('E001', body);
    expect(res.statusCode).toBe(409);
    expect(json(res)).toMatchObject({ error: 'ConflictError', message: expect.stringMatching(/names no supervisor for Ramona Duran.*Ask HR/) });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 404 for an account that is not in the registry, and for a malformed id without a lookup', async () => {
    ddb.on(GetCommand, { Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' } }).resolves({});
    expect((await post('E102', body)).statusCode).toBe(404);
    const malformed = await handler(
      jsonPost('/accounts/x/removals', body, { email: person('E102').email, pathParameters: { accountId: '../PROFILE' } }),
      lambdaContext,
    );
    expect(malformed.statusCode).toBe(404);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('answers a repeated submission with the request it already made, writing nothing new', async () => {
    await post('E102', body);
    const first = written().request;
    ddb.reset();
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
    ddb.on(QueryCommand).resolves({ Items: [] });
    mockPeople(ddb);
    ddb.on(GetCommand, { Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' } }).resolves({ Item: account() });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#' } }).resolves({ Items: [grant()] });
    ddb.on(GetCommand, { Key: { PK: `REQ#${first.requestId}`, SK: 'META' } }).resolves({ Item: first });
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    const again = await post('E102', { ...body, reason: 'A different reason, typed the second time.' });
    expect(again.statusCode).toBe(200);
    expect(json(again)).toMatchObject({ requestId: first.requestId, recordId: first.recordId });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, { name: first.requestId });
  });

  it('shows the form with the supervisor who decides', async () => {
    const res = await handler(
      httpEvent({ path: `${path}/new`, email: person('E102').email, pathParameters: { accountId }, headers: { accept: 'text/html' } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<strong>Marcus Chavez</strong>, decides by email');
    expect(res.body).toMatch(/<input type="hidden" name="submissionId" value="[A-Za-z0-9_-]{16}">/);
    const asJson = await handler(httpEvent({ path: `${path}/new`, email: person('E102').email, pathParameters: { accountId } }), lambdaContext);
    expect(json(asJson)).toMatchObject({ supervisor: { id: 'E101', name: 'Marcus Chavez' }, actions: { DELETE: 'Delete the post' } });
  });

  it('refuses the form (403) to someone without posting authority on the account', async () => {
    const res = await handler(
      httpEvent({ path: `${path}/new`, email: person('E103').email, pathParameters: { accountId }, headers: { accept: 'text/html' } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Only someone with posting authority on Instagram @ABQParks');
  });

  it('shows the form again with the invalid fields marked when a browser sends it', async () => {
    const res = await handler(
      formPost(
        path,
        {
          submissionId: 'sub-12345678',
          postRef: 'https://www.instagram.com/p/Cx1yZ2abc/',
          action: 'DELETE',
          reason: 'short',
          'content.text': 'Pools <b>open</b>',
          'content.author': '',
          'content.publishedAt': 'May 20',
        },
        { email: person('E102').email, pathParameters: { accountId }, headers: { accept: 'text/html' } },
      ),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="reason" name="reason" required aria-invalid="true" aria-describedby="reason-error reason-hint">short</textarea>');
    expect(res.body).toContain('aria-invalid="true" aria-describedby="content.author-error content.author-hint"');
    expect(res.body).toContain('Pools &lt;b&gt;open&lt;/b&gt;</textarea>');
    expect(res.body).toContain('<input type="hidden" name="submissionId" value="sub-12345678">');
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('answers 401 when nobody is signed in', async () => {
    const res = await handler(jsonPost(path, body, { pathParameters: { accountId } }), lambdaContext);
    expect(res.statusCode).toBe(401);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });
});
