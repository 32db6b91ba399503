import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Standing } from '#core/standing';
import { standingKey } from '#core/standing';
import { TableClient } from '#adapters/table';

/**
 * An approved exception's standing (core/standing.ts: ACCOUNT#id / STANDING#EXCEPTION#requestId),
 * as its workflow reads and lapses it (F.d). The standing is put by the approval itself
 * (adapters/outcome-writes.ts); here it is only read, and lapsed once.
 */
export class ExceptionStore extends TableClient {
  standing(accountId: string, requestId: string): Promise<Standing | undefined> {
    const key = standingKey(accountId, 'EXCEPTION', requestId);
    return this.get<Standing>(key.PK, key.SK, true);
  }

  /** ACTIVE → LAPSED at `at`; false when it was not active (lapsed already, or withdrawn). */
  lapse(accountId: string, requestId: string, at: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: standingKey(accountId, 'EXCEPTION', requestId),
        UpdateExpression: 'SET #s = :lapsed, lapsedAt = :at',
        ConditionExpression: '#s = :active',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':lapsed': 'LAPSED', ':active': 'ACTIVE', ':at': at },
      }),
    );
  }
}
