import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountRequest } from '#new-account/new-account';
import { setFunctionEnv } from '../env.ts';
import { httpEvent, jsonPost, lambdaContext } from '../events.ts';
import { department, person, roleHolders, mockPeople } from '../fixtures.ts';
import { validForm } from '../../support/forms.ts';
import { requestIdPattern } from '#approval-chain/kinds';

type Module = typeof import('#new-account/handlers/submit-request');
let submitRequest: Module['submitRequest'];
let handler: Module['handler'];

beforeAll(async () => {
  setFunctionEnv();
  ({ submitRequest, handler } = await import('#new-account/handlers/submit-request'));
});

const form = { ...validForm, submissionId: 'sub-12345678', proposedHandle: '@ABQParks' };

describe('submit-request', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    // The directory: people by email (GSI1) and by id, departments, roles, platforms; no handle claims.
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(GetCommand).resolves({});
    mockPeople(ddb);
    ddb.on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'ROLES' } }).resolves({ Items: roleHolders });
    ddb.on(GetCommand, { Key: { PK: 'DEPT#PRD', SK: 'PROFILE' } }).resolves({ Item: department('PRD') });
    ddb.on(GetCommand, { Key: { PK: 'PLATFORM#instagram', SK: 'PROFILE' } }).resolves({ Item: { id: 'instagram', name: 'Instagram', approved: true } });
    ddb.on(PutCommand).resolves({});
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
  });

  it('records the signed-in person as requester even when the body names another', async () => {
    const event = jsonPost(
      '/requests',
      { ...form, requester: { id: 'E500', name: 'Elena Martinez', email: 'emartinez@cabq.example' } },
      { email: 'agallegos@cabq.example' },
    );
    const res = await submitRequest(event);

    expect(res.statusCode).toBe(201);
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item as AccountRequest & Record<string, unknown>;
    expect(item.requester).toEqual({ id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' });
    expect(item.GSI2PK).toBe('REQUESTER#E102');
    expect(item.requestId).toMatch(requestIdPattern);
    expect(item.steps.map((s) => s.approverId)).toEqual(['E100', 'E500']);
    expect(item.status).toBe('PENDING');
  });

  it('starts the approval execution named after the request', async () => {
    const res = await submitRequest(jsonPost('/requests', form, { email: 'agallegos@cabq.example' }));
    const { requestId } = JSON.parse(res.body as string) as { requestId: string };
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, {
      stateMachineArn: process.env.STATE_MACHINE_ARN_APPROVAL_CHAIN,
      name: requestId,
    });
    const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}') as {
      stepCount: number;
      approval: { Payload: { step: number } };
    };
    expect(input).toMatchObject({ requestId, stepCount: 2, approval: { Payload: { step: 0 } } });
  });

  it('answers invalid JSON with a 400 JSON error naming the problem', async () => {
    const res = await handler(jsonPost('/requests', '{"purpose": ', { email: 'agallegos@cabq.example' }), lambdaContext);
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(res.body as string)).toMatchObject({ error: 'InvalidInputError', message: expect.stringMatching(/not a JSON object/) });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers invalid fields with a 400 JSON error listing each field', async () => {
    const res = await handler(jsonPost('/requests', { ...form, purpose: 'short', adminIds: [] }, { email: 'agallegos@cabq.example' }), lambdaContext);
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body as string) as { fields: Record<string, string> };
    expect(Object.keys(body.fields).sort()).toEqual(['adminIds', 'purpose']);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('answers 401 when nobody is signed in', async () => {
    const res = await handler(jsonPost('/requests', form), lambdaContext);
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body as string)).toMatchObject({ error: 'NotSignedInError' });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 401 when the signed-in email is not in the directory', async () => {
    const res = await handler(httpEvent({ path: '/requests/new', email: 'stranger@example.test' }), lambdaContext);
    expect(res.statusCode).toBe(401);
  });

  it('refuses a handle already in the registry on that platform', async () => {
    ddb.on(GetCommand, { Key: { PK: 'HANDLE#instagram#@abqparks', SK: 'CLAIM' } }).resolves({ Item: { accountId: 'acct-1' } });
    const res = await handler(jsonPost('/requests', { ...form, proposedHandle: 'abqparks' }, { email: 'agallegos@cabq.example' }), lambdaContext);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body as string)).toMatchObject({ fields: { proposedHandle: expect.stringMatching(/already in the City registry/) } });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('refuses a separated employee as an admin and starts nothing', async () => {
    ddb.on(GetCommand, { Key: { PK: 'PERSON#E103', SK: 'PROFILE' } }).resolves({ Item: { ...person('E103'), separatedOn: '2026-11-20' } });
    const res = await handler(jsonPost('/requests', form, { email: 'agallegos@cabq.example' }), lambdaContext);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body as string)).toMatchObject({ fields: { adminIds: 'separated from the City: Tom Sandoval' } });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('routes the department director’s own request to their designee', async () => {
    await submitRequest(jsonPost('/requests', form, { email: person('E100').email }));
    const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item as AccountRequest;
    expect(item.steps[0]).toMatchObject({ approverId: 'E101', approverName: 'Marcus Chavez', routedToDesignee: true });
  });
});
