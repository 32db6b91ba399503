import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { requestItem, type StoredKind } from '#adapters/store';
import { type Item, strip, TableClient } from '#adapters/table';
import {
  type DepartmentPolicyPointer,
  type DepartmentPolicyRecord,
  type DepartmentPolicyRequest,
  departmentPoliciesIndexKey,
  pointerKey,
  versionClaimItem,
  versionKey,
} from '#department-policy/department-policy';

/**
 * A department's own social media policies (R) in the governance table (keys: department-policy.ts).
 * A request is stored with its version's claim in one transaction, so two submissions of one
 * version cannot both be pending; the claim passes to a new request only from one that closed
 * without approval. Approval (the record and the pointer) is written by the approval's close, with
 * the request (store.approveWith), never here.
 */
export class DepartmentPolicyStore extends TableClient {
  /** Which request holds a version of the department's policy (read consistently: it decides a 409). */
  async versionHolder(code: string, version: string): Promise<string | undefined> {
    const claim = await this.get<{ requestId: string }>(versionKey(code, version).PK, versionKey(code, version).SK, true);
    return claim?.requestId;
  }

  /**
   * Stores the request and claims its version: 'created'; 'exists' when this request was stored
   * already (a repeated submission); 'taken' when another request claimed the version first.
   * `replaces`: the request that held the version and closed without approval, if any.
   */
  async submit(request: DepartmentPolicyRequest, kind: StoredKind<DepartmentPolicyRequest>, replaces?: string): Promise<'created' | 'exists' | 'taken'> {
    const item = {
      ...requestItem(request, kind),
      // Listed with the department's policies: one query gives its requests and records.
      GSI1PK: departmentPoliciesIndexKey(request.departmentCode),
      GSI1SK: `${request.createdAt}#${request.requestId}`,
    };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
            {
              Put: {
                TableName: this.table,
                Item: versionClaimItem(request),
                ConditionExpression: replaces ? 'attribute_not_exists(PK) OR requestId = :replaces' : 'attribute_not_exists(PK)',
                ...(replaces ? { ExpressionAttributeValues: { ':replaces': replaces } } : {}),
              },
            },
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = (error.CancellationReasons ?? []).map((r) => r.Code === 'ConditionalCheckFailed');
      if (failed[0]) return 'exists';
      if (failed[1]) return 'taken';
      throw error;
    }
  }

  /** The department's current-version pointer (consistent). */
  pointer(code: string): Promise<DepartmentPolicyPointer | undefined> {
    return this.get<DepartmentPolicyPointer>(pointerKey(code).PK, pointerKey(code).SK, true);
  }

  /** One approved version's record. */
  async record(recordId: string): Promise<DepartmentPolicyRecord | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { PK: `RECORD#${recordId}`, SK: 'RECORD' }, ConsistentRead: true }));
    return out.Item?.entity === 'DEPARTMENT_POLICY' ? strip<DepartmentPolicyRecord>(out.Item) : undefined;
  }

  /** The department's current approved policy, or undefined when it has none (for the registry's account pages). */
  async currentDepartmentPolicy(code: string): Promise<DepartmentPolicyRecord | undefined> {
    const pointer = await this.pointer(code);
    return pointer ? this.record(pointer.recordId) : undefined;
  }

  /**
   * Everything about the department's policies: its requests (every status), its approved versions'
   * records and the pointer. The index can lag a just-made approval, so the pointer's record is read
   * by key when the index does not have it yet.
   */
  async departmentPolicies(
    code: string,
  ): Promise<{ requests: DepartmentPolicyRequest[]; records: DepartmentPolicyRecord[]; pointer?: DepartmentPolicyPointer }> {
    const [items, pointer] = await Promise.all([this.queryItems({ index: 'GSI1', pk: departmentPoliciesIndexKey(code) }), this.pointer(code)]);
    const requests: DepartmentPolicyRequest[] = [];
    const records: DepartmentPolicyRecord[] = [];
    for (const item of items as Item[]) {
      if (String(item.PK).startsWith('REQ#')) requests.push(strip<DepartmentPolicyRequest>(item));
      else if (String(item.PK).startsWith('RECORD#')) records.push(strip<DepartmentPolicyRecord>(item));
    }
    if (pointer && !records.some((r) => r.recordId === pointer.recordId)) {
      const current = await this.record(pointer.recordId);
      if (current) records.push(current);
    }
    return { requests, records, ...(pointer ? { pointer } : {}) };
  }
}

let shared: DepartmentPolicyStore | undefined;

/** The department's current approved policy (R), or undefined: what an account page shows for the account's department. */
export function currentDepartmentPolicy(code: string, store?: DepartmentPolicyStore): Promise<DepartmentPolicyRecord | undefined> {
  shared ??= new DepartmentPolicyStore();
  return (store ?? shared).currentDepartmentPolicy(code);
}
