import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Approval } from '#core/approval';
import { type Department, directoryRoles, type Person, type RoleHolder } from '#core/policy';
import type { PlannedStep } from '#core/request';
import { claimedAtCreation } from '#adapters/mail-slots';
import { assignedTo } from '#adapters/my-work-store';
import { approvalKey, GovernanceStore } from '#adapters/store';
import { strip } from '#adapters/table';

/** The sort key of a link a hand-over took off its slot: kept beside it, after it, as history. */
export const handedOverSortKey = (a: Pick<Approval, 'requestId' | 'step' | 'round'>, at: string) => `${approvalKey(a).SK}#${at}`;

/**
 * The writes that move an open approval from one approver to another. A step's round has one slot
 * (REQ#id / APPR#step#round), which the state machine's task and the decision link both address;
 * a hand-over puts the new approver's link into the slot and keeps the old link beside it:
 *   REQ#id / APPR#step#round#<at>   the old link, superseded (its page says who has the step now, and why)
 * in one transaction, conditional on the slot still holding the old link undecided and with the
 * token it was read with (a decision, a re-arm or another hand-over in between cancels it), and on
 * the request still pending; the request's step names its new approver in the same write.
 */
export class HandOverStore extends GovernanceStore {
  /**
   * People by id, as far as they are in the directory (one BatchGetItem per 100), read strongly:
   * routing runs right after a directory change commits, and an eventually consistent read could
   * still show who held the post before it.
   */
  async peopleById(ids: readonly string[]): Promise<Map<string, Person>> {
    const people = await this.byKeys<Person>([...new Set(ids)].map((id) => ({ PK: `PERSON#${id}`, SK: 'PROFILE' })));
    return new Map(people.map((p) => [p.id, p]));
  }

  /** A department as it stands now (a strongly consistent read, for the same reason). */
  departmentNow(code: string): Promise<Department | undefined> {
    return this.get<Department>(`DEPT#${code}`, 'PROFILE', true);
  }

  /** Who holds each City-wide role now: by key and strongly consistent, never through the ROLES index, which lags a change. */
  async roleHoldersNow(): Promise<RoleHolder[]> {
    const roles = await this.byKeys<RoleHolder>(directoryRoles.map((role) => ({ PK: `ROLE#${role}`, SK: 'PROFILE' })));
    return roles.filter((r) => r.holderId);
  }

  private async byKeys<T>(all: { PK: string; SK: string }[]): Promise<T[]> {
    const found: T[] = [];
    for (let i = 0; i < all.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = all.slice(i, i + 100);
      for (let attempt = 0; keys?.length && attempt < 8; attempt += 1) {
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of out.Responses?.[this.table] ?? []) found.push(strip<T>(item));
        keys = out.UnprocessedKeys?.[this.table]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  /**
   * `outbox`: the directory hand-over this move belongs to, which lists the slot in the same write
   * (movedLinks), so a run that ends before the new link's email is confirmed is finished by the next.
   */
  /** The request's step names who its link was made for (planned for someone who has since left the post). */
  async replanStep(requestId: string, stepIndex: number, step: PlannedStep): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `REQ#${requestId}`, SK: 'META' },
        UpdateExpression: `SET steps[${stepIndex}] = :step`,
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':step': step, ':pending': 'PENDING' },
      }),
    );
  }

  async handOver(input: {
    from: Approval;
    to: Approval;
    reason: string;
    step: PlannedStep;
    stepIndex: number;
    outbox?: { PK: string; SK: string };
  }): Promise<'moved' | 'changed'> {
    const { from, to } = input;
    const { sealedToken: _token, sealedFor: _for, ...kept } = from as Approval & { assigneeId?: string; assignedAt?: string };
    const { assigneeId: _a, assignedAt: _b, ...history } = kept as Record<string, unknown>;
    const key = approvalKey(from);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: {
                  PK: key.PK,
                  SK: handedOverSortKey(from, to.createdAt),
                  entity: 'Approval',
                  ...history,
                  supersededAt: to.createdAt,
                  supersededByName: to.approverName,
                  supersededReason: input.reason,
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: { ...key, entity: 'Approval', ...to, ...assignedTo(to.approverId, to.createdAt), ...claimedAtCreation('first', to.createdAt) },
                ConditionExpression:
                  'approvalId = :old AND attribute_not_exists(decision) AND attribute_not_exists(supersededAt) AND ' +
                  (from.sealedToken ? 'sealedToken = :token' : 'attribute_not_exists(sealedToken)'),
                ExpressionAttributeValues: { ':old': from.approvalId, ...(from.sealedToken ? { ':token': from.sealedToken } : {}) },
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: { PK: key.PK, SK: 'META' },
                UpdateExpression: `SET steps[${input.stepIndex}] = :step`,
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':step': input.step, ':pending': 'PENDING' },
              },
            },
            ...(input.outbox
              ? [
                  {
                    Update: {
                      TableName: this.table,
                      Key: input.outbox,
                      UpdateExpression: 'ADD movedLinks :slot',
                      ExpressionAttributeValues: { ':slot': new Set([`${from.requestId} ${key.SK}`]) },
                    },
                  },
                ]
              : []),
          ],
        }),
      );
      return 'moved';
    } catch (error) {
      if (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) return 'changed';
      throw error;
    }
  }
}
