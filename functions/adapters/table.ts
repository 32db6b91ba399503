import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { capacityMeter, documentClient } from '#adapters/dynamo-client';
import { env } from '#adapters/env';

/**
 * What every store of the governance table shares: reading an item, querying a key to the end,
 * and conditional writes that answer false instead of throwing when their condition does not hold.
 * The stores (directory-store.ts, store.ts, offboarding-store.ts, records-store.ts) add the keys and the meaning.
 */
export type Item = Record<string, unknown>;

/**
 * An item without its table keys, entity tag and bookkeeping (email ledger slots `mail:*`, the
 * durable-start marker): the domain object it holds.
 */
export function strip<T>(item: Item): T {
  const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, entity, pendingStart, pendingSince, ...rest } = item;
  for (const key of Object.keys(rest)) if (key.startsWith('mail:')) delete rest[key];
  return rest as T;
}

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed'))
  );
}

/** Store classes whose methods already name their calls (see nameStoreCalls). */
const named = new WeakSet<object>();

/**
 * Where metering is available (the benchmark), wraps each method a store class defines, once per
 * class, so the DynamoDB calls it makes are metered as `Class.method` (dynamo-client.ts). Nothing is
 * wrapped where metering is off, so Lambda runs the methods as written.
 */
function nameStoreCalls(store: abstract new (...args: never[]) => TableClient): void {
  for (let proto = store.prototype; proto && proto !== TableClient.prototype; proto = Object.getPrototypeOf(proto)) {
    if (named.has(proto)) continue;
    named.add(proto);
    const className = (proto.constructor as { name: string }).name;
    for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      const method = descriptor.value as unknown;
      if (key === 'constructor' || typeof method !== 'function' || !descriptor.writable) continue;
      const name = `${className}.${key}`;
      Object.defineProperty(proto, key, {
        ...descriptor,
        value: function (this: unknown, ...args: unknown[]) {
          return capacityMeter.within(name, () => method.apply(this, args));
        },
      });
    }
  }
}

export abstract class TableClient {
  constructor(
    protected readonly db: DynamoDBDocumentClient = documentClient,
    protected readonly table: string = env().TABLE_NAME,
  ) {
    if (capacityMeter.available) nameStoreCalls(new.target);
  }

  protected async get<T>(PK: string, SK: string, consistent = false): Promise<T | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { PK, SK }, ConsistentRead: consistent }));
    return out.Item ? strip<T>(out.Item) : undefined;
  }

  /** Every item under a partition key (of the table or an index), optionally under a sort-key prefix, page by page. */
  protected async queryItems(input: { index?: 'GSI1' | 'GSI2' | 'GSI3'; pk: string; skPrefix?: string; consistent?: boolean }): Promise<Item[]> {
    const pkName = input.index ? `${input.index}PK` : 'PK';
    const skName = input.index ? `${input.index}SK` : 'SK';
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: input.index,
          KeyConditionExpression: input.skPrefix ? '#pk = :pk AND begins_with(#sk, :sk)' : '#pk = :pk',
          ExpressionAttributeNames: input.skPrefix ? { '#pk': pkName, '#sk': skName } : { '#pk': pkName },
          ExpressionAttributeValues: input.skPrefix ? { ':pk': input.pk, ':sk': input.skPrefix } : { ':pk': input.pk },
          ConsistentRead: input.index ? undefined : input.consistent,
          ExclusiveStartKey,
        }),
      );
      items.push(...(out.Items ?? []));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  protected async queryAll<T>(input: { index?: 'GSI1' | 'GSI2' | 'GSI3'; pk: string; skPrefix?: string; consistent?: boolean }): Promise<T[]> {
    return (await this.queryItems(input)).map((item) => strip<T>(item));
  }

  /** Sends a conditional write: true when it was made, false when its condition did not hold. */
  protected async conditional(command: PutCommand | UpdateCommand | TransactWriteCommand): Promise<boolean> {
    try {
      if (command instanceof PutCommand) await this.db.send(command);
      else if (command instanceof UpdateCommand) await this.db.send(command);
      else await this.db.send(command);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Whether any open marker (`<pk> / OPEN#…`) is still open, reading one marker at a time: an
   * offboarding's tasks, a review's pages. A marker left behind by a crash between closing its item
   * and clearing the marker is checked (`stillOpen`, given the marker's key after `OPEN#`) and cleared.
   */
  protected async anyOpenMarker(pk: string, stillOpen: (key: string) => Promise<boolean>): Promise<boolean> {
    for (;;) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :open)',
          ExpressionAttributeValues: { ':pk': pk, ':open': 'OPEN#' },
          ConsistentRead: true,
          Limit: 1,
        }),
      );
      const marker = out.Items?.[0];
      if (!marker) return false;
      if (await stillOpen(String(marker.SK).slice('OPEN#'.length))) return true;
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: { PK: pk, SK: String(marker.SK) } }));
    }
  }

  /** Parks a waiting execution's task token, sealed, on its record (an offboarding, a review). */
  protected async storeSealedToken(pk: string, sealedToken: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk, SK: 'META' },
        UpdateExpression: 'SET sealedToken = :t',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':t': sealedToken },
      }),
    );
  }

  /** Revokes one grant (recorded, never deleted): false when it was no longer active. */
  protected revokeGrantItem(
    g: { accountId: string; personId: string; sourceRequestId: string },
    at: string,
    reason: string,
    bySourceId: string,
  ): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `ACCOUNT#${g.accountId}`, SK: `GRANT#${g.personId}#${g.sourceRequestId}` },
        UpdateExpression: 'SET #s = :revoked, revokedAt = :at, revokedReason = :why, revokedBySourceId = :by',
        ConditionExpression: '#s = :active',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':revoked': 'REVOKED', ':active': 'ACTIVE', ':at': at, ':why': reason, ':by': bySourceId },
      }),
    );
  }

  /** The key of the item an emailed link's opaque id belongs to (the sparse KEYS_ONLY ByApprovalId index). */
  protected async keyOfLink(approvalId: string): Promise<{ PK: string; SK: string } | undefined> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'ByApprovalId',
        KeyConditionExpression: 'approvalId = :id',
        ExpressionAttributeValues: { ':id': approvalId },
        Limit: 1,
      }),
    );
    const key = out.Items?.[0];
    return key ? { PK: String(key.PK), SK: String(key.SK) } : undefined;
  }
}
