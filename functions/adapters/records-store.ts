import { PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { GovernanceRequest } from '#approval-chain/kinds';
import type { GovernanceRecord } from '#core/records';
import { requestItem, type StoredKind } from '#adapters/store';
import { type Item, strip, TableClient } from '#adapters/table';

/**
 * Public records (H, I) in the governance table:
 *   RECORD#recordId / RECORD   GSI1 ACCOUNT_RECORDS#accountId / recordedAt#recordId
 * Written once (conditional put) and never updated: this module has no update or delete, and in
 * AWS every role is denied UpdateItem and DeleteItem on RECORD# partitions (IAM LeadingKeys), and
 * PutItem there too except for the functions that record. Requests about an account are filed
 * under the same GSI1 key (store.requestItem), so one query gives an account's records over a
 * date range.
 */

export function recordItem(record: GovernanceRecord): Item {
  return {
    PK: `RECORD#${record.recordId}`,
    SK: 'RECORD',
    GSI1PK: `ACCOUNT_RECORDS#${record.accountId}`,
    GSI1SK: `${record.recordedAt}#${record.recordId}`,
    entity: record.kind,
    ...record,
  };
}

export class RecordsStore extends TableClient {
  /** Writes a record once; false when a record with that id exists (never overwritten). */
  putRecord(record: GovernanceRecord): Promise<boolean> {
    return this.conditional(new PutCommand({ TableName: this.table, Item: recordItem(record), ConditionExpression: 'attribute_not_exists(PK)' }));
  }

  /**
   * A request and the record it depends on, together or not at all: a post's content is preserved
   * before anything else happens to its removal request (H). False when the request exists already
   * (a repeated submission: its record was written with it the first time).
   */
  putRequestWithRecord<R extends GovernanceRequest>(request: R, kind: StoredKind<R>, record: GovernanceRecord): Promise<boolean> {
    return this.conditional(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: requestItem(request, kind), ConditionExpression: 'attribute_not_exists(PK)' } },
          { Put: { TableName: this.table, Item: recordItem(record), ConditionExpression: 'attribute_not_exists(PK)' } },
        ],
      }),
    );
  }

  record(recordId: string): Promise<GovernanceRecord | undefined> {
    return this.get<GovernanceRecord>(`RECORD#${recordId}`, 'RECORD', true);
  }

  /**
   * Everything filed under an account between two instants (ISO strings, inclusive): its records,
   * and the requests about it. Paginated to the end.
   */
  forAccount(accountId: string, from: string, to: string): Promise<{ records: GovernanceRecord[]; requests: GovernanceRequest[] }> {
    return this.filedBetween(`ACCOUNT_RECORDS#${accountId}`, from, to);
  }

  /** The requests of a department that are not about an existing account (new accounts, platform proposals) made in [from, to]. */
  async forDepartment(departmentCode: string, from: string, to: string): Promise<GovernanceRequest[]> {
    return (await this.filedBetween(`DEPARTMENT_RECORDS#${departmentCode}`, from, to)).requests;
  }

  private async filedBetween(pk: string, from: string, to: string): Promise<{ records: GovernanceRecord[]; requests: GovernanceRequest[] }> {
    const records: GovernanceRecord[] = [];
    const requests: GovernanceRequest[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to',
          // `~` sorts after every id character, so the whole of the last instant is included.
          ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': `${to}~` },
          ExclusiveStartKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (String(item.PK).startsWith('RECORD#')) records.push(strip<GovernanceRecord>(item));
        else if (String(item.PK).startsWith('REQ#')) requests.push(strip<GovernanceRequest>(item));
      }
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return { records, requests };
  }
}
