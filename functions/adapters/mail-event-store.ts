import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Approval } from '#core/approval';
import type { MailRef } from '../mail-events/mail-tags.ts';
import type { SentSlot, UndeliverableEntry } from '../mail-events/undeliverable.ts';
import { HandOverStore } from '#adapters/hand-over-store';
import { claimedAtCreation, mailAttribute } from '#adapters/mail-slots';
import { assignedTo } from '#adapters/my-work-store';
import { approvalKey } from '#adapters/store';
import { type Item, strip } from '#adapters/table';

/**
 * The writes an undeliverable email makes (recordMailBounce). On the item the email was sent from:
 *   <item> `mail:<key>`.<kind>   the event, once per email and kind (the idempotency mark)
 *   <item> `undeliverable`       the same entries, listed on the item itself (a request's history
 *                                shows an approval's; the item's readers see them)
 * both in one conditional write, so a notification SNS delivers twice is recorded once. And, for an
 * approver's link that bounced for good, the step's escalation written at once (escalateNow).
 */
export class MailEventStore extends HandOverStore {
  /** The item an email was sent from, and the slot it was sent from (undefined: no such item, or no such email on it). */
  async sentFrom(ref: MailRef): Promise<{ item: Item; slot: SentSlot } | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { PK: ref.PK, SK: ref.SK }, ConsistentRead: true }));
    const slot = out.Item?.[mailAttribute(ref.key)] as SentSlot | undefined;
    return out.Item && slot ? { item: out.Item, slot } : undefined;
  }

  /** Records the event on the email's item; false when this email's event of this kind is recorded already. */
  async recordUndeliverable(ref: MailRef, entry: UndeliverableEntry): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: ref.PK, SK: ref.SK },
        UpdateExpression: 'SET #m.#kind = :entry, undeliverable = list_append(if_not_exists(undeliverable, :none), :entries)',
        ConditionExpression: 'attribute_exists(#m) AND attribute_not_exists(#m.#kind)',
        ExpressionAttributeNames: { '#m': mailAttribute(ref.key), '#kind': entry.kind },
        ExpressionAttributeValues: { ':entry': entry, ':entries': [entry], ':none': [] },
      }),
    );
  }

  /**
   * The step's escalation, written now rather than when its wait runs out: `to` (round 1, the
   * designee) in the escalation's slot, carrying the waiting execution's sealed token, and `from`
   * (round 0) superseded with the reason. One transaction, conditional on `from` still holding the
   * link and token it was read with, undecided and not superseded, on no escalation existing, and
   * on the request still pending: a decision, a re-arm, the state machine's own escalation or a
   * hand-over that lands first wins, and the caller reads again.
   */
  async escalateNow(from: Approval, to: Approval, reason: string): Promise<'escalated' | 'changed'> {
    const fromKey = approvalKey(from);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...approvalKey(to),
                  entity: 'Approval',
                  ...to,
                  ...assignedTo(to.approverId, to.createdAt),
                  ...claimedAtCreation('first', to.createdAt),
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Update: {
                TableName: this.table,
                Key: fromKey,
                UpdateExpression: 'SET supersededAt = :at, supersededByName = :by, supersededReason = :why REMOVE assigneeId, assignedAt',
                ConditionExpression:
                  'approvalId = :old AND attribute_not_exists(decision) AND attribute_not_exists(supersededAt) AND ' +
                  (from.sealedToken ? 'sealedToken = :token' : 'attribute_not_exists(sealedToken)'),
                ExpressionAttributeValues: {
                  ':at': to.createdAt,
                  ':by': to.approverName,
                  ':why': reason,
                  ':old': from.approvalId,
                  ...(from.sealedToken ? { ':token': from.sealedToken } : {}),
                },
              },
            },
            {
              ConditionCheck: {
                TableName: this.table,
                Key: { PK: fromKey.PK, SK: 'META' },
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':pending': 'PENDING' },
              },
            },
          ],
        }),
      );
      return 'escalated';
    } catch (error) {
      if (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) return 'changed';
      throw error;
    }
  }
}

/** The approval an item holds (the item as sentFrom read it). */
export const approvalIn = (item: Item): Approval => strip<Approval>(item);
