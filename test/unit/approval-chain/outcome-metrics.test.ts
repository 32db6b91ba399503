import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setFunctionEnv } from '../env.ts';
import { accountRequest, requestId } from '../fixtures.ts';
import { metricsEmittedBy } from '../output.ts';

type Module = typeof import('#approval-chain/handlers/record-outcome');
let recordOutcome: Module['recordOutcome'];
let metrics: typeof import('#adapters/metrics')['metrics'];

beforeAll(async () => {
  setFunctionEnv();
  ({ recordOutcome } = await import('#approval-chain/handlers/record-outcome'));
  ({ metrics } = await import('#adapters/metrics'));
});

const metaKey = { PK: `REQ#${requestId}`, SK: 'META' };
const closeWrite = { ConditionExpression: '#status = :pending' };
const rejected = { requestId, decision: { outcome: 'REJECTED', reason: 'Not needed.', decidedByName: 'Dolores Baca' } };
const expired = { requestId, decision: { outcome: 'EXPIRED' } };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('what closing a request counts', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ses = mockClient(SESClient);

  beforeEach(() => {
    ddb.reset();
    ses.reset();
    // Every run reads the request PENDING: the read alone cannot tell overlapping runs apart.
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `REQ#${requestId}` } }).resolves({ Items: [{ ...metaKey, ...accountRequest() }] });
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
  });

  it('counts a rejection as one decided request of its workflow', async () => {
    expect(await metricsEmittedBy(metrics, () => recordOutcome(rejected))).toEqual([{ workflow: 'newAccountApproval', RequestDecided: 1 }]);
  });

  it('counts a request whose last step expired undecided as expired, not decided', async () => {
    expect(await metricsEmittedBy(metrics, () => recordOutcome(expired))).toEqual([{ workflow: 'newAccountApproval', Expired: 1 }]);
  });

  it('counts nothing in a run whose close lost to an overlapping run, though it read the request pending', async () => {
    ddb.on(UpdateCommand, closeWrite).rejects(conditionFailed());

    expect(await metricsEmittedBy(metrics, () => recordOutcome(rejected))).toEqual([]);
  });

  it('counts two overlapping runs of one rejection once', async () => {
    ddb.on(UpdateCommand, closeWrite).resolvesOnce({}).rejects(conditionFailed());

    const emitted = await metricsEmittedBy(metrics, () => Promise.all([recordOutcome(rejected), recordOutcome(rejected)]));
    expect(emitted).toEqual([{ workflow: 'newAccountApproval', RequestDecided: 1 }]);
  });
});
