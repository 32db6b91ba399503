import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { approveWithWrites } from '#adapters/outcome-writes';

/** The generic approval transaction the new kinds commit through (R, F.d, Q, O.a). */
const ddb = mockClient(DynamoDBDocumentClient);
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-west-2', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }));
const cancelled = (codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

const writes = [
  { put: { PK: 'ACCOUNT#a1', SK: 'STANDING#EXCEPTION#ex-1', entity: 'Standing' }, mustBeNew: true },
  { check: { key: { PK: 'ACCOUNT#a1', SK: 'PROFILE' }, equals: { status: 'ACTIVE' } } },
  { update: { key: { PK: 'DEPARTMENT_POLICY#PRD', SK: 'CURRENT' }, set: { sequence: 2, version: '2027.1' }, ifEquals: { sequence: 1 } } },
] as const;

describe('approveWithWrites', () => {
  beforeEach(() => ddb.reset());

  it('closes the request as APPROVED and makes each write, in one transaction, exactly as stated', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await approveWithWrites(db, 'gov', 'ex-1', '2026-12-02T10:00:00.000Z', writes)).toEqual({ result: 'ok' });
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems).toEqual([
      {
        Update: {
          TableName: 'gov',
          Key: { PK: 'REQ#ex-1', SK: 'META' },
          UpdateExpression: 'SET #status = :approved, closedAt = :at',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':approved': 'APPROVED', ':pending': 'PENDING', ':at': '2026-12-02T10:00:00.000Z' },
        },
      },
      {
        Put: {
          TableName: 'gov',
          Item: { PK: 'ACCOUNT#a1', SK: 'STANDING#EXCEPTION#ex-1', entity: 'Standing' },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        ConditionCheck: {
          TableName: 'gov',
          Key: { PK: 'ACCOUNT#a1', SK: 'PROFILE' },
          ConditionExpression: '#c0 = :c0',
          ExpressionAttributeNames: { '#c0': 'status' },
          ExpressionAttributeValues: { ':c0': 'ACTIVE' },
        },
      },
      {
        Update: {
          TableName: 'gov',
          Key: { PK: 'DEPARTMENT_POLICY#PRD', SK: 'CURRENT' },
          UpdateExpression: 'SET #s0 = :s0, #s1 = :s1',
          ConditionExpression: '#c0 = :c0',
          ExpressionAttributeNames: { '#s0': 'sequence', '#s1': 'version', '#c0': 'sequence' },
          ExpressionAttributeValues: { ':s0': 2, ':s1': '2027.1', ':c0': 1 },
        },
      },
    ]);
  });

  it('answers closed when the request was not pending (an earlier run committed), whatever else failed', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None']));
    expect(await approveWithWrites(db, 'gov', 'ex-1', '2026-12-02T10:00:00.000Z', writes)).toEqual({ result: 'closed' });
  });

  it('names the write whose condition failed (0-based, the close not counted)', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'None', 'ConditionalCheckFailed', 'None']));
    expect(await approveWithWrites(db, 'gov', 'ex-1', '2026-12-02T10:00:00.000Z', writes)).toEqual({ result: 'conflict', failed: 1 });
  });

  it('rethrows a cancellation that is no condition failure (a conflict with another transaction: retried by the task)', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'TransactionConflict', 'None', 'None']));
    await expect(approveWithWrites(db, 'gov', 'ex-1', '2026-12-02T10:00:00.000Z', writes)).rejects.toThrow('cancelled');
  });

  it('refuses more than 99 writes before sending anything (a transaction holds 100 items)', async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ put: { PK: `X#${i}`, SK: 'Y' } }));
    await expect(approveWithWrites(db, 'gov', 'ex-1', '2026-12-02T10:00:00.000Z', many)).rejects.toThrow(
      'An approval makes at most 99 writes besides closing its request (100 asked).',
    );
    expect(ddb).not.toHaveReceivedAnyCommand();
  });
});
