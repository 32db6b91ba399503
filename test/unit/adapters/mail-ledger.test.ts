import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setFunctionEnv } from '../env.ts';
import { requestId } from '../fixtures.ts';

type Module = typeof import('#adapters/mail-ledger');
let sendOnce: Module['sendOnce'];
let MailLedger: Module['MailLedger'];

beforeAll(async () => {
  setFunctionEnv();
  ({ sendOnce, MailLedger } = await import('#adapters/mail-ledger'));
});

const now = '2025-03-04T16:00:00.000Z';
const key = { PK: `REQ#${requestId}`, SK: 'APPR#00#0' };
const slot = { ...key, key: 'reminder-1' };
const email = { to: ['dbaca@cabq.example'], subject: 'Reminder: approve a new Instagram account', html: '<p>Please decide.</p>', text: 'Please decide.' };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const claimWrite = { UpdateExpression: 'SET #m = :claim' };
const takeoverWrite = { UpdateExpression: 'SET #m.attempts = :next, #m.claimedAt = :at, #m.uncertain = :true' };
const slotRead = { Key: key, ProjectionExpression: 'PK, #m' };

describe('mail ledger (sendOnce)', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(now));
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-0001' });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** The slot as a read finds it: an earlier attempt's claim, confirmed or not. */
  function slotFound(state: Record<string, unknown>) {
    ddb.on(UpdateCommand, claimWrite).rejects(conditionFailed());
    ddb.on(GetCommand, slotRead).resolves({ Item: { PK: key.PK, 'mail:reminder-1': state } });
  }

  it('claims a fresh slot, sends, then confirms the send with the provider’s message id', async () => {
    expect(await sendOnce(slot, email)).toBe('sent');

    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 2);
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 1, {
      TableName: 'governance-test',
      Key: key,
      UpdateExpression: 'SET #m = :claim',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#m)',
      ExpressionAttributeNames: { '#m': 'mail:reminder-1' },
      ExpressionAttributeValues: { ':claim': { claimedAt: now, attempts: 1 } },
    });
    expect(ses).toHaveReceivedCommandExactlyOnceWith(SendEmailCommand, {
      Source: 'governance@example.test',
      Destination: { ToAddresses: ['dbaca@cabq.example'] },
      Message: {
        Subject: { Data: 'Reminder: approve a new Instagram account', Charset: 'UTF-8' },
        Body: { Html: { Data: '<p>Please decide.</p>', Charset: 'UTF-8' }, Text: { Data: 'Please decide.', Charset: 'UTF-8' } },
      },
    });
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      Key: key,
      UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id',
      ConditionExpression: 'attribute_exists(#m)',
      ExpressionAttributeNames: { '#m': 'mail:reminder-1' },
      ExpressionAttributeValues: { ':at': now, ':id': 'ses-0001' },
    });
    // Claim, then send, then confirm: a crash between any two leaves a slot that says what may have happened.
    const [claim, confirm] = ddb.commandCalls(UpdateCommand);
    const [send] = ses.commandCalls(SendEmailCommand);
    expect(claim && send && claim.calledBefore(send)).toBe(true);
    expect(send && confirm && send.calledBefore(confirm)).toBe(true);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
  });

  it('keeps the slots of an email about a large item on a small item beside it, made by the first claim', async () => {
    const { ledgerBeside } = await import('#adapters/mail-ledger');
    expect(await sendOnce(ledgerBeside(`REQ#${requestId}`, 'outcome-requester'), email)).toBe('sent');

    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 1, {
      Key: { PK: `REQ#${requestId}`, SK: 'MAIL' },
      UpdateExpression: 'SET #m = :claim',
      // No attribute_exists(PK): the first claim makes the item.
      ConditionExpression: 'attribute_not_exists(#m)',
      ExpressionAttributeNames: { '#m': 'mail:outcome-requester' },
    });
    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      Key: { PK: `REQ#${requestId}`, SK: 'MAIL' },
      UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id',
    });
  });

  it('sends nothing when the slot is already confirmed sent', async () => {
    slotFound({ claimedAt: '2025-03-04T15:00:00.000Z', attempts: 1, sentAt: '2025-03-04T15:00:01.000Z', messageId: 'ses-0000' });

    expect(await sendOnce(slot, email)).toBe('skipped');

    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(GetCommand, {
      Key: key,
      ProjectionExpression: 'PK, #m',
      ExpressionAttributeNames: { '#m': 'mail:reminder-1' },
      ConsistentRead: true,
    });
    // Only the failed claim: no takeover, no confirmation.
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1);
  });

  it('takes over a claim that was never confirmed, marks it uncertain and sends once more', async () => {
    slotFound({ claimedAt: '2025-03-04T15:00:00.000Z', attempts: 2 });

    expect(await sendOnce(slot, email)).toBe('resent');

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: key,
      UpdateExpression: 'SET #m.attempts = :next, #m.claimedAt = :at, #m.uncertain = :true',
      ConditionExpression: '#m.attempts = :seen AND attribute_not_exists(#m.sentAt)',
      ExpressionAttributeNames: { '#m': 'mail:reminder-1' },
      ExpressionAttributeValues: { ':next': 3, ':seen': 2, ':at': now, ':true': true },
    });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: key,
      UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id',
      ExpressionAttributeValues: { ':at': now, ':id': 'ses-0001' },
    });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 3);
  });

  it('sends nothing when another run won the takeover of an unconfirmed claim', async () => {
    slotFound({ claimedAt: '2025-03-04T15:00:00.000Z', attempts: 1 });
    ddb.on(UpdateCommand, takeoverWrite).rejects(conditionFailed());

    expect(await sendOnce(slot, email)).toBe('skipped');

    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { ...takeoverWrite, ExpressionAttributeValues: expect.objectContaining({ ':seen': 1, ':next': 2 }) });
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
    expect(ddb).not.toHaveReceivedCommandWith(UpdateCommand, { UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id' });
  });

  it('skips the claim write for a slot claimed when its item was created', async () => {
    expect(await sendOnce(slot, email, { claimed: true })).toBe('sent');

    expect(ddb).not.toHaveReceivedCommandWith(UpdateCommand, claimWrite);
    expect(ddb).not.toHaveReceivedCommand(GetCommand);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
    expect(ddb).toHaveReceivedCommandExactlyOnceWith(UpdateCommand, {
      Key: key,
      UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id',
      ExpressionAttributeValues: { ':at': now, ':id': 'ses-0001' },
    });
  });

  it('confirms the send and sets the owning item’s fields in the same write', async () => {
    await sendOnce(slot, email, { record: { remindersSent: 1, lastRemindedAt: '2025-03-04T15:59:59.000Z' } });

    expect(ddb).toHaveReceivedNthCommandWith(UpdateCommand, 2, {
      Key: key,
      UpdateExpression: 'SET #m.sentAt = :at, #m.messageId = :id, #f0 = :f0, #f1 = :f1',
      ConditionExpression: 'attribute_exists(#m)',
      ExpressionAttributeNames: { '#m': 'mail:reminder-1', '#f0': 'remindersSent', '#f1': 'lastRemindedAt' },
      ExpressionAttributeValues: { ':at': now, ':id': 'ses-0001', ':f0': 1, ':f1': '2025-03-04T15:59:59.000Z' },
    });
  });

  it('refuses to send about an item that does not exist', async () => {
    ddb.on(UpdateCommand, claimWrite).rejects(conditionFailed());
    ddb.on(GetCommand, slotRead).resolves({});

    await expect(sendOnce(slot, email)).rejects.toThrow(`No item REQ#${requestId} APPR#00#0 to send reminder-1 about.`);
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });

  it('lets a write error other than a lost condition through, sending nothing', async () => {
    ddb.on(UpdateCommand, claimWrite).rejects(new Error('ProvisionedThroughputExceededException'));

    await expect(sendOnce(slot, email)).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(ses).not.toHaveReceivedCommand(SendEmailCommand);
  });
});

describe('mail ledger (claim states)', () => {
  const ddb = mockClient(DynamoDBDocumentClient);

  beforeEach(() => {
    ddb.reset();
    ddb.on(UpdateCommand).resolves({});
  });

  it('answers each state of a slot: fresh, sent, unconfirmed and taken over by another run', async () => {
    const ledger = new MailLedger();
    expect(await ledger.claim(slot, now)).toBe('claimed');

    ddb.on(UpdateCommand, claimWrite).rejects(conditionFailed());
    ddb.on(GetCommand, slotRead).resolves({ Item: { PK: key.PK, 'mail:reminder-1': { claimedAt: now, attempts: 1, sentAt: now } } });
    expect(await ledger.claim(slot, now)).toBe('sent');

    ddb.on(GetCommand, slotRead).resolves({ Item: { PK: key.PK, 'mail:reminder-1': { claimedAt: now, attempts: 1 } } });
    expect(await ledger.claim(slot, now)).toBe('resend');

    ddb.on(UpdateCommand, takeoverWrite).rejects(conditionFailed());
    expect(await ledger.claim(slot, now)).toBe('busy');
  });
});
