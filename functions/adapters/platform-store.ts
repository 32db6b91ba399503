import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type Platform, type PlatformChange, platformChangeItem, platformItem } from '#core/platform';
import { type Item, strip, TableClient } from '#adapters/table';

/**
 * DTI's approved-platforms list (O.a, P) in the governance table:
 *   PLATFORM#id / PROFILE            GSI1 PLATFORMS / name                      the platform (approved or retired)
 *   PLATFORM#id / CHANGE#<version>   GSI2 PLATFORM_CHANGES / <at>#id#<version>  each change, written once
 * A platform and its history are one partition, so its page reads both with one Query; the changes
 * of every platform over a date range are one Query of GSI2 (the records export), never a Scan.
 * A change is one transaction: the profile, conditional on the version the change was made from,
 * and the change item, which cannot exist yet. A platform is never deleted.
 */

/** The items are built by the domain (core/platform.ts), where an approval that adds a platform builds them too. */
export { platformChangeItem, platformItem } from '#core/platform';

export class PlatformStore extends TableClient {
  /** Every platform, approved and retired, by name: one Query (the list is a handful of items). */
  platforms(): Promise<Platform[]> {
    return this.queryAll<Platform>({ index: 'GSI1', pk: 'PLATFORMS' });
  }

  /** A platform and its changes, oldest first, read consistently (a form is checked against them). */
  async platformWithChanges(id: string): Promise<{ platform?: Platform; changes: PlatformChange[] }> {
    const items = await this.queryItems({ pk: `PLATFORM#${id}`, consistent: true });
    const profile = items.find((item) => item.SK === 'PROFILE');
    return {
      ...(profile ? { platform: strip<Platform>(profile) } : {}),
      changes: items.filter((item) => String(item.SK).startsWith('CHANGE#')).map((item) => strip<PlatformChange>(item)),
    };
  }

  /** Adds a platform with its first change; false when a platform with that id exists (never overwritten). */
  addPlatform(platform: Platform, change: PlatformChange): Promise<boolean> {
    return this.conditional(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: platformItem(platform), ConditionExpression: 'attribute_not_exists(PK)' } },
          { Put: { TableName: this.table, Item: platformChangeItem(change), ConditionExpression: 'attribute_not_exists(PK)' } },
        ],
      }),
    );
  }

  /**
   * Writes the platform as changed and its change record, together or not at all, only if the
   * stored platform is still at `fromVersion` and not retired. False when it is not (someone else
   * changed it first): nothing is written. An item seeded before versions existed counts as version 0.
   */
  async changePlatform(platform: Platform, change: PlatformChange, fromVersion: number): Promise<boolean> {
    const versionHolds = fromVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :from';
    const command = new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: this.table,
            Item: platformItem(platform),
            ConditionExpression: `attribute_exists(PK) AND ${versionHolds} AND (attribute_not_exists(#status) OR #status = :approved)`,
            ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
            ExpressionAttributeValues: { ':approved': 'APPROVED', ...(fromVersion === 0 ? {} : { ':from': fromVersion }) },
          },
        },
        { Put: { TableName: this.table, Item: platformChangeItem(change), ConditionExpression: 'attribute_not_exists(PK)' } },
      ],
    });
    try {
      return await this.conditional(command);
    } catch (error) {
      // Another change to the same platform in flight at this moment: this one loses, as if it had come second.
      if (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict')) return false;
      throw error;
    }
  }

  /** Every change to any platform made between two instants (ISO, inclusive), oldest first: one Query of GSI2, paged to the end. */
  async changesBetween(from: string, to: string): Promise<PlatformChange[]> {
    const changes: PlatformChange[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'GSI2',
          KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to',
          // `~` sorts after every id character, so the whole of the last instant is included.
          ExpressionAttributeValues: { ':pk': 'PLATFORM_CHANGES', ':from': from, ':to': `${to}~` },
          ExclusiveStartKey,
        }),
      );
      for (const item of out.Items ?? []) changes.push(strip<PlatformChange>(item));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return changes;
  }
}
