import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { GovernanceRequest } from '#approval-chain/kinds';
import type { GovernanceRecord } from '#core/records';
import type { Account } from '#core/registry';
import { type Cursor, type FiledItem, keyOf, pageSize, type QueryPlan } from '#registry/registry-query';
import { type Item, strip, TableClient } from '#adapters/table';

/**
 * The registry's account PROFILE items and the list's queries (registry-query.ts plans them):
 *   ACCOUNT#id / PROFILE   GSI1 ACCOUNTS#status / platformId#handle
 *                          GSI2 ACCOUNTS_BY_DEPARTMENT#status / departmentCode#platformId#handle
 *                          GSI3 ACCOUNTS_BY_HANDLE#status / handle#platformId
 * Handles keyed lowercased. Every read here is a Query with a Limit, never a Scan.
 */
export function accountItem(account: Account): Item {
  const handle = account.handle.toLowerCase();
  return {
    PK: `ACCOUNT#${account.accountId}`,
    SK: 'PROFILE',
    GSI1PK: `ACCOUNTS#${account.status}`,
    GSI1SK: `${account.platformId}#${handle}`,
    GSI2PK: `ACCOUNTS_BY_DEPARTMENT#${account.status}`,
    GSI2SK: `${account.departmentCode}#${account.platformId}#${handle}`,
    GSI3PK: `ACCOUNTS_BY_HANDLE#${account.status}`,
    GSI3SK: `${handle}#${account.platformId}`,
    entity: 'Account',
    ...account,
  };
}

export interface AccountPage {
  accounts: Account[];
  /** Where the next page starts; undefined on the last page. */
  next?: Cursor;
}

/**
 * The list's and the account page's reads. A TableClient, not a GovernanceStore: store.ts files
 * accounts with accountItem from here, so this module must not import it back.
 */
export class RegistryStore extends TableClient {
  /**
   * One page of the list: at most `limit` accounts from the plan's index, from `after` on. The
   * query asks for one more than the page (Limit limit+1), so "Next page" appears only when there
   * is one. With a handle FilterExpression (department + handle) it reads on, `limit + 1` items a
   * query, until the page is full or the department's prefix ends: bounded by the department.
   */
  async accountPage(plan: QueryPlan, after?: Cursor, limit = pageSize): Promise<AccountPage> {
    const found: Item[] = [];
    let ExclusiveStartKey: Item | undefined = after?.key;
    let more = true;
    while (more && found.length <= limit) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: plan.index,
          KeyConditionExpression: plan.skPrefix ? '#pk = :pk AND begins_with(#sk, :sk)' : '#pk = :pk',
          ...(plan.handleFilter ? { FilterExpression: 'begins_with(#handle, :handle)' } : {}),
          ExpressionAttributeNames: {
            '#pk': `${plan.index}PK`,
            ...(plan.skPrefix ? { '#sk': `${plan.index}SK` } : {}),
            ...(plan.handleFilter ? { '#handle': 'GSI3SK' } : {}),
          },
          ExpressionAttributeValues: {
            ':pk': plan.pk,
            ...(plan.skPrefix ? { ':sk': plan.skPrefix } : {}),
            ...(plan.handleFilter ? { ':handle': plan.handleFilter } : {}),
          },
          Limit: limit + 1 - found.length,
          ExclusiveStartKey,
        }),
      );
      found.push(...(out.Items ?? []));
      ExclusiveStartKey = out.LastEvaluatedKey;
      more = ExclusiveStartKey !== undefined;
    }
    const page = found.slice(0, limit);
    const last = page.at(-1);
    const start = after?.start ?? 1;
    return {
      accounts: page.map((item) => strip<Account>(item)),
      ...(found.length > limit && last ? { next: { key: keyOf(last, plan.index), start: start + page.length } } : {}),
    };
  }

  /** The newest `limit` items filed under the account (GSI1 ACCOUNT_RECORDS#id, newest first): one query, one page. */
  async newestFiled(accountId: string, limit = 20): Promise<FiledItem[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `ACCOUNT_RECORDS#${accountId}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const filed: FiledItem[] = [];
    for (const item of out.Items ?? []) {
      if (String(item.PK).startsWith('RECORD#')) filed.push({ type: 'record', record: strip<GovernanceRecord>(item) });
      else if (String(item.PK).startsWith('REQ#')) filed.push({ type: 'request', request: strip<GovernanceRequest>(item) });
    }
    return filed;
  }
}
