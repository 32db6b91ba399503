import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localKeys } from '../../functions/adapters/link-keys.ts';
import type { Approval, Decision } from '../../functions/domain/approval.ts';
import { hashSecret } from '../../functions/domain/approval-link.ts';
import { setFunctionEnv, testLinkKey } from './env.ts';
import { formPost, httpEvent, lambdaContext } from './events.ts';
import { accountRequest, approval, approvalId, requestId } from './fixtures.ts';

type Module = typeof import('../../functions/decide-approval.ts');
let decideApproval: Module['decideApproval'];
let handler: Module['handler'];

const keys = localKeys(Buffer.from(testLinkKey, 'base64'));
const taskToken = 'AQCEAAAAKgAAAA-raw-task-token-from-step-functions';
let secret: string;
let stored: Approval;

beforeAll(async () => {
  setFunctionEnv();
  ({ decideApproval, handler } = await import('../../functions/decide-approval.ts'));
  secret = await keys.linkSecret(approvalId);
  stored = approval({ secretHash: hashSecret(secret), sealedToken: await keys.sealToken(taskToken, approvalId) });
});

const path = `/approvals/${approvalId}`;
const item = (a: Approval) => ({ PK: `REQ#${a.requestId}`, SK: 'APPR#00#0', ...a });
const get = (ev: { query?: Record<string, string>; headers?: Record<string, string> } = {}) => httpEvent({ path, pathParameters: { approvalId }, ...ev });
const post = (fields: Record<string, string>, headers: Record<string, string> = {}) => formPost(path, fields, { pathParameters: { approvalId }, headers });

describe('decide-approval', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);

  /** The table as the link finds it: the approval's keys (ByApprovalId, keys only), a consistent read of it, and its request. */
  function table(current: Approval = stored, request = accountRequest()) {
    ddb
      .on(QueryCommand, { IndexName: 'ByApprovalId', ExpressionAttributeValues: { ':id': approvalId } })
      .resolves({ Items: [{ PK: `REQ#${requestId}`, SK: 'APPR#00#0', approvalId }] });
    ddb.on(GetCommand, { Key: { PK: `REQ#${requestId}`, SK: 'APPR#00#0' } }).resolves({ Item: item(current) });
    ddb.on(GetCommand, { Key: { PK: `REQ#${requestId}`, SK: 'META' } }).resolves({ Item: { PK: `REQ#${requestId}`, SK: 'META', ...request } });
  }

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    sfn.on(SendTaskSuccessCommand).resolves({});
  });

  it('refuses a wrong secret with 403 and changes nothing', async () => {
    table();
    const res = await decideApproval(post({ s: `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`, outcome: 'APPROVED' }));
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body as string)).toMatchObject({ link: 'forbidden' });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('refuses a GET without the secret with 403', async () => {
    table();
    const res = await decideApproval(get());
    expect(res.statusCode).toBe(403);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('shows the form on GET with the right secret and changes nothing', async () => {
    table();
    const res = await decideApproval(get({ query: { s: secret }, headers: { accept: 'text/html' } }));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/^text\/html/);
    expect(res.headers?.['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain(`<form method="post" action="${path}">`);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('records an approval once with a conditional write and resumes the execution with the unsealed token', async () => {
    table();
    ddb.on(UpdateCommand).resolves({});
    const res = await decideApproval(post({ s: secret, outcome: 'APPROVED' }));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body as string)).toMatchObject({ link: 'decided', decision: { outcome: 'APPROVED', decidedById: 'E100' } });

    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: `REQ#${requestId}`, SK: 'APPR#00#0' },
      UpdateExpression: 'SET decision = :d',
      ConditionExpression: expect.stringContaining('attribute_not_exists(decision)'),
      ExpressionAttributeValues: {
        ':d': expect.objectContaining({ outcome: 'APPROVED', decidedById: 'E100', decidedByName: 'Dolores Baca', approvalId }),
      },
    });
    const condition = ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ConditionExpression;
    expect(condition).toContain('attribute_not_exists(supersededAt)');

    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken });
    const output = JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}') as Decision;
    expect(output).toMatchObject({ outcome: 'APPROVED', decidedById: 'E100', approvalId });
  });

  it('records a rejection with its reason', async () => {
    table();
    ddb.on(UpdateCommand).resolves({});
    const res = await decideApproval(post({ s: secret, outcome: 'REJECTED', reason: 'We already run @ABQParks.' }));
    expect(res.statusCode).toBe(200);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: { ':d': expect.objectContaining({ outcome: 'REJECTED', reason: 'We already run @ABQParks.' }) },
    });
    const output = JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}') as Decision;
    expect(output).toMatchObject({ outcome: 'REJECTED', reason: 'We already run @ABQParks.' });
  });

  it('answers 409 and does not resume the execution when another decision won the conditional write', async () => {
    table();
    const winner: Decision = {
      outcome: 'REJECTED',
      reason: 'Other click',
      decidedAt: '2025-03-02T16:00:00.000Z',
      decidedById: 'E100',
      decidedByName: 'Dolores Baca',
      approvalId,
    };
    // The first read sees the link open; the re-read after the lost write sees the other decision.
    ddb
      .on(GetCommand, { Key: { PK: `REQ#${requestId}`, SK: 'APPR#00#0' } })
      .resolvesOnce({ Item: item(stored) })
      .resolves({ Item: item({ ...stored, decision: winner }) });
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const res = await decideApproval(post({ s: secret, outcome: 'APPROVED' }));
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body as string)).toMatchObject({ link: 'decided' });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('answers 409 to a second decision on an already decided link without writing', async () => {
    const decision: Decision = { outcome: 'APPROVED', decidedAt: '2025-03-02T16:00:00.000Z', decidedById: 'E100', decidedByName: 'Dolores Baca', approvalId };
    table({ ...stored, decision });
    const res = await decideApproval(post({ s: secret, outcome: 'REJECTED', reason: 'Changed my mind' }));
    expect(res.statusCode).toBe(409);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('answers 410 for a superseded link', async () => {
    table({ ...stored, supersededAt: '2025-03-04T16:00:00.000Z', supersededByName: 'Marcus Chavez' });
    const res = await decideApproval(post({ s: secret, outcome: 'APPROVED' }));
    expect(res.statusCode).toBe(410);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('refuses a rejection without a reason with 400 and no write', async () => {
    table();
    const res = await decideApproval(post({ s: secret, outcome: 'REJECTED' }));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body as string)).toMatchObject({ fields: { reason: expect.stringMatching(/reason/) } });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('answers 404 for an unknown approval id', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const res = await handler(get({ query: { s: secret } }), lambdaContext);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body as string)).toMatchObject({ error: 'NotFoundError' });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('answers 404 without a lookup for a malformed approval id', async () => {
    const res = await handler(httpEvent({ path: '/approvals/x', pathParameters: { approvalId: '../etc' } }), lambdaContext);
    expect(res.statusCode).toBe(404);
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});
