import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { OutcomeWrite } from '#core/request-kind';

/*
 * What an approval writes besides closing its request, for the kinds whose approval is a few new
 * items and guarded updates (a departmental policy kept on record, an exception, a display, a new
 * platform): the kind's domain module builds the writes, and this adapter commits them with the
 * request's close in one transaction, so an approval is recorded whole or not at all.
 */

/** The transaction item that closes a pending request as APPROVED (and sets `extra` on it). */
export function approvedUpdate(table: string, requestId: string, at: string, extra: Record<string, string> = {}) {
  const names = Object.keys(extra);
  return {
    Update: {
      TableName: table,
      Key: { PK: `REQ#${requestId}`, SK: 'META' },
      UpdateExpression: `SET #status = :approved, closedAt = :at${names.map((n) => `, ${n} = :${n}`).join('')}`,
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':approved': 'APPROVED', ':pending': 'PENDING', ':at': at, ...Object.fromEntries(names.map((n) => [`:${n}`, extra[n]])) },
    },
  };
}

function transactItem(table: string, write: OutcomeWrite) {
  if ('put' in write) {
    return { Put: { TableName: table, Item: write.put, ...(write.mustBeNew ? { ConditionExpression: 'attribute_not_exists(PK)' } : {}) } };
  }
  if ('check' in write) {
    const { key, equals } = write.check;
    const names = Object.keys(equals);
    return {
      ConditionCheck: {
        TableName: table,
        Key: key,
        ConditionExpression: names.map((_, i) => `#c${i} = :c${i}`).join(' AND '),
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#c${i}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:c${i}`, equals[n]])),
      },
    };
  }
  const { key, set, ifEquals, ifExists } = write.update;
  const setNames = Object.keys(set);
  const condNames = Object.keys(ifEquals ?? {});
  const conditions = [...(ifExists ? ['attribute_exists(PK)'] : []), ...condNames.map((_, i) => `#c${i} = :c${i}`)];
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: `SET ${setNames.map((_, i) => `#s${i} = :s${i}`).join(', ')}`,
      ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: {
        ...Object.fromEntries(setNames.map((n, i) => [`#s${i}`, n])),
        ...Object.fromEntries(condNames.map((n, i) => [`#c${i}`, n])),
      },
      ExpressionAttributeValues: {
        ...Object.fromEntries(setNames.map((n, i) => [`:s${i}`, set[n]])),
        ...Object.fromEntries(condNames.map((n, i) => [`:c${i}`, ifEquals?.[n]])),
      },
    },
  };
}

/**
 * Closes a pending request as APPROVED and makes the kind's writes, in one transaction (at most 99
 * writes besides the close). 'closed': the request was not pending (an earlier run committed, or it
 * was closed otherwise). 'conflict': one of the writes' conditions failed (its index in `failed`);
 * nothing was written.
 */
export async function approveWithWrites(
  db: DynamoDBDocumentClient,
  table: string,
  requestId: string,
  at: string,
  writes: readonly OutcomeWrite[],
  extra: Record<string, string> = {},
): Promise<{ result: 'ok' | 'closed' } | { result: 'conflict'; failed: number }> {
  if (writes.length > 99) throw new RangeError(`An approval makes at most 99 writes besides closing its request (${writes.length} asked).`);
  try {
    await db.send(new TransactWriteCommand({ TransactItems: [approvedUpdate(table, requestId, at, extra), ...writes.map((w) => transactItem(table, w))] }));
    return { result: 'ok' };
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const failed = (error.CancellationReasons ?? []).map((r) => r.Code === 'ConditionalCheckFailed');
    if (failed[0]) return { result: 'closed' };
    const index = failed.slice(1).indexOf(true);
    if (index >= 0) return { result: 'conflict', failed: index };
    throw error;
  }
}
