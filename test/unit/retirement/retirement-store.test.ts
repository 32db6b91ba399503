import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApplyPorts } from '#annual-review/apply';
import { setFunctionEnv } from '../env.ts';
import { account, accountId, grant } from '../fixtures.ts';

/*
 * The annual review's "retire it" answer (annual-review/apply.ts ports.retireAccount, wired in
 * adapters/review-apply-ports.ts) retires the way a retirement request does: the account, any
 * grant still active and the credential, through adapters/retirement-store.ts.
 */

let retireAccount: ApplyPorts['retireAccount'];

beforeAll(async () => {
  setFunctionEnv();
  const { reviewApplyPorts } = await import('#adapters/review-apply-ports');
  const { ReviewStore } = await import('#adapters/review-store');
  ({ retireAccount } = reviewApplyPorts(new ReviewStore(), '2027-annual'));
});

const at = '2027-04-01T17:00:00.000Z';
const reason = 'No longer in use (2027 annual review)';
const source = 'rev-2027-PRD';
const profileKey = { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' };
const cancelled = (codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('retiring an account in the annual review', () => {
  const ddb = mockClient(DynamoDBDocumentClient);

  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand, { Key: profileKey }).resolves({ Item: { ...profileKey, entity: 'Account', ...account() } });
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#' } })
      .resolves({ Items: [grant(), grant({ personId: 'E103', status: 'REVOKED' })] });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
  });

  it('retires the account, its remaining active grant and its credential in one transaction', async () => {
    expect(await retireAccount(accountId, at, reason, source)).toBe(true);
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items.map((i) => i.Update?.Key?.SK)).toEqual(['PROFILE', 'CREDENTIAL', 'GRANT#E102#na-20250301-0123456789abcdef']);
    const values = (i: number) => items[i]?.Update?.ExpressionAttributeValues;
    expect(items[0]?.Update?.ConditionExpression).toBe('#c0 = :c0');
    expect(Object.values(values(0) ?? {})).toEqual(
      expect.arrayContaining(['RETIRED', 'ACCOUNTS#RETIRED', 'ACCOUNTS_BY_DEPARTMENT#RETIRED', 'ACCOUNTS_BY_HANDLE#RETIRED', at, reason, source, 'ACTIVE']),
    );
    // The credential: created if missing, its other attributes kept (no condition, SET only), due for deletion 2555 days on.
    expect(items[1]?.Update?.ConditionExpression).toBeUndefined();
    expect(items[1]?.Update?.UpdateExpression).toMatch(/^SET /);
    expect(Object.values(values(1) ?? {})).toEqual(['Credential', accountId, 'RETIRED', at, '2034-03-30T17:00:00.000Z', source, at]);
    expect(Object.values(values(2) ?? {})).toEqual(['REVOKED', at, `Account retired: ${reason}`, source, 'ACTIVE']);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('revokes the grants beyond one transaction first, one conditional update each, then retires', async () => {
    const many = Array.from({ length: 120 }, (_, i) => grant({ personId: `E9${String(i).padStart(3, '0')}` }));
    ddb.on(QueryCommand, { ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':sk': 'GRANT#' } }).resolves({ Items: many });
    // One of them was revoked meanwhile: its condition fails and nothing else changes.
    ddb
      .on(UpdateCommand, { Key: { PK: `ACCOUNT#${accountId}`, SK: 'GRANT#E9119#na-20250301-0123456789abcdef' } })
      .rejects(new ConditionalCheckFailedException({ message: 'conditional', $metadata: {} }));
    expect(await retireAccount(accountId, at, reason, source)).toBe(true);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 22);
    expect(ddb.commandCalls(UpdateCommand).every((c) => c.args[0].input.ConditionExpression === '#c0 = :c0')).toBe(true);
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems).toHaveLength(100);
  });

  it('changes nothing on an account that is no longer active', async () => {
    ddb.on(GetCommand, { Key: profileKey }).resolves({ Item: { ...profileKey, ...account({ status: 'RETIRED' }) } });
    expect(await retireAccount(accountId, at, reason, source)).toBe(false);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('answers false when the account was retired between the read and the write', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None', 'None']));
    expect(await retireAccount(accountId, at, reason, source)).toBe(false);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });

  it('reads the grants again when one was revoked between the read and the write', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(['None', 'None', 'ConditionalCheckFailed']))
      .resolves({});
    expect(await retireAccount(accountId, at, reason, source)).toBe(true);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });
});
