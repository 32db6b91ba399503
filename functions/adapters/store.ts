import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Approval, Decision } from '#core/approval';
import type { Account, Grant } from '#core/registry';
import type { GovernanceRequest } from '#approval-chain/kinds';
import type { ApprovalWorkflow } from '#catalogue-types';
import type { OutcomeWrite, RequestBase, RequestKindModule } from '#core/request-kind';
import { approvedUpdate, approveWithWrites } from '#adapters/outcome-writes';
import type { RequestStatus } from '#core/request';
import { DirectoryStore } from '#adapters/directory-store';
import { claimedAtCreation } from '#adapters/mail-slots';
import { accountItem } from '#adapters/registry-store';
import { assignedTo } from '#adapters/my-work-store';
import { isConditionFailure, type Item, strip } from '#adapters/table';

/**
 * The governance table (single-table design). Keys (the directory's: directory-store.ts):
 *   REQ#id / META                  GSI2 REQUESTER#personId / createdAt   (na- new account, pa- posting authority, pr- post removal)
 *                                  GSI1 ACCOUNT_RECORDS#accountId / createdAt#id (requests about an existing account),
 *                                  or DEPARTMENT_RECORDS#code / createdAt#id (the others: the department's export reads them)
 *   RECORD#id / RECORD             GSI1 ACCOUNT_RECORDS#accountId / recordedAt#id (preserved posts, edits,
 *                                  moderation: written once, never updated; see records-store.ts)
 *   REQ#id / APPR#step#round       ByApprovalId approvalId (sparse, KEYS_ONLY: later updates cost no index write)
 *                                  ByAssignee approverId / createdAt while undecided (My work; my-work-store.ts)
 *   ACCOUNT#id / PROFILE           GSI1 ACCOUNTS / platform#handle
 *   ACCOUNT#id / GRANT#personId#sourceId   GSI2 GRANTEE#personId / ACCOUNT#id#sourceId (grants by employee, B;
 *                                  one item per authorization, so a revoked grant stays on record when a new one is made)
 *   HANDLE#platform#handle / CLAIM (one registry entry per handle)
 * Every state change is a conditional write.
 */

export const approvalSortKey = (step: number, round: number) => `APPR#${String(step).padStart(2, '0')}#${round}`;

/** An approval's table key. */
export const approvalKey = (a: Pick<Approval, 'requestId' | 'step' | 'round'>) => ({ PK: `REQ#${a.requestId}`, SK: approvalSortKey(a.step, a.round) });

/** A posting grant's item: one per authorization, found by account (PK) and by employee (GSI2). */
export function grantItem(g: Grant): Item {
  return {
    PK: `ACCOUNT#${g.accountId}`,
    SK: `GRANT#${g.personId}#${g.sourceRequestId}`,
    GSI2PK: `GRANTEE#${g.personId}`,
    GSI2SK: `ACCOUNT#${g.accountId}#${g.sourceRequestId}`,
    entity: 'Grant',
    ...g,
  };
}

/**
 * A request's item. Requests about an existing account (posting authority, post removal, exceptions,
 * displays) are also filed under the account's records (GSI1 ACCOUNT_RECORDS#id by time), so a
 * records export (H) finds them with the account's preserved posts, edits and moderation records in
 * one query; the others (new accounts, platform proposals) under their department's
 * (DEPARTMENT_RECORDS#code), where a department's export finds them, approved or not. The kind's
 * module says which account and its entity name; the caller passes its own kind, so a function that
 * stores no request does not bundle every kind's module.
 */
export function requestItem<R extends RequestBase>(request: R, kind: StoredKind<R>): Item {
  const accountId = kind.accountOf(request);
  const fields = request as unknown as Item;
  return {
    PK: `REQ#${request.requestId}`,
    SK: 'META',
    GSI2PK: `REQUESTER#${request.requester.id}`,
    GSI2SK: request.createdAt,
    // Filed under its account, or (a request not about an existing account) under its department.
    GSI1PK: accountId ? `ACCOUNT_RECORDS#${accountId}` : `DEPARTMENT_RECORDS#${request.departmentCode}`,
    GSI1SK: `${request.createdAt}#${request.requestId}`,
    entity: kind.entity,
    ...fields,
    // Durable start: listed in ByPendingStart, under the state machine it is to run on, until its execution is known to have started.
    pendingStart: kind.stateMachine,
    pendingSince: request.createdAt,
  };
}

/** What the store needs of a request's kind to file it. */
export type StoredKind<R extends RequestBase> = Pick<RequestKindModule<R>, 'kind' | 'entity' | 'accountOf'> & {
  /** The state machine it is to run on: its kind's (the retired shared chain only in a test that stores a request as the release before did). */
  stateMachine: ApprovalWorkflow;
};

/** The directory (directory-store.ts), and the requests, approvals and registry of every workflow. */
export class GovernanceStore extends DirectoryStore {
  // Requests ----------------------------------------------------------------------------------

  /** Stores a new request; false when this request id exists already (a repeated submission). */
  async createRequest<R extends RequestBase>(request: R, kind: StoredKind<R>): Promise<boolean> {
    return this.conditional(new PutCommand({ TableName: this.table, Item: requestItem(request, kind), ConditionExpression: 'attribute_not_exists(PK)' }));
  }

  /** The request's execution has started: it leaves the ByPendingStart index. False when it had left it already. */
  markStarted(requestId: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `REQ#${requestId}`, SK: 'META' },
        UpdateExpression: 'REMOVE pendingStart, pendingSince',
        ConditionExpression: 'attribute_exists(pendingStart)',
      }),
    );
  }

  /** The state machine a stored request waits to be started on, or undefined once it has started (consistent). */
  async pendingStartOf(requestId: string): Promise<ApprovalWorkflow | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { PK: `REQ#${requestId}`, SK: 'META' }, ProjectionExpression: 'pendingStart', ConsistentRead: true }),
    );
    return out.Item?.pendingStart as ApprovalWorkflow | undefined;
  }

  /**
   * Ids of requests stored to run on `workflow` before `before` whose execution is not yet known to
   * have started, oldest first, a page at a time.
   */
  async pendingStarts(workflow: ApprovalWorkflow, before: string, after?: Item): Promise<{ requestIds: string[]; next?: Item }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'ByPendingStart',
        KeyConditionExpression: 'pendingStart = :w AND pendingSince < :before',
        ExpressionAttributeValues: { ':w': workflow, ':before': before },
        ExclusiveStartKey: after,
        Limit: 100,
      }),
    );
    return { requestIds: (out.Items ?? []).map((i) => String(i.PK).slice('REQ#'.length)), next: out.LastEvaluatedKey };
  }

  request(requestId: string, consistent = false) {
    return this.get<GovernanceRequest>(`REQ#${requestId}`, 'META', consistent);
  }

  /** The request and every approval link sent for it: the audit trail, in step order. */
  async requestWithApprovals(requestId: string): Promise<{ request?: GovernanceRequest; approvals: Approval[] }> {
    const items = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `REQ#${requestId}` },
        ConsistentRead: true,
      }),
    );
    let request: GovernanceRequest | undefined;
    const approvals: Approval[] = [];
    for (const item of items.Items ?? []) {
      if (item.SK === 'META') request = strip<GovernanceRequest>(item);
      else if (String(item.SK).startsWith('APPR#')) approvals.push(strip<Approval>(item) as Approval);
    }
    return { request, approvals };
  }

  requestsBy(personId: string) {
    return this.queryAll<GovernanceRequest>({ index: 'GSI2', pk: `REQUESTER#${personId}` });
  }

  /** Closes a pending request with its outcome; false when it was closed already. */
  /**
   * Closes a pending request with its outcome; false when it was closed already. `removal` (post
   * removal, M.c) records who confirmed the post removed and when, on the request itself, so the
   * records export reads it with the request.
   */
  async closeRequest(
    requestId: string,
    status: Exclude<RequestStatus, 'PENDING'>,
    at: string,
    reason?: string,
    removal?: { removedAt: string; removedById: string; removedByName: string },
  ): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `REQ#${requestId}`, SK: 'META' },
        UpdateExpression: `SET #status = :status, closedAt = :at, outcomeReason = :reason${removal ? ', removal = :removal' : ''}`,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ':at': at,
          ':reason': reason ?? null,
          ':pending': 'PENDING',
          ...(removal ? { ':removal': removal } : {}),
        },
      }),
    );
  }

  // Approvals ---------------------------------------------------------------------------------

  approval(requestId: string, step: number, round: number) {
    return this.get<Approval>(`REQ#${requestId}`, approvalSortKey(step, round), true);
  }

  /** Finds a link's approval (index lookup, then a consistent read of the item itself). */
  async approvalById(approvalId: string): Promise<Approval | undefined> {
    const key = await this.keyOfLink(approvalId);
    const found = key ? await this.get<Approval>(key.PK, key.SK, true) : undefined;
    if (!found || found.approvalId === approvalId) return found;
    // The index still points at the slot a hand-over gave a new link: the old link is in the slot's archive.
    return (await this.queryAll<Approval>({ pk: key?.PK as string, skPrefix: `${key?.SK}#`, consistent: true })).find((a) => a.approvalId === approvalId);
  }

  /**
   * Creates the approval for a step and round; false when it exists (a retry or a re-run). Its
   * first email's idempotency key is claimed in the same write (see mail-ledger.ts).
   */
  async createApproval(approval: Approval): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...approvalKey(approval),
          entity: 'Approval',
          ...approval,
          ...assignedTo(approval.approverId, approval.createdAt),
          ...claimedAtCreation('first', approval.createdAt),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** Re-arms an undecided approval with a new sealed task token; false once it is decided. */
  async storeToken(a: Pick<Approval, 'requestId' | 'step' | 'round' | 'approvalId'>, sealedToken: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: approvalKey(a),
        // Sealed for this link: a token a hand-over carried over (sealedFor) is replaced by it.
        UpdateExpression: 'SET sealedToken = :t REMOVE sealedFor',
        // Only the link it was sealed for: a hand-over in between gave the slot another link.
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(decision) AND approvalId = :id',
        ExpressionAttributeValues: { ':t': sealedToken, ':id': a.approvalId },
      }),
    );
  }

  /**
   * Records a decision once, only on a current (not superseded) link. Returns the approval as the
   * write left it, so its sealed token is the one armed at the moment of the decision (a re-arm
   * after it fails on `decision`, and finds the decision itself); undefined if the write lost.
   */
  async recordDecision(a: Pick<Approval, 'requestId' | 'step' | 'round' | 'approvalId'>, decision: Decision): Promise<Approval | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: approvalKey(a),
          // Decided: it leaves its approver's My work in the same write.
          UpdateExpression: 'SET decision = :d REMOVE assigneeId, assignedAt',
          // The link decided is still the slot's (a hand-over gives the slot a new one).
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(decision) AND attribute_not_exists(supersededAt) AND approvalId = :id',
          ExpressionAttributeValues: { ':d': decision, ':id': a.approvalId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<Approval>(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Escalation: the first link stops working and says who the step went to. */
  async supersede(a: Pick<Approval, 'requestId' | 'step' | 'round' | 'approvalId'>, byName: string, at: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: approvalKey(a),
        UpdateExpression: 'SET supersededAt = :at, supersededByName = :by REMOVE assigneeId, assignedAt',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(decision) AND attribute_not_exists(supersededAt) AND approvalId = :id',
        ExpressionAttributeValues: { ':at': at, ':by': byName, ':id': a.approvalId },
      }),
    );
  }

  /**
   * The request is closed: any approval still in its approver's My work (a step that expired
   * undecided, or one a crash left listed) leaves it. The list already hides such items when it
   * reads them; this keeps the index holding open work only. Conditional, so a re-run writes nothing.
   */
  async releaseAssignments(approvals: readonly (Approval & { assigneeId?: string })[]): Promise<void> {
    for (const a of approvals.filter((x) => x.assigneeId)) {
      await this.conditional(
        new UpdateCommand({
          TableName: this.table,
          Key: approvalKey(a),
          UpdateExpression: 'REMOVE assigneeId, assignedAt',
          ConditionExpression: 'attribute_exists(assigneeId)',
        }),
      );
    }
  }

  // Registry ----------------------------------------------------------------------------------

  private approvedUpdate(requestId: string, at: string, extra: Record<string, string> = {}) {
    return approvedUpdate(this.table, requestId, at, extra);
  }

  /** Closes a pending request as APPROVED with its kind's writes, in one transaction (outcome-writes.ts). */
  approveWith(requestId: string, at: string, writes: readonly OutcomeWrite[], extra?: Record<string, string>) {
    return approveWithWrites(this.db, this.table, requestId, at, writes, extra);
  }

  /**
   * Approves a request in one transaction: the request closes as APPROVED, the account enters the
   * registry, its handle is claimed and each admin's posting grant is recorded (B). Returns
   * 'handle-taken' when another account holds the handle, 'closed' when the request is not pending.
   */
  async approveIntoRegistry(requestId: string, account: Account, grants: Grant[], at: string): Promise<'ok' | 'handle-taken' | 'closed'> {
    const handleKey = `HANDLE#${account.platformId}#${account.handle.toLowerCase()}`;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            this.approvedUpdate(requestId, at, { accountId: account.accountId }),
            {
              Put: {
                TableName: this.table,
                Item: { PK: handleKey, SK: 'CLAIM', entity: 'HandleClaim', accountId: account.accountId },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: accountItem(account),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            ...grants.map((g) => ({
              Put: {
                TableName: this.table,
                Item: grantItem(g),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            })),
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'closed';
      if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'handle-taken';
      throw error;
    }
  }

  async handleTaken(platformId: string, handle: string): Promise<boolean> {
    return Boolean(await this.get(`HANDLE#${platformId}#${handle.toLowerCase()}`, 'CLAIM'));
  }

  account(accountId: string) {
    return this.get<Account>(`ACCOUNT#${accountId}`, 'PROFILE');
  }

  accounts() {
    return this.queryAll<Account>({ index: 'GSI1', pk: 'ACCOUNTS#ACTIVE' });
  }

  /** Accounts no longer in use, kept on record (the records export covers them). */
  retiredAccounts() {
    return this.queryAll<Account>({ index: 'GSI1', pk: 'ACCOUNTS#RETIRED' });
  }

  grantsForAccount(accountId: string, consistent = false) {
    return this.queryAll<Grant>({ pk: `ACCOUNT#${accountId}`, skPrefix: 'GRANT#', consistent });
  }

  /** One person's grants on one account, active and revoked (consistent: read just before they change). */
  grantsOn(accountId: string, personId: string) {
    return this.queryAll<Grant>({ pk: `ACCOUNT#${accountId}`, skPrefix: `GRANT#${personId}#`, consistent: true });
  }

  /**
   * Approves a posting-authority request in one transaction (B): the request closes as APPROVED,
   * the account is still in the registry and active, the new grant is recorded, and each grant it
   * replaces is revoked (kept on record) only if it is still active. Returns 'closed' when the
   * request is not pending, 'account-gone' when the account left the registry, 'grants-changed'
   * when a grant to replace was revoked meanwhile (read the grants again and retry).
   */
  async approvePostingAuthority(requestId: string, grant: Grant, replaced: Grant[], at: string): Promise<'ok' | 'closed' | 'account-gone' | 'grants-changed'> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            this.approvedUpdate(requestId, at),
            {
              ConditionCheck: {
                TableName: this.table,
                Key: { PK: `ACCOUNT#${grant.accountId}`, SK: 'PROFILE' },
                ConditionExpression: '#status = :active',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':active': 'ACTIVE' },
              },
            },
            { Put: { TableName: this.table, Item: grantItem(grant), ConditionExpression: 'attribute_not_exists(PK)' } },
            ...replaced.map((g) => {
              const { PK, SK } = grantItem(g);
              return {
                Update: {
                  TableName: this.table,
                  Key: { PK, SK },
                  UpdateExpression: 'SET #status = :revoked, revokedAt = :at, revokedReason = :why, revokedBySourceId = :by',
                  ConditionExpression: '#status = :active',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':revoked': 'REVOKED',
                    ':active': 'ACTIVE',
                    ':at': g.revokedAt ?? at,
                    ':why': g.revokedReason ?? `replaced by ${requestId}`,
                    ':by': g.revokedBySourceId ?? requestId,
                  },
                },
              };
            }),
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = (error.CancellationReasons ?? []).map((r) => r.Code === 'ConditionalCheckFailed');
      // A put that finds its grant already there means an earlier run committed: the request is closed too.
      if (failed[0] || failed[2]) return 'closed';
      if (failed[1]) return 'account-gone';
      if (failed.slice(3).some(Boolean)) return 'grants-changed';
      throw error;
    }
  }

  grantsForPerson(personId: string) {
    return this.queryAll<Grant>({ index: 'GSI2', pk: `GRANTEE#${personId}` });
  }
}
