import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DirectoryEvent, EntityRef } from '#directory/events';
import type { ApplyWrite, DirectoryChange, DirectoryWritesPort, HandOverOwed, Provenance } from '#directory/apply';
import { personItem } from '#adapters/directory-store';
import { type Item, strip, TableClient } from '#adapters/table';

/** The index keys and entity tag of a directory entity, built by the one builder each kind has (personItem for people). */
function indexKeys(ref: EntityRef, fields: Record<string, unknown>): Record<string, unknown> {
  if (ref.kind === 'PERSON') {
    const keys = personItem(fields as never);
    return Object.fromEntries(Object.entries(keys).filter(([k]) => k.startsWith('GSI') || k === 'entity'));
  }
  return ref.kind === 'DEPT' ? { GSI1PK: 'DEPARTMENTS', GSI1SK: ref.id, entity: 'Department' } : { GSI1PK: 'ROLES', GSI1SK: ref.id, entity: 'Role' };
}

export const entityKey = (ref: EntityRef) => ({ PK: `${ref.kind}#${ref.id}`, SK: 'PROFILE' });
const historyPk = (ref: EntityRef) => `DIRECTORY#${ref.kind}#${ref.id}`;
const parkedPk = (ref: EntityRef) => `PARKED#${ref.kind}#${ref.id}`;

/** The sparse ByPendingStart partition of the hand-overs a directory change still owes (see hand-over.ts). */
export const handOverQueue = 'directoryHandOver';

/** A hand-over not yet done, with its key. */
export interface PendingHandOver extends HandOverOwed {
  PK: string;
  SK: string;
  /** The slots this hand-over moved, as `<requestId> APPR#step#round`, added as each move is written. */
  movedLinks?: Set<string>;
}

/**
 * The directory's versioned writes (see directory/apply.ts). Keys:
 *   PERSON#id | DEPT#code | ROLE#role / PROFILE   the entity, with `version` and `provenance`
 *   DIRECTORY#<kind>#<id> / CHANGE#<version>       its history: one item per change applied, written once
 *   PARKED#<kind>#<id> / <version>#<entity>        an event waiting for that department or person
 *   HANDOVER#<kind>#<id>#<version> / PENDING       work a change moves; ByPendingStart `directoryHandOver` until done
 */
export class DirectoryWrites extends TableClient implements DirectoryWritesPort {
  async stored(ref: EntityRef): Promise<Item | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: entityKey(ref), ConsistentRead: true }));
    return out.Item;
  }

  /**
   * One change in one transaction: the entity (only if it is still at the version read), its
   * history item (only once: a second delivery of the same event finds it), and the hand-over it
   * owes. 'conflict': the entity changed since it was read (read again); 'duplicate': this version
   * is on record already.
   */
  async apply(w: ApplyWrite): Promise<'ok' | 'conflict' | 'duplicate'> {
    const set = { ...indexKeys(w.ref, w.set), ...w.set, ...(w.ref.kind === 'PERSON' ? { email: String(w.set.email).toLowerCase() } : {}) };
    const names: Record<string, string> = { '#v': 'version' };
    const values: Record<string, unknown> = { ':v': w.version };
    const sets = ['#v = :v'];
    Object.entries(set).forEach(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      sets.push(`#s${i} = :s${i}`);
    });
    Object.entries(w.setIfAbsent ?? {}).forEach(([k, v], i) => {
      names[`#a${i}`] = k;
      values[`:a${i}`] = v;
      sets.push(`#a${i} = if_not_exists(#a${i}, :a${i})`);
    });
    const removes = w.remove
      .filter((k) => !(k in set))
      .map((k, i) => {
        names[`#r${i}`] = k;
        return `#r${i}`;
      });
    if (w.expected !== undefined) values[':expected'] = w.expected;
    const handOver = w.handOver && {
      PK: `HANDOVER#${w.ref.kind}#${w.ref.id}#${w.version}`,
      SK: 'PENDING',
      entity: 'DirectoryHandOver',
      ...w.handOver,
      pendingStart: handOverQueue,
      pendingSince: w.handOver.createdAt,
    };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: entityKey(w.ref),
                UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
                ConditionExpression: w.expected === undefined ? 'attribute_not_exists(#v)' : '#v = :expected',
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { PK: historyPk(w.ref), SK: `CHANGE#${w.version}`, entity: 'DirectoryChange', ...w.change },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            ...(handOver ? [{ Put: { TableName: this.table, Item: handOver, ConditionExpression: 'attribute_not_exists(PK)' } }] : []),
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [entity, history] = (error.CancellationReasons ?? []).map((r) => r.Code === 'ConditionalCheckFailed');
      if (history) return 'duplicate';
      if (entity) return 'conflict';
      throw error;
    }
  }

  /** An entity's changes, oldest first (the administration pages' history). */
  async history(ref: EntityRef): Promise<DirectoryChange[]> {
    return this.queryAll<DirectoryChange>({ pk: historyPk(ref), skPrefix: 'CHANGE#' });
  }

  /** Keeps an event until `waitingFor` arrives; a second delivery of it finds it parked already. */
  async park(waitingFor: EntityRef, event: DirectoryEvent, version: string, about: EntityRef, provenance: Provenance): Promise<void> {
    await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { PK: parkedPk(waitingFor), SK: `${version}#${about.kind}#${about.id}`, entity: 'ParkedDirectoryEvent', event, provenance },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** The events waiting for `ref`, oldest first. */
  async parkedFor(ref: EntityRef): Promise<{ key: { PK: string; SK: string }; event: DirectoryEvent; provenance: Provenance }[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': parkedPk(ref) },
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      key: { PK: String(i.PK), SK: String(i.SK) },
      event: i.event as DirectoryEvent,
      provenance: i.provenance as Provenance,
    }));
  }

  /** A parked event has been applied (or found stale): it leaves the lot. */
  async unpark(key: { PK: string; SK: string }): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: key }));
  }

  /** Hand-overs not yet done, created before `before`, oldest first (the sweep). */
  async pendingHandOvers(before: string): Promise<PendingHandOver[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'ByPendingStart',
        KeyConditionExpression: 'pendingStart = :q AND pendingSince < :before',
        ExpressionAttributeValues: { ':q': handOverQueue, ':before': before },
        Limit: 100,
      }),
    );
    const found: PendingHandOver[] = [];
    for (const key of out.Items ?? []) {
      const item = await this.pendingHandOver({ PK: String(key.PK), SK: String(key.SK) });
      if (item) found.push(item);
    }
    return found;
  }

  /**
   * Records a hand-over owed outside a directory event (a separation taking effect, offboarding):
   * once per key, so a re-run finds it and the sweep finishes it.
   */
  async recordHandOver(key: { PK: string; SK: string }, handOver: HandOverOwed): Promise<void> {
    await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { ...key, entity: 'DirectoryHandOver', ...handOver, pendingStart: handOverQueue, pendingSince: handOver.createdAt },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** The hand-over at `key` if it is still owed (not done). */
  async pendingHandOver(key: { PK: string; SK: string }): Promise<PendingHandOver | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return out.Item?.pendingStart ? { ...strip<PendingHandOver>(out.Item), ...key } : undefined;
  }

  /** The hand-over is done: it leaves the queue and stays on record with what it moved. */
  async handOverDone(key: { PK: string; SK: string }, moved: number, at: string): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: 'SET doneAt = :at, moved = :m REMOVE pendingStart, pendingSince',
        ConditionExpression: 'attribute_exists(pendingStart)',
        ExpressionAttributeValues: { ':at': at, ':m': moved },
      }),
    );
  }
}
