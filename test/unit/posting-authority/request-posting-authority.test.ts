import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PostingAuthorityRequest } from '#posting-authority/posting-authority';
import { setFunctionEnv } from '../env.ts';
import { formPost, httpEvent, jsonPost, lambdaContext } from '../events.ts';
import { account, accountId, department, grant, people, person, roleHolders, mockPeople } from '../fixtures.ts';

type Module = typeof import('#posting-authority/handlers/request-posting-authority');
let handler: Module['handler'];

beforeAll(async () => {
  setFunctionEnv();
  ({ handler } = await import('#posting-authority/handlers/request-posting-authority'));
});

const path = `/accounts/${accountId}/authority`;
const body = { submissionId: 'sub-12345678', role: 'POSTER', receivesCredential: true, reason: 'Posts the weekly pool schedule.' };
const post = (as: string, fields: Record<string, unknown>) =>
  handler(jsonPost(path, fields, { email: person(as).email, pathParameters: { accountId } }), lambdaContext);
const json = (res: { body?: string }) => JSON.parse(res.body as string) as Record<string, unknown>;

describe('request-posting-authority', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    // The directory, the Parks account and its grants: Ana Gallegos (E102) is its active admin.
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(GetCommand).resolves({});
    mockPeople(ddb);
    ddb.on(QueryCommand, { IndexName: 'GSI2', ExpressionAttributeValues: { ':pk': 'PEOPLE' } }).resolves({ Items: people });
    ddb.on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'ROLES' } }).resolves({ Items: roleHolders });
    ddb.on(GetCommand, { Key: { PK: 'DEPT#PRD', SK: 'PROFILE' } }).resolves({ Item: department('PRD') });
    ddb.on(GetCommand, { Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' } }).resolves({ Item: account() });
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#' } }).resolves({ Items: [grant()] });
    ddb.on(PutCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
  });

  it('stores an employee’s request for themselves, from the sign-in, and starts the director’s approval', async () => {
    const res = await post('E103', { ...body, requester: { id: 'E100' } });

    expect(res.statusCode).toBe(201);
    const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item as PostingAuthorityRequest & Record<string, unknown>;
    expect(item).toMatchObject({
      entity: 'PostingAuthorityRequest',
      GSI2PK: 'REQUESTER#E103',
      kind: 'POSTING_AUTHORITY',
      requester: { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
      grantee: { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
      accountId,
      role: 'POSTER',
      receivesCredential: true,
    });
    expect(item.steps.map((s) => [s.approverId, s.approverName, s.escalateToId])).toEqual([['E100', 'Dolores Baca', 'E101']]);
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, {
      stateMachineArn: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-PostingAuthorityApproval',
      name: item.requestId,
    });
    expect(json(res)).toMatchObject({ requestId: item.requestId, href: `/requests/${item.requestId}`, steps: ['Department Director (Parks and Recreation)'] });
  });

  it('lets an active admin ask for someone else', async () => {
    const res = await post('E102', { ...body, granteeId: 'E202' });
    expect(res.statusCode).toBe(201);
    const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item as PostingAuthorityRequest;
    expect([item.requester.id, item.grantee.id]).toEqual(['E102', 'E202']);
  });

  it.each([
    ['403 to a non-admin asking for someone else', 'E103', { granteeId: 'E202' }, 403, 'ForbiddenError'],
    ['409 to what the person already holds', 'E102', { role: 'ADMIN', receivesCredential: true }, 409, 'ConflictError'],
    ['400 to a person not in the directory', 'E102', { granteeId: 'E999' }, 400, 'InvalidInputError'],
    ['400 to an unknown role', 'E103', { role: 'EDITOR' }, 400, 'InvalidInputError'],
  ])('answers %s, storing and starting nothing', async (_what, as, change, status, error) => {
    const res = await post(as, { ...body, ...change });
    expect(res.statusCode).toBe(status);
    expect(json(res)).toMatchObject({ error });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 404 for an account that is not in the registry', async () => {
    ddb.on(GetCommand, { Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' } }).resolves({});
    const res = await post('E103', body);
    expect(res.statusCode).toBe(404);
    expect(json(res)).toMatchObject({ error: 'NotFoundError', message: expect.stringMatching(/no account/) });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 404 without a lookup for a malformed account id', async () => {
    const res = await handler(
      jsonPost('/accounts/x/authority', body, { email: person('E103').email, pathParameters: { accountId: '../PROFILE' } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(404);
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: expect.objectContaining({ PK: expect.stringMatching(/^ACCOUNT#/) }) });
  });

  it('shows the form with the requester preselected', async () => {
    const res = await handler(
      httpEvent({ path: `${path}/new`, email: person('E103').email, pathParameters: { accountId }, headers: { accept: 'text/html' } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="grantee" name="grantee" value="tsandoval@cabq.example"');
    expect(res.body).toMatch(/<input type="hidden" name="submissionId" value="[A-Za-z0-9_-]{16}">/);
  });

  it('shows the form again with the invalid fields marked when a browser sends it', async () => {
    const res = await handler(
      formPost(
        path,
        { submissionId: 'sub-12345678', grantee: 'tsandoval@cabq.example', role: 'POSTER', reason: 'short' },
        {
          email: person('E103').email,
          pathParameters: { accountId },
          headers: { accept: 'text/html' },
        },
      ),
      lambdaContext,
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('aria-invalid="true" aria-describedby="reason-error reason-hint"');
    expect(res.body).toContain('<input type="hidden" name="submissionId" value="sub-12345678">');
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 401 when nobody is signed in', async () => {
    const res = await handler(jsonPost(path, body, { pathParameters: { accountId } }), lambdaContext);
    expect(res.statusCode).toBe(401);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });
});
