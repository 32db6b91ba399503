import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localKeys } from '../../functions/adapters/link-keys.ts';
import type { Approval, Decision } from '../../functions/domain/approval.ts';
import { hashSecret } from '../../functions/domain/approval-link.ts';
import { setFunctionEnv, testLinkKey } from './env.ts';
import { accountRequest, approval, person, requestId } from './fixtures.ts';

type Module = typeof import('../../functions/request-approval.ts');
let requestApproval: Module['requestApproval'];

beforeAll(async () => {
  setFunctionEnv();
  ({ requestApproval } = await import('../../functions/request-approval.ts'));
});

const keys = localKeys(Buffer.from(testLinkKey, 'base64'));
const taskToken = 'AQCEAAAAKgAAAA-raw-task-token-from-step-functions';
const task = { requestId, step: 0, reminder: 0, escalated: false, waitSeconds: 259200, taskToken };
const metaKey = { PK: `REQ#${requestId}`, SK: 'META' };
const approvalKey = { PK: `REQ#${requestId}`, SK: 'APPR#00#0' };

describe('request-approval', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);
  const ses = mockClient(SESClient);

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    ses.reset();
    ddb.on(GetCommand, { Key: metaKey }).resolves({ Item: { ...metaKey, ...accountRequest() } });
    ddb.on(GetCommand, { Key: { PK: 'PERSON#E100', SK: 'PROFILE' } }).resolves({ Item: { PK: 'PERSON#E100', SK: 'PROFILE', ...person('E100') } });
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it('hands back the stored decision of an already decided step and sends no email', async () => {
    const decision: Decision = {
      outcome: 'APPROVED',
      decidedAt: '2025-03-02T16:00:00.000Z',
      decidedById: 'E100',
      decidedByName: 'Dolores Baca',
      approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
    };
    ddb.on(GetCommand, { Key: approvalKey }).resolves({ Item: { ...approvalKey, ...approval({ decision }) } });

    expect(await requestApproval(task)).toEqual({ waiting: false });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}')).toEqual(decision);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('stores a new approval with a sealed token and a secret hash, then emails one link', async () => {
    ddb.on(GetCommand, { Key: approvalKey }).resolves({});

    expect(await requestApproval(task)).toEqual({ waiting: true });

    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.ConditionExpression).toBe('attribute_not_exists(PK)');
    const stored = put?.Item as Approval & Record<string, unknown>;
    expect(stored).toMatchObject({ ...approvalKey, requestId, step: 0, round: 0, approverId: 'E100', approverEmail: 'dbaca@cabq.example' });
    expect(stored.sealedToken).toEqual(expect.any(String));
    expect(stored.sealedToken).not.toBe(taskToken);
    expect(stored.sealedToken).not.toContain(taskToken);
    expect(await keys.openToken(stored.sealedToken as string, stored.approvalId)).toBe(taskToken);
    const secret = await keys.linkSecret(stored.approvalId);
    expect(stored.secretHash).toBe(hashSecret(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);

    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const mail = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(mail?.Destination?.ToAddresses).toEqual(['dbaca@cabq.example']);
    expect(mail?.Source).toBe('governance@example.test');
    const text = mail?.Message?.Body?.Text?.Data ?? '';
    const body = mail?.Message?.Body?.Html?.Data ?? '';
    const link = `https://example.test/approvals/${stored.approvalId}?s=${secret}`;
    expect(text).toContain(link);
    expect(body).toContain(`/approvals/${stored.approvalId}?s=`);
    expect(text).not.toContain(taskToken);
    expect(body).not.toContain(taskToken);
    expect(text).not.toContain(stored.secretHash);

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: approvalKey, UpdateExpression: 'SET emailedAt = :at' });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('re-arms an undecided, already emailed approval with the new token and sends no second email', async () => {
    const existing = approval({ secretHash: 'h', sealedToken: 'aes.old' });
    ddb.on(GetCommand, { Key: approvalKey }).resolves({ Item: { ...approvalKey, ...existing } });

    expect(await requestApproval(task)).toEqual({ waiting: true });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: approvalKey, UpdateExpression: 'SET sealedToken = :t' });
    const sealed = ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':t'] as string;
    expect(await keys.openToken(sealed, existing.approvalId)).toBe(taskToken);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('escalates to the designee: a round-1 link supersedes the first and the designee gets an escalation email', async () => {
    const round1Key = { PK: `REQ#${requestId}`, SK: 'APPR#00#1' };
    ddb.on(GetCommand, { Key: round1Key }).resolves({});
    ddb.on(GetCommand, { Key: approvalKey }).resolves({ Item: { ...approvalKey, ...approval({ secretHash: 'h' }) } });
    ddb.on(GetCommand, { Key: { PK: 'PERSON#E101', SK: 'PROFILE' } }).resolves({ Item: person('E101') });

    expect(await requestApproval({ ...task, escalated: true })).toEqual({ waiting: true });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ ...round1Key, round: 1, approverId: 'E101' }) });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: approvalKey,
      UpdateExpression: 'SET supersededAt = :at, supersededByName = :by',
      ExpressionAttributeValues: expect.objectContaining({ ':by': 'Marcus Chavez' }),
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const mail = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(mail?.Destination?.ToAddresses).toEqual(['mchavez@cabq.example']);
    expect(mail?.Message?.Subject?.Data).toMatch(/^Escalated to you:/);
  });

  it('expires an escalated step that has no designee, without emailing anyone', async () => {
    const steps = accountRequest().steps.map((s, i) => (i === 0 ? { ...s, escalateToId: null } : s));
    ddb.on(GetCommand, { Key: metaKey }).resolves({ Item: { ...metaKey, ...accountRequest({ steps }) } });
    ddb.on(GetCommand, { Key: { PK: `REQ#${requestId}`, SK: 'APPR#00#1' } }).resolves({});
    ddb.on(GetCommand, { Key: approvalKey }).resolves({ Item: { ...approvalKey, ...approval({ secretHash: 'h' }) } });

    expect(await requestApproval({ ...task, escalated: true })).toEqual({ waiting: false });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}')).toMatchObject({ outcome: 'EXPIRED' });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('refuses input without a requestId with an InvalidInputError before touching the table', async () => {
    const { requestId: _omitted, ...withoutId } = task;
    await expect(requestApproval(withoutId)).rejects.toMatchObject({ name: 'InvalidInputError', fields: { requestId: expect.any(String) } });
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(ses).not.toHaveReceivedAnyCommand();
  });
});
