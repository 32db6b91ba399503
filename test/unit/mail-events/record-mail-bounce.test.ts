import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mailTags } from '../../../functions/mail-events/mail-tags.ts';
import { localMailEventsTopicArn, sesNotification } from '../../../infra/local/mail-events.ts';
import { setFunctionEnv } from '../env.ts';
import { metricsEmittedBy } from '../output.ts';
import { accountRequest, approval, department, people, requestId, roleHolders } from '../fixtures.ts';

type Module = typeof import('../../../functions/mail-events/handlers/record-mail-bounce.ts');
let recordMailBounce: Module['recordMailBounce'];
let metrics: typeof import('#adapters/metrics')['metrics'];

beforeAll(async () => {
  setFunctionEnv();
  ({ recordMailBounce } = await import('../../../functions/mail-events/handlers/record-mail-bounce.ts'));
  ({ metrics } = await import('#adapters/metrics'));
});

const metaKey = { PK: `REQ#${requestId}`, SK: 'META' };
const approvalKey = { PK: `REQ#${requestId}`, SK: 'APPR#00#0' };
const ledgerKey = { PK: `REQ#${requestId}`, SK: 'MAIL' };
const sent = { claimedAt: '2025-03-01T16:00:05.000Z', attempts: 1, sentAt: '2025-03-01T16:00:06.000Z', messageId: 'ses-m-1' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** The SNS invocation for SES's event about the email sent from `slot`. */
function snsEvent(slot: { PK: string; SK: string; key: string }, eventType: 'Bounce' | 'Complaint' = 'Bounce', to = ['dbaca@cabq.example']) {
  const message = sesNotification({ eventType, messageId: 'ses-m-1', to, subject: 'Decision needed', tags: mailTags(slot) });
  return { Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'n-1', TopicArn: localMailEventsTopicArn, Message: JSON.stringify(message) } }] };
}
const recordWrite = { UpdateExpression: 'SET #m.#kind = :entry, undeliverable = list_append(if_not_exists(undeliverable, :none), :entries)' };
const claimWrite = { UpdateExpression: 'SET #m = :claim' };

describe('recordMailBounce', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: metaKey }).resolves({ Item: { ...metaKey, ...accountRequest() } });
    ddb.on(GetCommand, { Key: { PK: 'DEPT#PRD', SK: 'PROFILE' } }).resolves({ Item: department('PRD') });
    ddb.on(GetCommand, { Key: { PK: 'DEPT#DTI', SK: 'PROFILE' } }).resolves({ Item: department('DTI') });
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { PK: string }[] }> }) => ({
      Responses: Object.fromEntries(
        Object.entries(input.RequestItems).map(([table, { Keys }]) => [
          table,
          Keys.flatMap((k): Record<string, unknown>[] =>
            k.PK.startsWith('ROLE#')
              ? roleHolders.filter((r) => `ROLE#${r.role}` === k.PK).map((r) => ({ PK: k.PK, SK: 'PROFILE', ...r }))
              : people.filter((p) => `PERSON#${p.id}` === k.PK).map((p) => ({ PK: k.PK, SK: 'PROFILE', ...p })),
          ),
        ]),
      ),
    }));
    ddb.on(UpdateCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-dti-1' });
  });

  it('records a bounced receipt once on the request’s ledger item and tells DTI, its notice tagged with its own slot', async () => {
    ddb.on(GetCommand, { Key: ledgerKey }).resolves({ Item: { ...ledgerKey, 'mail:receipt': sent } });
    const slot = { ...ledgerKey, key: 'receipt' };

    expect(await recordMailBounce(snsEvent(slot, 'Bounce', ['agallegos@cabq.example']))).toEqual({ outcomes: [{ recorded: true, dti: 'sent' }] });

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ...recordWrite,
      Key: ledgerKey,
      ConditionExpression: 'attribute_exists(#m) AND attribute_not_exists(#m.#kind)',
      ExpressionAttributeNames: { '#m': 'mail:receipt', '#kind': 'bounce-permanent' },
    });
    const entry = ddb.commandCalls(UpdateCommand, recordWrite)[0]?.args[0].input.ExpressionAttributeValues?.[':entry'];
    expect(entry).toEqual(
      expect.objectContaining({ kind: 'bounce-permanent', mailKey: 'receipt', recipients: ['agallegos@cabq.example'], messageId: 'ses-m-1' }),
    );
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ...claimWrite,
      Key: ledgerKey,
      ExpressionAttributeNames: { '#m': 'mail:dti-bounce-permanent-receipt' },
    });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ses).toHaveReceivedCommandExactlyOnceWith(SendEmailCommand, {
      Destination: { ToAddresses: ['dti@example.test'] },
      Tags: mailTags({ ...slot, key: 'dti-bounce-permanent-receipt' }),
    });
    const text = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Message?.Body?.Text?.Data;
    expect(text).toContain('agallegos@cabq.example');
    expect(text).toContain(`https://example.test/requests/${requestId}`);
  });

  it('records nothing twice and emails DTI once when SNS delivers the same notification again', async () => {
    ddb.on(GetCommand, { Key: ledgerKey }).resolves({ Item: { ...ledgerKey, 'mail:receipt': sent } });
    ddb.on(UpdateCommand, recordWrite).rejects(conditionFailed());
    ddb.on(UpdateCommand, claimWrite).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: ledgerKey, ProjectionExpression: 'PK, #m' }).resolves({ Item: { ...ledgerKey, 'mail:dti-bounce-permanent-receipt': sent } });

    expect(await recordMailBounce(snsEvent({ ...ledgerKey, key: 'receipt' }))).toEqual({ outcomes: [{ recorded: false, dti: 'skipped' }] });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('escalates an approver’s bounced link to the designee in one conditional transaction, the execution’s token carried over', async () => {
    const first = approval({ sealedToken: 'sealed-for-first' });
    ddb.on(GetCommand, { Key: approvalKey }).resolves({ Item: { ...approvalKey, ...first, 'mail:first': sent } });

    const { outcomes } = await recordMailBounce(snsEvent({ ...approvalKey, key: 'first' }));
    expect(outcomes).toEqual([{ recorded: true, step: { movedTo: 'Marcus Chavez' }, dti: 'sent' }]);

    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const [put, supersede, pending] = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(put?.Put?.ConditionExpression).toBe('attribute_not_exists(PK)');
    expect(put?.Put?.Item).toMatchObject({
      PK: `REQ#${requestId}`,
      SK: 'APPR#00#1',
      round: 1,
      approverId: 'E101',
      approverEmail: 'mchavez@cabq.example',
      sealedToken: 'sealed-for-first',
      sealedFor: first.approvalId,
      assigneeId: 'E101',
      handedOverFrom: { approverId: 'E100', approverName: 'Dolores Baca', approvalId: first.approvalId },
      routedBecause: 'the email with Dolores Baca’s decision link could not be delivered to dbaca@cabq.example',
      'mail:first': { claimedAt: expect.any(String), attempts: 1 },
    });
    expect(supersede?.Update).toMatchObject({
      Key: approvalKey,
      UpdateExpression: 'SET supersededAt = :at, supersededByName = :by, supersededReason = :why REMOVE assigneeId, assignedAt',
      ConditionExpression: 'approvalId = :old AND attribute_not_exists(decision) AND attribute_not_exists(supersededAt) AND sealedToken = :token',
      ExpressionAttributeValues: expect.objectContaining({ ':old': first.approvalId, ':token': 'sealed-for-first', ':by': 'Marcus Chavez' }),
    });
    expect(pending?.ConditionCheck).toMatchObject({ Key: metaKey, ConditionExpression: '#status = :pending' });
    const to = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses);
    expect(to).toEqual([['mchavez@cabq.example'], ['dti@example.test']]);
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Message?.Subject?.Data).toMatch(/^Moved to you/);
  });

  it('moves nothing when a decision or the workflow’s own escalation lands first (the transaction is cancelled)', async () => {
    const first = approval({ sealedToken: 'sealed-for-first' });
    ddb
      .on(GetCommand, { Key: approvalKey })
      .resolvesOnce({ Item: { ...approvalKey, ...first, 'mail:first': sent } })
      .resolves({
        Item: {
          ...approvalKey,
          ...first,
          decision: { outcome: 'APPROVED', decidedAt: 't', decidedById: 'E100', decidedByName: 'Dolores Baca', approvalId: first.approvalId },
        },
      });
    ddb
      .on(TransactWriteCommand)
      .rejects(
        new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] }),
      );

    const { outcomes } = await recordMailBounce(snsEvent({ ...approvalKey, key: 'first' }));
    expect(outcomes).toEqual([{ recorded: true, step: { whyNot: 'changed' }, dti: 'sent' }]);
    expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses)).toEqual([['dti@example.test']]);
  });

  it('records a complaint about a link and tells DTI, moving nothing', async () => {
    ddb.on(GetCommand, { Key: approvalKey }).resolves({ Item: { ...approvalKey, ...approval(), 'mail:first': sent } });
    expect((await recordMailBounce(snsEvent({ ...approvalKey, key: 'first' }, 'Complaint'))).outcomes).toEqual([
      { recorded: true, step: { whyNot: 'complaint' }, dti: 'sent' },
    ]);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('ignores what it cannot act on, with a named reason, reading and writing nothing', async () => {
    expect((await recordMailBounce({ detail: 'an EventBridge event' })).outcomes).toEqual([expect.objectContaining({ ignored: 'not-an-sns-notification' })]);
    expect((await recordMailBounce(snsEvent({ PK: 'PERSON#E100', SK: 'PROFILE', key: 'first' }))).outcomes).toEqual([
      expect.objectContaining({ ignored: 'not-a-governance-item' }),
    ]);
    expect(ddb.calls()).toHaveLength(0);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('ignores a bounce of an email its slot never sent (no such slot), changing nothing', async () => {
    ddb.on(GetCommand, { Key: approvalKey }).resolves({ Item: { ...approvalKey, ...approval() } });
    expect((await recordMailBounce(snsEvent({ ...approvalKey, key: 'reminder-3' }))).outcomes).toEqual([expect.objectContaining({ ignored: 'unknown-email' })]);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('throws when the table fails, so that Lambda’s retries redo the (idempotent) work', async () => {
    ddb.on(GetCommand, { Key: ledgerKey }).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(recordMailBounce(snsEvent({ ...ledgerKey, key: 'receipt' }))).rejects.toThrow('ProvisionedThroughputExceededException');
  });

  it('counts one undeliverable email, in the mail workflow, for the bounce it records, and none for SNS’s second delivery of it', async () => {
    ddb.on(GetCommand, { Key: ledgerKey }).resolves({ Item: { ...ledgerKey, 'mail:receipt': sent } });
    const slot = { ...ledgerKey, key: 'receipt' };
    expect(await metricsEmittedBy(metrics, () => recordMailBounce(snsEvent(slot)))).toEqual([{ workflow: 'mail', MailUndeliverable: 1 }]);

    ddb.on(UpdateCommand, recordWrite).rejects(conditionFailed());
    expect(await metricsEmittedBy(metrics, () => recordMailBounce(snsEvent(slot)))).toEqual([]);
  });

  it('counts nothing for a notification it ignores', async () => {
    expect(await metricsEmittedBy(metrics, () => recordMailBounce(snsEvent({ PK: 'PERSON#E100', SK: 'PROFILE', key: 'first' })))).toEqual([]);
    expect(await metricsEmittedBy(metrics, () => recordMailBounce({ detail: 'an EventBridge event' }))).toEqual([]);
  });

  it('counts the bounced link’s step as escalated in its request’s workflow, apart from the mail workflow’s count', async () => {
    ddb.on(GetCommand, { Key: approvalKey }).resolves({ Item: { ...approvalKey, ...approval({ sealedToken: 'sealed-for-first' }), 'mail:first': sent } });

    expect(await metricsEmittedBy(metrics, () => recordMailBounce(snsEvent({ ...approvalKey, key: 'first' })))).toEqual([
      { workflow: 'mail', MailUndeliverable: 1 },
      { workflow: 'newAccountApproval', Escalated: 1 },
    ]);
  });
});
