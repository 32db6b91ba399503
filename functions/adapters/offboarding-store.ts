import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AccountFailure, AccountPlan, Offboarding, OffboardingStatus, OffboardingTask, TaskKind, TaskLink } from '#offboarding/offboarding';
import type { Grant } from '#core/registry';
import { claimedAtCreation } from '#adapters/mail-slots';
import { assignedTo } from '#adapters/my-work-store';
import { grantItem } from '#adapters/store';
import { type Item, strip, TableClient } from '#adapters/table';

/**
 * Offboarding items in the governance table (same single table as store.ts):
 *   OFFBOARD#id / META                         GSI1 OFFBOARDINGS / createdAt   (the record; sealed token; kept
 *                                              small: it is read and written at every step, and copied to GSI1)
 *   OFFBOARD#id / ACCOUNTS                     the accounts found when it started (written once)
 *   OFFBOARD#id / ACCOUNT#accountId            the account's plan (fixed once made)
 *   OFFBOARD#id / TASK#accountId#ROTATE|APPOINT
 *   OFFBOARD#id / OPEN#accountId#kind          a marker per open task, so "is anything open?" reads one
 *                                              item, not every task (which made confirmations quadratic)
 *   OFFBOARD#id / LINK#accountId#kind#round#personId   ByApprovalId approvalId (the same link index as approvals)
 * Grants are revoked in place (status REVOKED, when, why, by which offboarding): never deleted.
 * Every state change is conditional, so retries, redrives and duplicate events change nothing twice.
 */

const pk = (offboardingId: string) => `OFFBOARD#${offboardingId}`;
const taskSk = (t: Pick<OffboardingTask, 'accountId' | 'kind'>) => `TASK#${t.accountId}#${t.kind}`;
const linkSk = (l: Pick<TaskLink, 'accountId' | 'kind' | 'round'> & { recipient: { id: string } }) =>
  `LINK#${l.accountId}#${l.kind}#${l.round}#${l.recipient.id}`;

export class OffboardingStore extends TableClient {
  /** Offboarding reads are consistent: each step acts on what the step before wrote. */
  private read<T>(PK: string, SK: string): Promise<T | undefined> {
    return this.get<T>(PK, SK, true);
  }

  private query(pk: string, skPrefix: string, index?: 'GSI1' | 'GSI2'): Promise<Item[]> {
    return this.queryItems({ pk, skPrefix: skPrefix || undefined, index, consistent: true });
  }

  // The record -------------------------------------------------------------------------------

  /** Records an offboarding once; false when it exists (a duplicate event, a retry). */
  createOffboarding(o: Offboarding): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { PK: pk(o.offboardingId), SK: 'META', GSI1PK: 'OFFBOARDINGS', GSI1SK: o.createdAt, entity: 'Offboarding', ...o },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  offboarding(offboardingId: string) {
    return this.read<Offboarding>(pk(offboardingId), 'META');
  }

  /**
   * A task case that is not an offboarding (a new account's credential capture, `cap-…`): the
   * META item the follow-up parks its token on. Not in the OFFBOARDINGS index, so no offboarding list shows it.
   */
  async putCase(c: { offboardingId: string; accountId: string; kind: 'CAPTURE'; status: 'IN_PROGRESS'; createdAt: string }): Promise<void> {
    await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { PK: pk(c.offboardingId), SK: 'META', entity: 'TaskCase', ...c },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async offboardings(): Promise<Offboarding[]> {
    return (await this.query('OFFBOARDINGS', '', 'GSI1')).map((i) => strip<Offboarding>(i) as Offboarding).reverse();
  }

  /**
   * SCHEDULED → IN_PROGRESS. The account list is written once, beside the record: a re-run gets
   * the list made the first time (by then some grants are revoked, so it could not be made again).
   */
  async start(offboardingId: string, accountIds: string[], at: string): Promise<string[]> {
    const made = await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { PK: pk(offboardingId), SK: 'ACCOUNTS', entity: 'OffboardingAccounts', accountIds },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    const stored = made ? accountIds : ((await this.read<{ accountIds: string[] }>(pk(offboardingId), 'ACCOUNTS'))?.accountIds ?? []);
    await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(offboardingId), SK: 'META' },
        UpdateExpression: 'SET #s = :p, startedAt = :at, accountCount = :n',
        ConditionExpression: '#s = :scheduled',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':p': 'IN_PROGRESS', ':scheduled': 'SCHEDULED', ':at': at, ':n': stored.length },
      }),
    );
    return stored;
  }

  async accountIds(offboardingId: string): Promise<string[] | undefined> {
    return (await this.read<{ accountIds: string[] }>(pk(offboardingId), 'ACCOUNTS'))?.accountIds;
  }

  finish(offboardingId: string, status: Extract<OffboardingStatus, 'COMPLETED' | 'FAILED'>, at: string, failure?: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(offboardingId), SK: 'META' },
        UpdateExpression: 'SET #s = :s, finishedAt = :at, failure = :f',
        ConditionExpression: 'attribute_exists(PK) AND NOT #s IN (:done, :failed)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status, ':at': at, ':f': failure ?? null, ':done': 'COMPLETED', ':failed': 'FAILED' },
      }),
    );
  }

  storeToken(offboardingId: string, sealedToken: string): Promise<void> {
    return this.storeSealedToken(pk(offboardingId), sealedToken);
  }

  /** The record with every account plan, task and link: the whole audit trail in one query. */
  async everything(offboardingId: string): Promise<{ offboarding?: Offboarding; plans: AccountPlan[]; tasks: OffboardingTask[]; links: TaskLink[] }> {
    const items = await this.query(pk(offboardingId), '');
    const of = <T>(prefix: string) => items.filter((i) => String(i.SK).startsWith(prefix)).map((i) => strip<T>(i) as T);
    return {
      offboarding: of<Offboarding>('META')[0],
      plans: of<AccountPlan>('ACCOUNT#'),
      tasks: of<OffboardingTask>('TASK#'),
      links: of<TaskLink>('LINK#'),
    };
  }

  // Plans and grants ---------------------------------------------------------------------------

  /** Stores an account's plan once; returns the stored one (a re-run keeps the first plan). */
  async putPlan(plan: AccountPlan): Promise<AccountPlan> {
    const made = await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { PK: pk(plan.offboardingId), SK: `ACCOUNT#${plan.accountId}`, entity: 'OffboardingAccount', ...plan },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return made ? plan : ((await this.plan(plan.offboardingId, plan.accountId)) as AccountPlan);
  }

  /**
   * Records an account's failure on its plan, making the plan if the failure came before it: a plan
   * already made keeps every field, and only the first failure is kept.
   */
  async markAccountFailed(plan: AccountPlan & { failure: AccountFailure }): Promise<AccountPlan> {
    const fields = Object.entries({ entity: 'OffboardingAccount', ...plan }).filter(([, v]) => v !== undefined);
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(plan.offboardingId), SK: `ACCOUNT#${plan.accountId}` },
        UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = if_not_exists(#f${i}, :v${i})`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(fields.map(([k], i) => [`#f${i}`, k])),
        ExpressionAttributeValues: Object.fromEntries(fields.map(([, v], i) => [`:v${i}`, v])),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip<AccountPlan>(out.Attributes ?? {});
  }

  plan(offboardingId: string, accountId: string) {
    return this.read<AccountPlan>(pk(offboardingId), `ACCOUNT#${accountId}`);
  }

  async markRevoked(plan: AccountPlan, at: string): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(plan.offboardingId), SK: `ACCOUNT#${plan.accountId}` },
        UpdateExpression: 'SET revokedAt = :at',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  /** The employee's grants, all accounts (GSI2 GRANTEE#). */
  async grantsOf(personId: string): Promise<Grant[]> {
    return (await this.query(`GRANTEE#${personId}`, '', 'GSI2')).map((i) => strip<Grant>(i) as Grant);
  }

  async grantsOn(accountId: string): Promise<Grant[]> {
    return (await this.query(`ACCOUNT#${accountId}`, 'GRANT#')).map((i) => strip<Grant>(i) as Grant);
  }

  /** Revokes one grant (recorded, not deleted); false when it was no longer active. */
  revokeGrant(g: Pick<Grant, 'accountId' | 'personId' | 'sourceRequestId'>, at: string, reason: string, bySourceId: string): Promise<boolean> {
    return this.revokeGrantItem(g, at, reason, bySourceId);
  }

  /** Marks the person separated in the directory, so nobody can pick them as an admin or approver. */
  async markSeparated(personId: string, separationDate: string): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `PERSON#${personId}`, SK: 'PROFILE' },
        UpdateExpression: 'SET separatedOn = :d',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':d': separationDate },
      }),
    );
  }

  // Tasks and links ----------------------------------------------------------------------------

  /** Creates a task once; returns the stored one. */
  async putTask(task: OffboardingTask): Promise<OffboardingTask> {
    const made = await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { PK: pk(task.offboardingId), SK: taskSk(task), entity: 'OffboardingTask', ...task },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return made ? task : ((await this.task(task.offboardingId, task.accountId, task.kind)) as OffboardingTask);
  }

  /** Marks a task open (idempotent; cleared when it is settled). */
  async markOpen(task: Pick<OffboardingTask, 'offboardingId' | 'accountId' | 'kind'>): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.table, Item: { PK: pk(task.offboardingId), SK: `OPEN#${task.accountId}#${task.kind}`, entity: 'OpenTask' } }),
    );
  }

  async clearOpen(task: Pick<OffboardingTask, 'offboardingId' | 'accountId' | 'kind'>): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { PK: pk(task.offboardingId), SK: `OPEN#${task.accountId}#${task.kind}` } }));
  }

  /**
   * Whether any task is still open, reading one marker at a time. A marker left behind by a crash
   * between settling a task and clearing it is checked against its task and cleared.
   */
  anyOpen(offboardingId: string): Promise<boolean> {
    return this.anyOpenMarker(pk(offboardingId), async (key) => {
      const [accountId, kind] = key.split('#') as [string, TaskKind];
      return (await this.task(offboardingId, accountId, kind))?.status === 'OPEN';
    });
  }

  task(offboardingId: string, accountId: string, kind: TaskKind) {
    return this.read<OffboardingTask>(pk(offboardingId), taskSk({ accountId, kind }));
  }

  async tasks(offboardingId: string): Promise<OffboardingTask[]> {
    return (await this.query(pk(offboardingId), 'TASK#')).map((i) => strip<OffboardingTask>(i) as OffboardingTask);
  }

  async linksFor(task: Pick<OffboardingTask, 'offboardingId' | 'accountId' | 'kind'>): Promise<TaskLink[]> {
    return (await this.query(pk(task.offboardingId), `LINK#${task.accountId}#${task.kind}#`)).map((i) => strip<TaskLink>(i) as TaskLink);
  }

  /**
   * Creates one recipient's link for a round once; returns the stored one (its id and hash never
   * change). Its first email's idempotency key is claimed in the same write; `onCreated` hears
   * when this call made it (so the caller sends that email without claiming it again).
   */
  async putLink(link: TaskLink, onCreated?: (link: TaskLink) => void): Promise<TaskLink> {
    const made = await this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...this.linkKey(link),
          entity: 'TaskLink',
          ...link,
          ...assignedTo(link.recipient.id, link.createdAt),
          ...claimedAtCreation('first', link.createdAt),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    if (made) onCreated?.(link);
    return made ? link : ((await this.read<TaskLink>(pk(link.offboardingId), linkSk(link))) as TaskLink);
  }

  linkKey(link: Pick<TaskLink, 'offboardingId' | 'accountId' | 'kind' | 'round'> & { recipient: { id: string } }) {
    return { PK: pk(link.offboardingId), SK: linkSk(link) };
  }

  async linkById(approvalId: string): Promise<TaskLink | undefined> {
    const key = await this.keyOfLink(approvalId);
    return key?.SK.startsWith('LINK#') ? this.read<TaskLink>(key.PK, key.SK) : undefined;
  }

  /**
   * The offboarding is reported: its links leave their recipients' My work (ByAssignee). The list
   * already hides a link whose task is settled or escalated past it when it reads it; this keeps the
   * index holding open work only. Conditional, so a re-run writes nothing.
   */
  async releaseAssignments(offboardingId: string): Promise<void> {
    for (const item of await this.query(pk(offboardingId), 'LINK#')) {
      if (!item.assigneeId) continue;
      await this.conditional(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: item.PK, SK: item.SK },
          UpdateExpression: 'REMOVE assigneeId, assignedAt',
          ConditionExpression: 'attribute_exists(assigneeId)',
        }),
      );
    }
  }

  /** One sweep's move of an open task (remind / escalate / expire), at most once per sweep. */
  chase(task: OffboardingTask, action: 'remind' | 'escalate' | 'expire', sweep: number, at: string): Promise<boolean> {
    const set = {
      remind: 'SET remindersSent = remindersSent + :one, lastSweep = :sweep',
      escalate: 'SET #r = :one, remindersSent = :zero, escalatedAt = :at, lastSweep = :sweep',
      expire: 'SET #s = :expired, expiredAt = :at, lastSweep = :sweep',
    }[action];
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(task.offboardingId), SK: taskSk(task) },
        UpdateExpression: set,
        ConditionExpression: '#s = :open AND lastSweep < :sweep AND #r = :round AND remindersSent = :sent',
        ExpressionAttributeNames: { '#s': 'status', '#r': 'round' },
        ExpressionAttributeValues: {
          ':open': 'OPEN',
          ':sweep': sweep,
          ':round': task.round,
          ':sent': task.remindersSent,
          ...(action === 'remind' ? { ':one': 1 } : {}),
          ...(action === 'escalate' ? { ':one': 1, ':zero': 0, ':at': at } : {}),
          ...(action === 'expire' ? { ':expired': 'EXPIRED', ':at': at } : {}),
        },
      }),
    );
  }

  /** Records that a recipient revealed the new password (each reveal is on the record). */
  /** The account's shared password changed now (C, O.b): the annual review's credential finding reads it. */
  async recordCredentialChange(accountId: string, at: string): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: `ACCOUNT#${accountId}`, SK: 'PROFILE' },
        UpdateExpression: 'SET credentialChangedAt = :at',
        ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(credentialChangedAt) OR credentialChangedAt < :at)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  recordReveal(task: OffboardingTask, person: { id: string; name: string }, at: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(task.offboardingId), SK: taskSk(task) },
        UpdateExpression: 'SET reveals = list_append(reveals, :r)',
        ConditionExpression: '#s = :open',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':r': [{ personId: person.id, name: person.name, at }], ':open': 'OPEN' },
      }),
    );
  }

  private completion(task: OffboardingTask, by: { id: string; name: string }, at: string, appointed?: { id: string; name: string; email: string }) {
    return {
      TableName: this.table,
      Key: { PK: pk(task.offboardingId), SK: taskSk(task) },
      UpdateExpression: `SET #s = :done, doneAt = :at, doneById = :id, doneByName = :name${appointed ? ', appointed = :appointed' : ''}`,
      ConditionExpression: '#s = :open',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':done': 'DONE',
        ':open': 'OPEN',
        ':at': at,
        ':id': by.id,
        ':name': by.name,
        ...(appointed ? { ':appointed': appointed } : {}),
      },
    };
  }

  /** Closes an open task as done by one person; false when it was closed already. */
  complete(task: OffboardingTask, by: { id: string; name: string }, at: string): Promise<boolean> {
    return this.conditional(new UpdateCommand(this.completion(task, by, at)));
  }

  /** Closes an appointment and records the new admin's grant together, or neither. */
  async appoint(
    task: OffboardingTask,
    grant: Grant,
    appointed: { id: string; name: string; email: string },
    by: { id: string; name: string },
    at: string,
  ): Promise<boolean> {
    return this.conditional(
      new TransactWriteCommand({
        TransactItems: [
          { Update: this.completion(task, by, at, appointed) },
          { Put: { TableName: this.table, Item: grantItem(grant), ConditionExpression: 'attribute_not_exists(PK)' } },
        ],
      }),
    );
  }
}
