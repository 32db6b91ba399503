import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountRequest } from '#new-account/new-account';
import { setFunctionEnv } from '../env.ts';
import { formPost, httpEvent, jsonPost, lambdaContext } from '../events.ts';
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

/** Instagram as DTI's list holds it: approved, with its three P documents (an incomplete platform is offered to no new account). */
const instagram = {
  id: 'instagram',
  name: 'Instagram',
  approved: true,
  status: 'APPROVED',
  documents: Object.fromEntries(
    ['userGuidelines', 'accountStandards', 'brandingStandards'].map((k) => [k, { url: `https://dti.cabq.example/sm/instagram/${k}`, adoptedOn: '2023-02-01' }]),
  ),
};

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
    ddb.on(GetCommand, { Key: { PK: 'PLATFORM#instagram', SK: 'PROFILE' } }).resolves({ Item: instagram });
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
      stateMachineArn: 'arn:aws:states:us-west-2:123456789012:stateMachine:gov-NewAccountApproval',
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

  describe('in a browser', () => {
    const html = { email: 'agallegos@cabq.example', headers: { accept: 'text/html' } };
    const browserForm = {
      submissionId: 'sub-12345678',
      departmentCode: 'PRD',
      platformId: 'instagram',
      proposedHandle: '@ABQParks',
      purpose: form.purpose,
      audience: form.audience,
      riskAssessment: form.riskAssessment,
      checklist: form.checklist.join(','),
    };

    it('shows the rules, the required marks and the administrators as person fields before anything is submitted', async () => {
      const res = await handler(httpEvent({ path: '/requests/new', ...html }), lambdaContext);
      expect(res.statusCode).toBe(200);
      const page = res.body as string;
      expect(page).toContain('<span class="usa-hint" id="purpose-hint">Purpose and strategy (D.a), at least 20 characters.</span>');
      expect(page).toContain(
        'id="proposedHandle-hint">2 to 50 letters, digits, dots, dashes or underscores, optionally after @, for example @ABQParks.</span>',
      );
      expect(page).toContain('aria-describedby="purpose-hint"');
      expect(page).toContain('<label class="usa-label" for="admin1">First administrator <abbr title="required"');
      expect(page).toContain('<label class="usa-label" for="admin2">Second administrator</label>');
      expect(page).toContain('data-people-search list="admin1-people"');
      expect(page).toContain('When you submit, you get a receipt by email. When the request is decided, you get an email with the outcome.');
      expect(page).not.toContain('at each decision');
      expect(page).not.toContain('style=');
      expect(page).not.toContain('name="adminIds"');
    });

    it('stores the admins chosen by email as directory ids', async () => {
      const res = await handler(
        formPost('/requests', { ...browserForm, admin1: 'AGallegos@cabq.example', admin2: 'tsandoval@cabq.example', admin3: '' }, html),
        lambdaContext,
      );
      expect(res.statusCode).toBe(303);
      const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item as AccountRequest;
      expect(item.admins.map((a) => a.id)).toEqual(['E102', 'E103']);
    });

    it('asks who is meant by a name, with a radio list, keeping what was typed and storing nothing', async () => {
      ddb.on(QueryCommand, { IndexName: 'GSI2', ExpressionAttributeValues: { ':pk': 'PEOPLE', ':prefix': 'tom' } }).resolves({ Items: [person('E103')] });
      const res = await handler(
        formPost('/requests', { ...browserForm, admin1: 'agallegos@cabq.example', admin2: 'Tom', purpose: 'short' }, html),
        lambdaContext,
      );
      expect(res.statusCode).toBe(400);
      const page = res.body as string;
      expect(page).toContain('<span class="usa-error-message" id="admin2-error">Choose who you mean</span>');
      expect(page).toContain('type="radio" id="admin2-pick-0" name="admin2Pick" value="tsandoval@cabq.example"');
      expect(page).toContain('<a href="#purpose">describe the purpose and strategy in at least 20 characters</a>');
      expect(page).toContain('<a href="#admin2-pick-0">Choose who you mean</a>');
      expect(page).toContain('id="error-summary" tabindex="-1" autofocus data-focus-on-load');
      expect(page).toContain('id="admin1" name="admin1" value="agallegos@cabq.example"');
      expect(page).toContain('id="proposedHandle" name="proposedHandle" value="@ABQParks"');
      expect(ddb).not.toHaveReceivedCommand(PutCommand);
      expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    });

    it('says when nobody matches, and refuses a separated person by email', async () => {
      ddb.on(GetCommand, { Key: { PK: 'PERSON#E103', SK: 'PROFILE' } }).resolves({ Item: { ...person('E103'), separatedOn: '2026-11-20' } });
      ddb
        .on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'EMAIL#tsandoval@cabq.example' } })
        .resolves({ Items: [{ ...person('E103'), separatedOn: '2026-11-20' }] });
      const res = await handler(formPost('/requests', { ...browserForm, admin1: 'Zzz <b>', admin2: 'tsandoval@cabq.example' }, html), lambdaContext);
      expect(res.statusCode).toBe(400);
      const page = res.body as string;
      expect(page).toContain('No one in the directory matches “Zzz &lt;b&gt;”: check the spelling, or type their City email address');
      expect(page).toContain('Tom Sandoval has separated from the City and cannot be chosen');
      expect(ddb).not.toHaveReceivedCommand(PutCommand);
    });
  });
});
