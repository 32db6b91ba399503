import type { FunctionAccess, TableAction } from './catalogue-types.ts';

/**
 * The catalogue's table access as DynamoDB actions, and the one rule both hosts apply to a call: the
 * AWS stack writes it as each role's statements (infra/aws/governance-table.ts), and the local host
 * checks every DynamoDB call a function makes against it (infra/local/table-access-check.ts), so a
 * function that needs an action its catalogue entry does not grant fails the same way in both.
 *
 * How IAM sees each call (DynamoDB Developer Guide, "Using IAM with DynamoDB transactions" and
 * "Using IAM policy conditions for fine-grained access control"):
 * - GetItem, PutItem, UpdateItem, DeleteItem are authorized as themselves, with
 *   `dynamodb:LeadingKeys` = the item's partition key.
 * - TransactWriteItems has no action of its own: each Put, Update, Delete and ConditionCheck in it is
 *   authorized as PutItem, UpdateItem, DeleteItem and ConditionCheckItem on its own item.
 * - BatchWriteItem is one action for the whole batch, whose `dynamodb:LeadingKeys` is multivalued
 *   (every item's partition key): hence `ForAnyValue:` in the denies and `ForAllValues:` in writeKeys.
 */
export const TABLE_ACTIONS: Record<TableAction, readonly string[]> = {
  read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
  write: ['dynamodb:ConditionCheckItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  delete: ['dynamodb:DeleteItem'],
  batchWrite: ['dynamodb:BatchWriteItem'],
};

/** The actions that change an item: the ones `writeKeys` limits and the guards deny (a ConditionCheckItem only reads). */
export const WRITE_ACTIONS: readonly string[] = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/** Denied on RECORD# keys to the functions that record: they may only put (conditionally) a new one. */
export const RECORD_CHANGE_ACTIONS: readonly string[] = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'];
/** Denied on REQ# keys to every writer: requests and their approvals are never deleted or batch-overwritten. */
export const HISTORY_ERASE_ACTIONS: readonly string[] = ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem'];

/**
 * Public records (H) are write-once: their partition keys start with this prefix
 * (adapters/records-store.ts: `RECORD#<recordId>`). The request history (a request's META and its
 * approvals, `REQ#…`) is append-only: items are added and decided (conditionally), never deleted.
 */
export const RECORD_KEY_PREFIX = 'RECORD#';
export const REQUEST_KEY_PREFIX = 'REQ#';

/** A Deny: these actions, on items whose partition key starts with any of these prefixes. */
export interface TableDeny {
  sid: string;
  actions: readonly string[];
  prefixes: readonly string[];
}

/** One function's table grant: the actions allowed, where it may write, and what is denied whatever it is granted. */
export interface TableGrant {
  actions: readonly string[];
  writeKeys?: readonly string[];
  denies: readonly TableDeny[];
  /** Whether it writes at all (the table key's encrypt use). */
  writes: boolean;
}

/**
 * The grant of one catalogue entry. Records: functions that record may only put a new one (the code
 * puts with `attribute_not_exists(PK)`, which IAM cannot require); every other function may not
 * write one at all. The history: nothing deletes, or overwrites in a batch, a request or an approval.
 */
export function tableGrant(key: string, access: Pick<FunctionAccess, 'table' | 'records' | 'writeKeys'>): TableGrant | undefined {
  const granted = access.table ?? [];
  if (!granted.length) {
    if (access.records || access.writeKeys) throw new Error(`catalogue functions.${key}: access.records and access.writeKeys need access.table.`);
    return undefined;
  }
  if (!granted.includes('read')) throw new Error(`catalogue functions.${key}: access.table must include 'read' (every writer reads first).`);
  const actions = [...new Set(granted.flatMap((a) => TABLE_ACTIONS[a]))].sort();
  const writes = actions.some((a) => WRITE_ACTIONS.includes(a));
  if (access.records === 'write' && !granted.includes('write'))
    throw new Error(`catalogue functions.${key}: access.records 'write' needs access.table 'write'.`);
  if (access.writeKeys && !writes) throw new Error(`catalogue functions.${key}: access.writeKeys without a write action.`);
  // Explicit denies win over any allow, the one this grant makes or a later one added by mistake.
  const denies: TableDeny[] = [];
  if (writes) {
    denies.push(
      access.records === 'write'
        ? { sid: 'RecordsAreNeverChangedOrDeleted', actions: RECORD_CHANGE_ACTIONS, prefixes: [RECORD_KEY_PREFIX] }
        : { sid: 'OnlyRecordersWriteRecords', actions: WRITE_ACTIONS, prefixes: [RECORD_KEY_PREFIX] },
      { sid: 'RequestHistoryIsAppendOnly', actions: HISTORY_ERASE_ACTIONS, prefixes: [REQUEST_KEY_PREFIX] },
    );
  }
  return { actions, writeKeys: access.writeKeys, denies, writes };
}

/**
 * Why a call is refused, or undefined when the grant allows it: `action` (e.g. dynamodb:PutItem) on
 * items with these partition keys (empty for a call that names none, such as a Query's).
 */
export function refusal(grant: TableGrant | undefined, action: string, partitionKeys: readonly string[]): string | undefined {
  if (!grant?.actions.includes(action)) return `${action} is not in its catalogue access.table`;
  if (WRITE_ACTIONS.includes(action) && grant.writeKeys) {
    const outside = partitionKeys.find((pk) => !grant.writeKeys?.some((prefix) => pk.startsWith(prefix)));
    if (outside !== undefined) return `${action} on partition ${outside.split('#')[0]}# is outside its catalogue access.writeKeys`;
  }
  const deny = grant.denies.find((d) => d.actions.includes(action) && partitionKeys.some((pk) => d.prefixes.some((p) => pk.startsWith(p))));
  return deny ? `${action} is denied on ${deny.prefixes.join(', ')} items (${deny.sid})` : undefined;
}
