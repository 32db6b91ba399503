import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Decision } from '#core/approval';
import type { PostRemovalRequest } from '#post-removal/post-removal';
import { setFunctionEnv } from '../env.ts';
import { accountId, accountRequest, approval, grant, named, paRequestId, postingAuthorityRequest, requestId } from '../fixtures.ts';

// The capture of a new account's first credential is its own adapter (tested on the local stack, test/statemachines/credentials.test.ts): here, only that the approval opens it.
const captures = vi.hoisted(() => [] as { accountId: string; recipients: string[] }[]);
vi.mock('#adapters/credential-capture', () => ({
  openCredentialCapture: async (input: { account: { accountId: string }; recipients: { id: string }[] }) => {
    captures.push({ accountId: input.account.accountId, recipients: input.recipients.map((r) => r.id) });
    return 'started';
  },
}));

type Module = typeof import('#approval-chain/handlers/record-outcome');
let recordOutcome: Module['recordOutcome'];

beforeAll(async () => {
  setFunctionEnv();
  ({ recordOutcome } = await import('#approval-chain/handlers/record-outcome'));
});

const metaKey = { PK: `REQ#${requestId}`, SK: 'META' };
/** Outcome emails keep their slots on a small item beside the request, made by the first claim. */
const ledgerKey = { PK: `REQ#${requestId}`, SK: 'MAIL' };
const reason = 'The department already runs an Instagram account.';
const rejected = { requestId, decision: { outcome: 'REJECTED', reason, decidedByName: 'Dolores Baca' } };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const claimWrite = { UpdateExpression: 'SET #m = :claim' };
const confirmWrite = { UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id' };
/** A mail slot whose send was confirmed by an earlier run. */
const sentSlot = { claimedAt: '2025-03-02T16:00:00.000Z', attempts: 1, sentAt: '2025-03-02T16:00:01.000Z', messageId: 'm-0' };

/** The outcome-email slots a run tried to claim on the request (an UpdateItem each), in order. */
function claimedSlots(ddb: AwsClientStub<DynamoDBDocumentClient>) {
  return ddb
    .commandCalls(UpdateCommand)
    .filter((c) => c.args[0].input.UpdateExpression === claimWrite.UpdateExpression)
    .map((c) => c.args[0].input.ExpressionAttributeNames?.['#m']);
}

/** The slot reads (GetItem with a projection of one slot) answer each named slot as given. */
function slotsRead(ddb: AwsClientStub<DynamoDBDocumentClient>, key: { PK: string; SK: string }, slots: Record<string, unknown>) {
  for (const [name, state] of Object.entries(slots)) {
    ddb
      .on(GetCommand, { Key: key, ProjectionExpression: 'PK, #m', ExpressionAttributeNames: { '#m': name } })
      .resolves({ Item: { PK: key.PK, [name]: state } });
  }
}

describe('record-outcome', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `REQ#${requestId}` } }).resolves({
      Items: [{ ...metaKey, ...accountRequest() }],
    });
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it('closes a rejected request and emails the requester the reason once', async () => {
    expect(await recordOutcome(rejected)).toEqual({ status: 'REJECTED', accountId: null });

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: metaKey,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeValues: expect.objectContaining({ ':status': 'REJECTED', ':reason': reason, ':pending': 'PENDING' }),
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    const mail = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(mail?.Destination?.ToAddresses).toEqual(['agallegos@cabq.example']);
    expect(mail?.Message?.Subject?.Data).toBe('Not approved: Instagram account @ABQParks');
    expect(mail?.Message?.Body?.Text?.Data).toContain(`Dolores Baca rejected your request. Reason: ${reason}`);
    expect(mail?.Message?.Body?.Text?.Data).toContain(`https://example.test/requests/${requestId}`);
    // Claimed on the request before the send, confirmed with the message id after it.
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: ledgerKey,
      UpdateExpression: 'SET #m = :claim',
      ConditionExpression: 'attribute_not_exists(#m)',
      ExpressionAttributeNames: { '#m': 'mail:outcome-requester' },
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: ledgerKey,
      ...confirmWrite,
      ExpressionAttributeNames: { '#m': 'mail:outcome-requester' },
      ExpressionAttributeValues: expect.objectContaining({ ':id': 'm-1' }),
    });
    const claim = ddb.commandCalls(UpdateCommand).find((c) => c.args[0].input.UpdateExpression === claimWrite.UpdateExpression);
    const [send] = ses.commandCalls(SendEmailCommand);
    expect(claim && send && claim.calledBefore(send)).toBe(true);
    expect(claimedSlots(ddb)).toEqual(['mail:outcome-requester']);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('emails the requester only once when the step runs again (retry or re-run)', async () => {
    // The re-run finds the slot claimed and confirmed by the first run.
    ddb.on(UpdateCommand, claimWrite).resolvesOnce({}).rejects(conditionFailed());
    slotsRead(ddb, ledgerKey, { 'mail:outcome-requester': sentSlot });
    // The re-run finds the request closed already.
    ddb
      .on(UpdateCommand, { ConditionExpression: '#status = :pending' })
      .resolvesOnce({})
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));

    expect(await recordOutcome(rejected)).toEqual({ status: 'REJECTED', accountId: null });
    expect(await recordOutcome(rejected)).toEqual({ status: 'REJECTED', accountId: null });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(claimedSlots(ddb)).toEqual(['mail:outcome-requester', 'mail:outcome-requester']);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 5);
  });

  it('sends no email when the requester’s outcome email is recorded as sent', async () => {
    ddb.on(UpdateCommand, claimWrite).rejects(conditionFailed());
    slotsRead(ddb, ledgerKey, { 'mail:outcome-requester': sentSlot });

    expect(await recordOutcome(rejected)).toEqual({ status: 'REJECTED', accountId: null });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: ledgerKey, ExpressionAttributeNames: { '#m': 'mail:outcome-requester' }, ConsistentRead: true });
    expect(ddb).not.toHaveReceivedCommandWith(UpdateCommand, confirmWrite);
  });

  it('sends the outcome email once more, marked uncertain, when an earlier run claimed it but never confirmed the send', async () => {
    ddb.on(UpdateCommand, claimWrite).rejects(conditionFailed());
    slotsRead(ddb, ledgerKey, { 'mail:outcome-requester': { claimedAt: '2025-03-02T16:00:00.000Z', attempts: 1 } });

    expect(await recordOutcome(rejected)).toEqual({ status: 'REJECTED', accountId: null });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: ledgerKey,
      UpdateExpression: 'SET #m.attempts = :next, #m.claimedAt = :at, #m.uncertain = :true',
      ExpressionAttributeNames: { '#m': 'mail:outcome-requester' },
      ExpressionAttributeValues: expect.objectContaining({ ':seen': 1, ':next': 2 }),
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: ledgerKey, ...confirmWrite, ExpressionAttributeNames: { '#m': 'mail:outcome-requester' } });
  });

  /** The request and its Department Director's approval, as RecordOutcome reads them. */
  function givenDirectorApproved() {
    const director: Decision = {
      outcome: 'APPROVED',
      decidedAt: '2025-03-02T16:00:00.000Z',
      decidedById: 'E100',
      decidedByName: 'Dolores Baca',
      approvalId: 'a',
    };
    ddb.on(QueryCommand).resolves({
      Items: [
        { ...metaKey, ...accountRequest() },
        { PK: metaKey.PK, SK: 'APPR#00#0', ...approval({ decision: director }) },
      ],
    });
  }

  it('approves into the registry with the Department Director as the grants’ authority and tells requester and DTI', async () => {
    givenDirectorApproved();
    ddb.on(TransactWriteCommand).resolves({});

    expect(await recordOutcome({ requestId, decision: { outcome: 'APPROVED' } })).toEqual({ status: 'APPROVED', accountId: `acct-${requestId.slice(3)}` });

    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    const grants = items.flatMap((i) => (i.Put?.Item?.entity === 'Grant' ? [i.Put.Item] : []));
    expect(grants.map((g) => [g.personId, g.authorizedById])).toEqual([
      ['E102', 'E100'],
      ['E103', 'E100'],
    ]);
    expect(items.some((i) => i.Put?.Item?.PK === 'HANDLE#instagram#@abqparks')).toBe(true);
    const recipients = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses);
    expect(recipients).toEqual([['agallegos@cabq.example'], ['dti@example.test']]);
    expect(claimedSlots(ddb)).toEqual(['mail:outcome-requester', 'mail:outcome-dti']);
    expect(captures.at(-1)).toEqual({ accountId: `acct-${requestId.slice(3)}`, recipients: ['E102', 'E103'] });
  });

  it('reports no account when a retried approval finds the request already closed as FAILED', async () => {
    // A first attempt found the handle taken and closed the request FAILED; the retry's transaction is cancelled.
    givenDirectorApproved();
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
      }),
    );
    const closed = { ...accountRequest({ status: 'FAILED', outcomeReason: 'the handle @ABQParks was registered by another request meanwhile' }) };
    ddb.on(GetCommand, { Key: metaKey }).resolves({ Item: { ...metaKey, ...closed } });
    // The first attempt sent the failure's emails.
    ddb.on(UpdateCommand, claimWrite).rejects(conditionFailed());
    slotsRead(ddb, ledgerKey, { 'mail:outcome-requester': sentSlot, 'mail:outcome-dti-failure': sentSlot });

    expect(await recordOutcome({ requestId, decision: { outcome: 'APPROVED' } })).toEqual({ status: 'FAILED', accountId: null });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(claimedSlots(ddb)).toEqual(['mail:outcome-requester', 'mail:outcome-dti-failure']);
  });

  it('refuses an input whose request id is malformed', async () => {
    await expect(recordOutcome({ requestId: 'na-1', decision: { outcome: 'REJECTED' } })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});

describe('record-outcome for posting authority (B)', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);
  const paMeta = { PK: `REQ#${paRequestId}`, SK: 'META' };
  const director: Decision = {
    outcome: 'APPROVED',
    decidedAt: '2025-03-11T16:00:00.000Z',
    decidedById: 'E100',
    decidedByName: 'Dolores Baca',
    approvalId: 'a',
  };
  const grantsQuery = {
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
    ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#E102#' },
  };
  /** Ana Gallegos's request to become a poster without the credential: she holds the new-account ADMIN grant. */
  const request = postingAuthorityRequest({
    requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
    grantee: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
    receivesCredential: false,
  });

  /** The request and, unless null, the director's decision on its one step. */
  function given(r = request, decided: Decision | null = director) {
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `REQ#${paRequestId}` } }).resolves({
      Items: [{ ...paMeta, ...r }, ...(decided ? [{ PK: paMeta.PK, SK: 'APPR#00#0', ...approval({ requestId: paRequestId, decision: decided }) }] : [])],
    });
  }

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    ddb.on(UpdateCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it('closes the request, records the grant and revokes the one it replaces in one transaction', async () => {
    given();
    ddb.on(QueryCommand, grantsQuery).resolves({ Items: [grant()] });

    expect(await recordOutcome({ requestId: paRequestId, decision: { outcome: 'APPROVED', decidedByName: 'Dolores Baca' } })).toEqual({
      status: 'APPROVED',
      accountId,
    });

    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    const [close, account, put, revoke, ...rest] = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(rest).toEqual([]);
    expect(close?.Update).toMatchObject({
      Key: paMeta,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeValues: expect.objectContaining({ ':approved': 'APPROVED' }),
    });
    expect(account?.ConditionCheck).toMatchObject({ Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' }, ConditionExpression: '#status = :active' });
    expect(put?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(PK)',
      Item: {
        PK: `ACCOUNT#${accountId}`,
        SK: `GRANT#E102#${paRequestId}`,
        GSI2PK: 'GRANTEE#E102',
        personId: 'E102',
        role: 'POSTER',
        receivesCredential: false,
        authorizedById: 'E100',
        sourceRequestId: paRequestId,
        status: 'ACTIVE',
      },
    });
    expect(revoke?.Update).toMatchObject({
      Key: { PK: `ACCOUNT#${accountId}`, SK: `GRANT#E102#${requestId}` },
      ConditionExpression: '#status = :active',
      ExpressionAttributeValues: expect.objectContaining({ ':revoked': 'REVOKED', ':why': `replaced by ${paRequestId}`, ':by': paRequestId }),
    });
  });

  it('emails the requester and DTI, saying whether the credential is to be given', async () => {
    given();
    // After the transaction, the replaced grant reads back as revoked by this request.
    ddb
      .on(QueryCommand, grantsQuery)
      .resolvesOnce({ Items: [grant()] })
      .resolves({ Items: [grant({ status: 'REVOKED', revokedBySourceId: paRequestId })] });

    await recordOutcome({ requestId: paRequestId, decision: { outcome: 'APPROVED' } });

    const sent = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sent.map((m) => m.Destination?.ToAddresses)).toEqual([['agallegos@cabq.example'], ['dti@example.test']]);
    expect(claimedSlots(ddb)).toEqual(['mail:outcome-requester', 'mail:outcome-dti']);
    expect(sent[0]?.Message?.Subject?.Data).toBe('Approved: Posting authority for Ana Gallegos on Instagram @ABQParks (poster, without the shared credential)');
    const dti = sent[1]?.Message?.Body?.Text?.Data;
    expect(dti).toContain('Ana Gallegos is not to receive the shared credential of Instagram @ABQParks.');
    expect(dti).toContain('had the shared credential before: rotate it (C)');
  });

  it('reads the grants again and retries when one it replaces was revoked meanwhile', async () => {
    given();
    ddb
      .on(QueryCommand, grantsQuery)
      .resolvesOnce({ Items: [grant()] })
      .resolves({ Items: [grant({ status: 'REVOKED', revokedBySourceId: 'off-1' })] });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
        }),
      )
      .resolves({});

    expect(await recordOutcome({ requestId: paRequestId, decision: { outcome: 'APPROVED' } })).toEqual({ status: 'APPROVED', accountId });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
    // The retry replaces nothing: the offboarding's revocation stands.
    expect(ddb.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems).toHaveLength(3);
  });

  it('fails the request, telling requester and DTI, when the account left the registry', async () => {
    given();
    ddb.on(QueryCommand, grantsQuery).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    expect(await recordOutcome({ requestId: paRequestId, decision: { outcome: 'APPROVED' } })).toEqual({ status: 'FAILED', accountId: null });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: paMeta, ExpressionAttributeValues: expect.objectContaining({ ':status': 'FAILED' }) });
    expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses)).toEqual([['agallegos@cabq.example'], ['dti@example.test']]);
    expect(claimedSlots(ddb)).toEqual(['mail:outcome-requester', 'mail:outcome-dti-failure']);
  });

  it('tells the requester and the person it was for the rejection reason, and grants nothing', async () => {
    given(postingAuthorityRequest({ requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' } }), null);

    expect(await recordOutcome({ requestId: paRequestId, decision: { outcome: 'REJECTED', reason, decidedByName: 'Dolores Baca' } })).toEqual({
      status: 'REJECTED',
      accountId: null,
    });
    const sent = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sent.map((m) => m.Destination?.ToAddresses)).toEqual([['agallegos@cabq.example'], ['tsandoval@cabq.example']]);
    expect(sent[0]?.Message?.Body?.Text?.Data).toContain(`Dolores Baca rejected your request. Reason: ${reason}`);
    expect(sent[1]?.Message?.Body?.Text?.Data).toContain(`Dolores Baca rejected the request Ana Gallegos made for you. Reason: ${reason}`);
    expect(claimedSlots(ddb)).toEqual(['mail:outcome-requester', 'mail:outcome-grantee']);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: paMeta.PK, SK: 'MAIL' },
      ...confirmWrite,
      ExpressionAttributeNames: { '#m': 'mail:outcome-grantee' },
    });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('refuses to approve without the director’s approval, writing nothing', async () => {
    given(request, null);
    await expect(recordOutcome({ requestId: paRequestId, decision: { outcome: 'APPROVED' } })).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });
});

describe('record-outcome for post removal (M.c)', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);
  const prRequestId = 'pr-20250521-00112233aabbccdd';
  const prMeta = { PK: `REQ#${prRequestId}`, SK: 'META' };
  /** Ana Gallegos asks to delete a Parks post; her supervisor Marcus Chavez approves, then she confirms it removed. */
  const removal: PostRemovalRequest = {
    requestId: prRequestId,
    kind: 'POST_REMOVAL',
    status: 'PENDING',
    requester: named('E102'),
    accountId,
    accountLabel: 'Instagram @ABQParks',
    platformId: 'instagram',
    platformName: 'Instagram',
    handle: '@ABQParks',
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    postRef: 'https://www.instagram.com/p/Cx1yZ2abc/',
    action: 'DELETE',
    reason: 'The post gave the wrong date for the pool opening.',
    recordId: 'rec-20250521-00112233aabbccdd',
    steps: [
      { role: 'SUPERVISOR', title: 'Supervisor', approverId: 'E101', approverName: 'Marcus Chavez', escalateToId: null, routedToDesignee: false },
      {
        role: 'REQUESTER',
        title: 'Removal, confirmed by the requester',
        approverId: 'E102',
        approverName: 'Ana Gallegos',
        escalateToId: null,
        routedToDesignee: false,
      },
    ],
    createdAt: '2025-05-21T16:00:00.000Z',
  };
  const decided = (by: 'E101' | 'E102', decidedAt: string): Decision => ({
    outcome: 'APPROVED',
    decidedAt,
    decidedById: by,
    decidedByName: named(by).name,
    approvalId: `appr-${by}`,
  });

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `REQ#${prRequestId}` } }).resolves({
      Items: [
        { ...prMeta, ...removal },
        {
          PK: prMeta.PK,
          SK: 'APPR#00#0',
          ...approval({
            requestId: prRequestId,
            approverId: 'E101',
            approverName: 'Marcus Chavez',
            approverEmail: 'mchavez@cabq.example',
            decision: decided('E101', '2025-05-22T16:00:00.000Z'),
          }),
        },
        {
          PK: prMeta.PK,
          SK: 'APPR#01#0',
          ...approval({
            requestId: prRequestId,
            step: 1,
            approverId: 'E102',
            approverName: 'Ana Gallegos',
            approverEmail: 'agallegos@cabq.example',
            decision: decided('E102', '2025-05-23T16:00:00.000Z'),
          }),
        },
      ],
    });
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it('closes a confirmed removal and tells the requester and the approving supervisor, each through their own slot', async () => {
    expect(await recordOutcome({ requestId: prRequestId, decision: { outcome: 'APPROVED', decidedByName: 'Ana Gallegos' } })).toEqual({
      status: 'APPROVED',
      accountId,
    });

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: prMeta,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeValues: expect.objectContaining({
        ':status': 'APPROVED',
        ':removal': { removedAt: '2025-05-23T16:00:00.000Z', removedById: 'E102', removedByName: 'Ana Gallegos' },
      }),
    });
    expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses)).toEqual([
      ['agallegos@cabq.example'],
      ['mchavez@cabq.example'],
    ]);
    expect(claimedSlots(ddb)).toEqual(['mail:outcome-requester', 'mail:outcome-supervisor']);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: prMeta.PK, SK: 'MAIL' },
      ...confirmWrite,
      ExpressionAttributeNames: { '#m': 'mail:outcome-supervisor' },
    });
  });

  it('repeats only the supervisor’s email on a re-run that finds the requester’s sent', async () => {
    ddb.on(UpdateCommand, { ConditionExpression: '#status = :pending' }).rejects(conditionFailed());
    ddb.on(GetCommand, { Key: prMeta, ConsistentRead: true }).resolves({ Item: { ...prMeta, ...removal, status: 'APPROVED' } });
    ddb.on(UpdateCommand, { ...claimWrite, ExpressionAttributeNames: { '#m': 'mail:outcome-requester' } }).rejects(conditionFailed());
    slotsRead(ddb, { PK: prMeta.PK, SK: 'MAIL' }, { 'mail:outcome-requester': sentSlot });

    expect(await recordOutcome({ requestId: prRequestId, decision: { outcome: 'APPROVED' } })).toEqual({ status: 'APPROVED', accountId });

    expect(ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination?.ToAddresses)).toEqual([['mchavez@cabq.example']]);
  });
});
