import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Approval } from '#core/approval';
import type { OffboardingTask, TaskLink } from '#offboarding/offboarding';
import type { GovernanceRequest } from '#approval-chain/kinds';
import type { AssignedApproval, AssignedReview, AssignedTask } from '#my-work/my-work';
import { currentReviewer, type ReviewPage } from '#annual-review/review';
import { type Item, strip, TableClient } from '#adapters/table';

/**
 * "My work": what waits for one person, read from the sparse KEYS_ONLY ByAssignee index
 * (assigneeId / assignedAt), never a scan. An approval link is listed from the write that creates it
 * until the write that decides or supersedes it; an offboarding task link from its creation until
 * its offboarding is reported. The index is only a pointer: every listed item is read again
 * (consistently) with the request or task it belongs to, and shown only while it is still open for
 * this person, so a decided, escalated or completed item leaves the list at once even before the
 * index catches up.
 */

/** The attributes that put an item in its assignee's My work. */
export const assignedTo = (personId: string, at: string) => ({ assigneeId: personId, assignedAt: at });

/** At most this many pointers are followed per page: a person's open work, not their history. */
export const MY_WORK_LIMIT = 100;

const parentKey = (item: Item): { PK: string; SK: string } | undefined => {
  const sk = String(item.SK);
  if (sk.startsWith('APPR#')) return { PK: String(item.PK), SK: 'META' };
  // LINK#<accountId>#<kind>#<round>#<recipientId> belongs to TASK#<accountId>#<kind>.
  const link = /^LINK#(.+)#(ROTATE|APPOINT)#\d+#[^#]+$/.exec(sk);
  return link ? { PK: String(item.PK), SK: `TASK#${link[1]}#${link[2]}` } : undefined;
};

const keyOf = (k: { PK: unknown; SK: unknown }) => `${String(k.PK)}\u0000${String(k.SK)}`;

export class MyWorkStore extends TableClient {
  /** The open approvals, offboarding tasks and review pages assigned to `personId`, oldest first. */
  async assignedTo(personId: string): Promise<{ approvals: AssignedApproval[]; tasks: AssignedTask[]; reviews: AssignedReview[] }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'ByAssignee',
        KeyConditionExpression: 'assigneeId = :me',
        ExpressionAttributeValues: { ':me': personId },
        Limit: MY_WORK_LIMIT,
      }),
    );
    const pointers = (out.Items ?? []).map((i) => ({ PK: String(i.PK), SK: String(i.SK) }));
    const parents = pointers.map((p) => parentKey(p)).filter((k): k is { PK: string; SK: string } => Boolean(k));
    const items = await this.getMany([...pointers, ...parents]);
    const approvals: AssignedApproval[] = [];
    const tasks: AssignedTask[] = [];
    const reviews: AssignedReview[] = [];
    for (const pointer of pointers) {
      const item = items.get(keyOf(pointer));
      if (item && pointer.SK.startsWith('PAGE#')) {
        // A review page is its own item: open while it is OPEN and with this person.
        const page = strip<ReviewPage & { assignedAt?: string }>(item);
        if (page.status === 'OPEN' && currentReviewer(page)?.id === personId) reviews.push({ page, assignedAt: page.assignedAt ?? page.createdAt });
        continue;
      }
      const parentAt = parentKey(pointer);
      const parent = parentAt ? items.get(keyOf(parentAt)) : undefined;
      if (!item || !parent) continue;
      if (pointer.SK.startsWith('APPR#')) {
        const approval = strip<Approval>(item);
        const request = strip<GovernanceRequest>(parent);
        const open = !approval.decision && !approval.supersededAt && request.status === 'PENDING' && approval.approverId === personId;
        if (open) approvals.push({ approval, request });
      } else {
        const link = strip<TaskLink>(item);
        const task = strip<OffboardingTask>(parent);
        const open = task.status === 'OPEN' && link.round === task.round && link.recipient.id === personId;
        if (open) tasks.push({ link, task });
      }
    }
    approvals.sort((a, b) => a.approval.createdAt.localeCompare(b.approval.createdAt));
    tasks.sort((a, b) => a.link.createdAt.localeCompare(b.link.createdAt));
    reviews.sort((a, b) => a.assignedAt.localeCompare(b.assignedAt));
    return { approvals, tasks, reviews };
  }

  /** Consistent reads of up to MY_WORK_LIMIT × 2 items, 100 keys per BatchGetItem, unprocessed keys retried. */
  private async getMany(keys: { PK: string; SK: string }[]): Promise<Map<string, Item>> {
    const unique = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
    const found = new Map<string, Item>();
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Item[] | undefined = unique.slice(i, i + 100);
      for (let attempt = 0; pending?.length && attempt < 8; attempt++) {
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: pending, ConsistentRead: true } } }));
        for (const item of out.Responses?.[this.table] ?? []) found.set(keyOf(item as { PK: unknown; SK: unknown }), item);
        pending = out.UnprocessedKeys?.[this.table]?.Keys as Item[] | undefined;
        if (pending?.length) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
      }
      if (pending?.length) throw new Error(`My work: ${pending.length} items stayed unprocessed after retries.`);
    }
    return found;
  }
}
