import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localKeys } from '#adapters/link-keys';
import type { Approval, Decision } from '#core/approval';
import type { Person } from '#core/policy';
import { hashSecret } from '#core/approval-link';
import { formatWhen } from '#core/html';
import { setFunctionEnv, testLinkKey } from '../env.ts';
import { accountRequest, approval, department, people, person, requestId, roleHolders } from '../fixtures.ts';

type Module = typeof import('#approval-chain/handlers/request-approval');
let requestApproval: Module['requestApproval'];

beforeAll(async () => {
  setFunctionEnv();
  ({ requestApproval } = await import('#approval-chain/handlers/request-approval'));
});

const keys = localKeys(Buffer.from(testLinkKey, 'base64'));
const taskToken = 'AQCEAAAAKgAAAA-raw-task-token-from-step-functions';
const task = { requestId, step: 0, reminder: 0, escalated: false, waitSeconds: 259200, taskToken };
const metaKey = { PK: `REQ#${requestId}`, SK: 'META' };
const approvalKey = { PK: `REQ#${requestId}`, SK: 'APPR#00#0' };
const round1Key = { PK: `REQ#${requestId}`, SK: 'APPR#00#1' };
/** The request's mail ledger item, beside its META item: the receipt's slot lives here. */
const mailKey = { PK: `REQ#${requestId}`, SK: 'MAIL' };
const receiptSent = {
  Item: { ...mailKey, 'mail:receipt': { claimedAt: '2025-03-01T16:00:05.000Z', attempts: 1, sentAt: '2025-03-01T16:00:05.500Z', messageId: 'm-0' } },
};
/** How the store supersedes a link (store.ts `supersede`): it also drops the link's assignment. */
const supersedeExpression = 'SET supersededAt = :at, supersededByName = :by REMOVE assigneeId, assignedAt';
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const decision: Decision = {
  outcome: 'APPROVED',
  decidedAt: '2025-03-02T16:00:00.000Z',
  decidedById: 'E100',
  decidedByName: 'Dolores Baca',
  approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
};
/** Marcus Chavez's escalation link for step 0, emailed and undecided. */
const escalation = (overrides: Partial<Approval> = {}) =>
  approval({
    round: 1,
    approvalId: 'EsCaLaTiOnLiNkIdAbCdEf',
    approverId: 'E101',
    approverName: 'Marcus Chavez',
    approverEmail: 'mchavez@cabq.example',
    secretHash: 'h1',
    createdAt: '2025-03-04T16:00:05.000Z',
    emailedAt: '2025-03-04T16:00:06.000Z',
    ...overrides,
  });

describe('request-approval', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const sfn = mockClient(SFNClient);
  const ses = mockClient(SESClient);
  /** The directory the link's routing reads (routing-reads.ts: BatchGetItem by id); a test may change someone in it. */
  let directory: Map<string, Person>;

  beforeEach(() => {
    ddb.reset();
    sfn.reset();
    ses.reset();
    // No approval yet for either round unless a test stores one.
    ddb.on(GetCommand).resolves({});
    ddb.on(GetCommand, { Key: metaKey }).resolves({ Item: { ...metaKey, ...accountRequest() } });
    ddb.on(GetCommand, { Key: { PK: 'PERSON#E100', SK: 'PROFILE' } }).resolves({ Item: { PK: 'PERSON#E100', SK: 'PROFILE', ...person('E100') } });
    ddb.on(GetCommand, { Key: { PK: 'PERSON#E101', SK: 'PROFILE' } }).resolves({ Item: { PK: 'PERSON#E101', SK: 'PROFILE', ...person('E101') } });
    // Who holds each post now, read as a link is made (core/routing.ts): the demo directory's PRD, DTI and City-wide roles.
    directory = new Map(people.map((p) => [p.id, p]));
    ddb.on(GetCommand, { Key: { PK: 'DEPT#PRD', SK: 'PROFILE' } }).resolves({ Item: department('PRD') });
    ddb.on(GetCommand, { Key: { PK: 'DEPT#DTI', SK: 'PROFILE' } }).resolves({ Item: department('DTI') });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(QueryCommand, { IndexName: 'GSI1', ExpressionAttributeValues: { ':pk': 'ROLES' } }).resolves({ Items: roleHolders });
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { PK: string }[] }> }) => ({
      Responses: Object.fromEntries(
        Object.entries(input.RequestItems).map(([table, { Keys }]) => [
          table,
          Keys.flatMap((k): Record<string, unknown>[] =>
            k.PK.startsWith('ROLE#')
              ? roleHolders.filter((r) => `ROLE#${r.role}` === k.PK).map((r) => ({ PK: k.PK, SK: 'PROFILE', ...r }))
              : [directory.get(k.PK.replace('PERSON#', ''))].flatMap((p) => (p ? [{ PK: `PERSON#${p.id}`, SK: 'PROFILE', ...p }] : [])),
          ),
        ]),
      ),
    }));
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    sfn.on(SendTaskSuccessCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  /** An approval item as the table holds it. */
  const stored = (key: { PK: string; SK: string }, a: Approval, extra: Record<string, unknown> = {}) => ({ Item: { ...key, ...a, ...extra } });
  /** The mail slots this run tried to claim (an UpdateItem each), in order. */
  const claimed = () =>
    ddb
      .commandCalls(UpdateCommand)
      .filter((c) => c.args[0].input.UpdateExpression === 'SET #m = :claim')
      .map((c) => c.args[0].input.ExpressionAttributeNames?.['#m']);

  it('hands back the stored decision of an already decided step and sends no email', async () => {
    ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, approval({ decision })));

    expect(await requestApproval(task)).toEqual({ waiting: false });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}')).toEqual(decision);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('stores a new approval with a sealed token, a secret hash and its first email claimed, then emails one link', async () => {
    expect(await requestApproval(task)).toEqual({ waiting: true });

    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    const put = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.ConditionExpression).toBe('attribute_not_exists(PK)');
    const item = put?.Item as Approval & Record<string, unknown>;
    expect(item).toMatchObject({ ...approvalKey, requestId, step: 0, round: 0, approverId: 'E100', approverEmail: 'dbaca@cabq.example', remindersSent: 0 });
    // The first email's slot is claimed in the same write that creates the approval.
    expect(item['mail:first']).toEqual({ claimedAt: item.createdAt, attempts: 1 });
    expect(item.emailedAt).toBeUndefined();
    expect(item.sealedToken).toEqual(expect.any(String));
    expect(item.sealedToken).not.toBe(taskToken);
    expect(item.sealedToken).not.toContain(taskToken);
    expect(await keys.openToken(item.sealedToken as string, item.approvalId)).toBe(taskToken);
    const secret = await keys.linkSecret(item.approvalId);
    expect(item.secretHash).toBe(hashSecret(secret));
    expect(JSON.stringify(item)).not.toContain(secret);

    // Two emails: the requester's receipt (its own test below), then the director's link.
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
    const mail = ses.commandCalls(SendEmailCommand)[1]?.args[0].input;
    expect(mail?.Destination?.ToAddresses).toEqual(['dbaca@cabq.example']);
    expect(mail?.Source).toBe('governance@example.test');
    expect(mail?.Message?.Subject?.Data).toBe('Decision needed: new Instagram account @ABQParks for Parks and Recreation');
    const text = mail?.Message?.Body?.Text?.Data ?? '';
    const body = mail?.Message?.Body?.Html?.Data ?? '';
    const link = `https://example.test/approvals/${item.approvalId}?s=${secret}`;
    expect(text).toContain(link);
    expect(body).toContain(`/approvals/${item.approvalId}?s=`);
    expect(text).not.toContain(taskToken);
    expect(body).not.toContain(taskToken);
    expect(text).not.toContain(item.secretHash);

    // No separate claim for the link: one write confirms the send and records emailedAt on the
    // approval. The only claim is the receipt's, on the ledger item beside the request.
    expect(claimed()).toEqual(['mail:receipt']);
    // Three writes in all: the receipt's claim and confirmation, and the link's confirmation.
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 3);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: approvalKey,
      UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id, #f0 = :f0',
      ExpressionAttributeNames: { '#m': 'mail:first', '#f0': 'emailedAt' },
      ExpressionAttributeValues: expect.objectContaining({ ':id': 'm-1', ':f0': expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
    });
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('re-arms an undecided, already emailed approval with the new token and sends no second email', async () => {
    const existing = approval({ secretHash: 'h', sealedToken: 'aes.old' });
    ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, existing, { 'mail:first': { claimedAt: existing.createdAt, attempts: 1 } }));

    expect(await requestApproval(task)).toEqual({ waiting: true });
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
      Key: approvalKey,
      UpdateExpression: 'SET sealedToken = :t REMOVE sealedFor',
      // Only while the slot still holds this link: a hand-over in between gave it another.
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(decision) AND approvalId = :id',
      ExpressionAttributeValues: { ':t': expect.any(String), ':id': existing.approvalId },
    });
    const sealed = ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':t'] as string;
    expect(await keys.openToken(sealed, existing.approvalId)).toBe(taskToken);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    // emailedAt says the first email was sent: its slot is not even read.
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { ProjectionExpression: 'PK, #m' });
  });

  it('hands back a decision written just before the re-arm instead of waiting', async () => {
    ddb
      .on(GetCommand, { Key: approvalKey })
      .resolvesOnce(stored(approvalKey, approval({ secretHash: 'h' })))
      .resolves(stored(approvalKey, approval({ secretHash: 'h', decision })));
    ddb.on(UpdateCommand, { UpdateExpression: 'SET sealedToken = :t REMOVE sealedFor' }).rejects(conditionFailed());

    expect(await requestApproval(task)).toEqual({ waiting: false });
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, { taskToken });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}')).toEqual(decision);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('sends the first email once more, marked uncertain, when an earlier run stored the approval but never confirmed the send', async () => {
    const unsent = approval({ secretHash: 'h', emailedAt: undefined });
    ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, unsent));
    ddb.on(UpdateCommand, { UpdateExpression: 'SET #m = :claim' }).rejects(conditionFailed());
    ddb
      .on(GetCommand, { Key: approvalKey, ProjectionExpression: 'PK, #m' })
      .resolves({ Item: { ...approvalKey, 'mail:first': { claimedAt: unsent.createdAt, attempts: 1 } } });
    // The earlier run had sent and confirmed the receipt: it is not sent again.
    ddb.on(GetCommand, { Key: mailKey, ProjectionExpression: 'PK, #m' }).resolves(receiptSent);

    expect(await requestApproval(task)).toEqual({ waiting: true });

    expect(claimed()).toEqual(['mail:receipt', 'mail:first']);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: approvalKey,
      UpdateExpression: 'SET #m.attempts = :next, #m.claimedAt = :at, #m.uncertain = :true',
      ExpressionAttributeNames: { '#m': 'mail:first' },
      ExpressionAttributeValues: expect.objectContaining({ ':seen': 1, ':next': 2, ':true': true }),
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Destination?.ToAddresses).toEqual(['dbaca@cabq.example']);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: approvalKey,
      UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id, #f0 = :f0',
      ExpressionAttributeNames: { '#m': 'mail:first', '#f0': 'emailedAt' },
    });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it('sends reminder 1 through its own slot and records it on the approval', async () => {
    ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, approval({ secretHash: 'h' })));

    expect(await requestApproval({ ...task, reminder: 1 })).toEqual({ waiting: true });

    expect(claimed()).toEqual(['mail:reminder-1']);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Message?.Subject?.Data).toBe(
      'Reminder: your decision is needed on a new Instagram account @ABQParks for Parks and Recreation',
    );
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: approvalKey,
      UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id, #f0 = :f0, #f1 = :f1',
      ExpressionAttributeNames: { '#m': 'mail:reminder-1', '#f0': 'remindersSent', '#f1': 'lastRemindedAt' },
      ExpressionAttributeValues: expect.objectContaining({ ':id': 'm-1', ':f0': 1 }),
    });
  });

  it('sends no reminder the approval already records as sent', async () => {
    ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, approval({ secretHash: 'h', remindersSent: 1 })));

    expect(await requestApproval({ ...task, reminder: 1 })).toEqual({ waiting: true });

    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(claimed()).toEqual([]);
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { ProjectionExpression: 'PK, #m' });
  });

  it('escalates to the designee: a round-1 link supersedes the first and the designee gets an escalation email', async () => {
    ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, approval({ secretHash: 'h' })));

    expect(await requestApproval({ ...task, escalated: true })).toEqual({ waiting: true });
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(PutCommand, {
      Item: expect.objectContaining({ ...round1Key, round: 1, approverId: 'E101', 'mail:first': expect.objectContaining({ attempts: 1 }) }),
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: approvalKey,
      UpdateExpression: supersedeExpression,
      ExpressionAttributeValues: expect.objectContaining({ ':by': 'Marcus Chavez' }),
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const mail = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(mail?.Destination?.ToAddresses).toEqual(['mchavez@cabq.example']);
    expect(mail?.Message?.Subject?.Data).toMatch(/^Escalated to you:/);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: round1Key, ExpressionAttributeNames: { '#m': 'mail:first', '#f0': 'emailedAt' } });
    // The requester had their receipt when step 0 began: the escalation sends none and looks at no slot.
    expect(claimed()).toEqual([]);
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: mailKey });
  });

  it('waits on the escalation’s link when a re-run after a restart starts again at round 0', async () => {
    const designee = escalation();
    ddb.on(GetCommand, { Key: round1Key }).resolves(stored(round1Key, designee));
    ddb
      .on(GetCommand, { Key: approvalKey })
      .resolves(stored(approvalKey, approval({ secretHash: 'h', supersededAt: designee.createdAt, supersededByName: 'Marcus Chavez' })));

    expect(await requestApproval(task)).toEqual({ waiting: true });

    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, { Key: round1Key, UpdateExpression: 'SET sealedToken = :t REMOVE sealedFor' });
    const sealed = ddb.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':t'] as string;
    expect(await keys.openToken(sealed, designee.approvalId)).toBe(taskToken);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('supersedes the first link on a re-run when the escalation was stored but the first link not yet superseded', async () => {
    const designee = escalation();
    ddb.on(GetCommand, { Key: round1Key }).resolves(stored(round1Key, designee));
    ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, approval({ secretHash: 'h' })));

    expect(await requestApproval({ ...task, escalated: true })).toEqual({ waiting: true });

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: approvalKey,
      UpdateExpression: supersedeExpression,
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(decision) AND attribute_not_exists(supersededAt) AND approvalId = :id',
      ExpressionAttributeValues: { ':at': '2025-03-04T16:00:05.000Z', ':by': 'Marcus Chavez', ':id': approval().approvalId },
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: round1Key, UpdateExpression: 'SET sealedToken = :t REMOVE sealedFor' });
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('hands back the first approver’s decision when it was written before the escalation could supersede it', async () => {
    const designee = escalation();
    ddb.on(GetCommand, { Key: round1Key }).resolves(stored(round1Key, designee));
    ddb
      .on(GetCommand, { Key: approvalKey })
      .resolvesOnce(stored(approvalKey, approval({ secretHash: 'h' })))
      .resolves(stored(approvalKey, approval({ secretHash: 'h', decision })));
    ddb.on(UpdateCommand, { UpdateExpression: supersedeExpression }).rejects(conditionFailed());

    expect(await requestApproval({ ...task, escalated: true })).toEqual({ waiting: false });

    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}')).toEqual(decision);
    expect(ddb).not.toHaveReceivedCommandWith(UpdateCommand, { UpdateExpression: 'SET sealedToken = :t REMOVE sealedFor' });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('expires an escalated step that has no designee, without emailing anyone', async () => {
    const steps = accountRequest().steps.map((s, i) => (i === 0 ? { ...s, escalateToId: null } : s));
    ddb.on(GetCommand, { Key: metaKey }).resolves({ Item: { ...metaKey, ...accountRequest({ steps }) } });
    // The escalation goes to whoever is the post's designee now (core/routing.ts): the department's has left the City.
    directory.set('E101', { ...person('E101'), separatedOn: '2025-03-02' });
    ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, approval({ secretHash: 'h' })));

    expect(await requestApproval({ ...task, escalated: true })).toEqual({ waiting: false });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output ?? '{}')).toEqual({
      outcome: 'EXPIRED',
      reason: 'No designee could take over from Dolores Baca.',
    });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  describe('the requester’s receipt', () => {
    /** The emails this run sent to Ana Gallegos, the requester. */
    const toRequester = () =>
      ses
        .commandCalls(SendEmailCommand)
        .map((c) => c.args[0].input)
        .filter((m) => m.Destination?.ToAddresses?.includes('agallegos@cabq.example'));

    it('is sent once at step 0 round 0, before the first link, through the slot beside the request', async () => {
      expect(await requestApproval(task)).toEqual({ waiting: true });

      const created = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item as Approval;
      expect(toRequester()).toHaveLength(1);
      const [receipt, link] = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
      expect(receipt?.Destination?.ToAddresses).toEqual(['agallegos@cabq.example']);
      expect(link?.Destination?.ToAddresses).toEqual(['dbaca@cabq.example']);
      expect(receipt?.Message?.Subject?.Data).toBe('Received: new Instagram account @ABQParks for Parks and Recreation');
      // Due: the link's creation plus policy.waits.decisionWaitSeconds (259200 s, three days), as the request page says.
      const due = formatWhen(new Date(Date.parse(created.createdAt) + 259200 * 1000).toISOString());
      const text = receipt?.Message?.Body?.Text?.Data ?? '';
      const body = receipt?.Message?.Body?.Html?.Data ?? '';
      expect(text).toContain(`Your request for a new Instagram account @ABQParks is submitted. Its reference is ${requestId}.`);
      expect(text).toContain(
        `It goes through 2 steps; the first is decided by Dolores Baca (Department Director (Parks and Recreation)), who is asked to answer by ${due}.`,
      );
      expect(text).toContain('You will get an email when the request is approved, rejected or expires.');
      expect(text).toContain(`The request: https://example.test/requests/${requestId}`);
      expect(body).toContain(`href="https://example.test/requests/${requestId}" target="_blank" rel="noopener noreferrer"`);
      expect(text).not.toContain('/approvals/');
      expect(body).not.toContain('/approvals/');

      // claim (a slot item of its own: no condition on an existing item) → send → confirm.
      expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
        Key: mailKey,
        UpdateExpression: 'SET #m = :claim',
        ConditionExpression: 'attribute_not_exists(#m)',
        ExpressionAttributeNames: { '#m': 'mail:receipt' },
      });
      expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
        Key: mailKey,
        UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id',
        ExpressionAttributeNames: { '#m': 'mail:receipt' },
        ExpressionAttributeValues: expect.objectContaining({ ':id': 'm-1' }),
      });
    });

    it('is not sent again by a retry that finds its slot sent, while the unsent link still goes out', async () => {
      // The earlier run created the approval and sent the receipt, then ended before the link.
      ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, approval({ secretHash: 'h', emailedAt: undefined })));
      ddb.on(UpdateCommand, { Key: mailKey, UpdateExpression: 'SET #m = :claim' }).rejects(conditionFailed());
      ddb.on(GetCommand, { Key: mailKey, ProjectionExpression: 'PK, #m' }).resolves(receiptSent);

      expect(await requestApproval(task)).toEqual({ waiting: true });

      expect(toRequester()).toEqual([]);
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
      expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Destination?.ToAddresses).toEqual(['dbaca@cabq.example']);
      expect(ddb).not.toHaveReceivedCommandWith(UpdateCommand, {
        Key: mailKey,
        ExpressionAttributeNames: { '#m': 'mail:receipt' },
        UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id',
      });
    });

    it('is sent once more, marked uncertain, when an earlier run claimed it but never confirmed the send', async () => {
      ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, approval({ secretHash: 'h', emailedAt: undefined })));
      ddb.on(UpdateCommand, { Key: mailKey, UpdateExpression: 'SET #m = :claim' }).rejects(conditionFailed());
      ddb
        .on(GetCommand, { Key: mailKey, ProjectionExpression: 'PK, #m' })
        .resolves({ Item: { ...mailKey, 'mail:receipt': { claimedAt: '2025-03-01T16:00:05.000Z', attempts: 1 } } });

      expect(await requestApproval(task)).toEqual({ waiting: true });

      expect(toRequester()).toHaveLength(1);
      expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
        Key: mailKey,
        UpdateExpression: 'SET #m.attempts = :next, #m.claimedAt = :at, #m.uncertain = :true',
        ExpressionAttributeValues: expect.objectContaining({ ':seen': 1, ':next': 2 }),
      });
    });

    it('is not sent, nor its slot read, when the approval is already emailed (the receipt precedes the link)', async () => {
      ddb.on(GetCommand, { Key: approvalKey }).resolves(stored(approvalKey, approval({ secretHash: 'h' })));

      expect(await requestApproval(task)).toEqual({ waiting: true });

      expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
      expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: mailKey });
      expect(claimed()).toEqual([]);
    });

    it('is not sent at step 1: the requester had it when step 0 began', async () => {
      ddb.on(GetCommand, { Key: { PK: 'PERSON#E500', SK: 'PROFILE' } }).resolves({
        Item: { PK: 'PERSON#E500', SK: 'PROFILE', id: 'E500', name: 'Elena Martinez', email: 'emartinez@cabq.example', departmentCode: 'CMO' },
      });

      expect(await requestApproval({ ...task, step: 1 })).toEqual({ waiting: true });

      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
      expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Destination?.ToAddresses).toEqual(['emartinez@cabq.example']);
      expect(toRequester()).toEqual([]);
      expect(claimed()).toEqual([]);
    });
  });

  it('refuses input without a requestId with an InvalidInputError before touching the table', async () => {
    const { requestId: _omitted, ...withoutId } = task;
    await expect(requestApproval(withoutId)).rejects.toMatchObject({ name: 'InvalidInputError', fields: { requestId: expect.any(String) } });
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(ses).not.toHaveReceivedAnyCommand();
  });
});
