import { PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Account, Grant } from '#core/registry';
import type { NamedPerson } from '#core/request';
import { currentReviewer, type DepartmentPage, type PageAction, pageKey, type Review, type ReviewPage, type ReviewStatus } from '#annual-review/review';
import { assignedTo } from '#adapters/my-work-store';
import { RetirementStore } from '#adapters/retirement-store';
import { grantItem } from '#adapters/store';
import { type Item, TableClient } from '#adapters/table';

/**
 * Annual review items in the governance table:
 *   REVIEW#id / META              GSI1 REVIEWS / startedAt       the review (sealed token; small: read at every step)
 *   REVIEW#id / PAGE#PLATFORMS                                   DTI's page: every approved platform, findings, answers
 *   REVIEW#id / PAGE#DEPT#code                                   a department's page: every account, findings, answers
 *   REVIEW#id / OPEN#<page>                                      a marker per open page ("is anything open?" reads one item)
 * An open page carries assigneeId / assignedAt (ByAssignee: the reviewer's My work) and leaves the
 * index in the write that submits, escalates past or closes it. Every change is conditional, so a
 * retried task, a redriven execution or a second click changes nothing twice.
 */

const pk = (reviewId: string) => `REVIEW#${reviewId}`;
const pageSk = (page: Parameters<typeof pageKey>[0]) => `PAGE#${pageKey(page)}`;
const openSk = (page: Parameters<typeof pageKey>[0]) => `OPEN#${pageKey(page)}`;

export class ReviewStore extends TableClient {
  /** Records a review once; false when it exists (the schedule's retry, a second click). */
  createReview(review: Review): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.table,
        Item: { PK: pk(review.reviewId), SK: 'META', GSI1PK: 'REVIEWS', GSI1SK: review.startedAt, entity: 'Review', ...review },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  review(reviewId: string) {
    return this.get<Review>(pk(reviewId), 'META', true);
  }

  /** Every review, newest first (one a year, and the odd department review). */
  async reviews(): Promise<Review[]> {
    return (await this.queryAll<Review>({ index: 'GSI1', pk: 'REVIEWS' })).reverse();
  }

  /**
   * The department pages of these departments in every review that was open at some time in the
   * range (the records export): the reviews list, then one read per review and department.
   */
  async departmentPagesBetween(codes: string[], from: string, to: string): Promise<DepartmentPage[]> {
    const open = (await this.reviews()).filter((r) => r.startedAt <= to && (!r.finishedAt || r.finishedAt >= from));
    const pages = await Promise.all(open.flatMap((r) => codes.map((code) => this.pageByKey(r.reviewId, `DEPT#${code}`))));
    return pages.filter((p): p is DepartmentPage => p?.kind === 'DEPARTMENT');
  }

  /** The departments to review, written once: a re-run gets the list made the first time. */
  async fixDepartments(reviewId: string, codes: string[]): Promise<string[]> {
    const made = await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(reviewId), SK: 'META' },
        UpdateExpression: 'SET departmentCodes = :c',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(departmentCodes)',
        ExpressionAttributeValues: { ':c': codes },
      }),
    );
    return made ? codes : ((await this.review(reviewId))?.departmentCodes ?? []);
  }

  storeToken(reviewId: string, sealedToken: string): Promise<void> {
    return this.storeSealedToken(pk(reviewId), sealedToken);
  }

  finish(reviewId: string, status: Extract<ReviewStatus, 'COMPLETED' | 'FAILED'>, at: string, failure?: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(reviewId), SK: 'META' },
        UpdateExpression: 'SET #s = :s, finishedAt = :at, failure = :f REMOVE sealedToken',
        ConditionExpression: '#s = :running',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status, ':at': at, ':f': failure ?? null, ':running': 'RUNNING' },
      }),
    );
  }

  // Pages -----------------------------------------------------------------------------------------

  /**
   * Opens a page once, with its open marker and (when open) its place in the reviewer's My work, in
   * one transaction. Returns the stored page: a re-run gets the page made the first time, findings
   * and all, so nobody is shown different findings on a second email.
   */
  async putPage(page: ReviewPage): Promise<{ page: ReviewPage; created: boolean }> {
    const reviewer = currentReviewer(page);
    const item: Item = {
      PK: pk(page.reviewId),
      SK: pageSk(page),
      entity: 'ReviewPage',
      ...page,
      ...(page.status === 'OPEN' && reviewer ? assignedTo(reviewer.id, page.createdAt) : {}),
    };
    const created = await this.conditional(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
          ...(page.status === 'OPEN' ? [{ Put: { TableName: this.table, Item: { PK: pk(page.reviewId), SK: openSk(page), entity: 'OpenReviewPage' } } }] : []),
        ],
      }),
    );
    return { page: created ? page : ((await this.pageByKey(page.reviewId, pageKey(page))) ?? page), created };
  }

  pageByKey(reviewId: string, key: string) {
    return this.get<ReviewPage>(pk(reviewId), `PAGE#${key}`, true);
  }

  async pages(reviewId: string): Promise<ReviewPage[]> {
    return this.queryAll<ReviewPage>({ pk: pk(reviewId), skPrefix: 'PAGE#', consistent: true });
  }

  /** A partial save by the current reviewer, while the page is open and with them. */
  saveAnswers(page: ReviewPage, answers: ReviewPage['answers'], at: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(page.reviewId), SK: pageSk(page) },
        UpdateExpression: 'SET answers = :a, savedAt = :at',
        ConditionExpression: '#s = :open AND stage = :stage',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':a': answers, ':at': at, ':open': 'OPEN', ':stage': page.stage },
      }),
    );
  }

  /** The submit: once, by the reviewer it is with, before its due date; the page leaves My work. */
  async submit(page: ReviewPage, answers: ReviewPage['answers'], by: NamedPerson, at: string): Promise<boolean> {
    const made = await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(page.reviewId), SK: pageSk(page) },
        UpdateExpression: 'SET #s = :submitted, answers = :a, submittedAt = :at, submittedBy = :by REMOVE assigneeId, assignedAt',
        ConditionExpression: '#s = :open AND stage = :stage AND dueAt >= :at',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':submitted': 'SUBMITTED', ':a': answers, ':at': at, ':by': by, ':open': 'OPEN', ':stage': page.stage },
      }),
    );
    if (made) await this.clearOpen(page);
    return made;
  }

  markApplied(page: ReviewPage, at: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(page.reviewId), SK: pageSk(page) },
        UpdateExpression: 'SET appliedAt = :at',
        ConditionExpression: '#s IN (:submitted, :notAttested) AND attribute_not_exists(appliedAt)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':at': at, ':submitted': 'SUBMITTED', ':notAttested': 'NOT_ATTESTED' },
      }),
    );
  }

  /** One sweep's move of an open page (remind / escalate / not attested), at most once per sweep. */
  async chase(page: ReviewPage, action: Exclude<PageAction, 'none'>, sweep: number, at: string, unanswered: string[] = []): Promise<boolean> {
    const next = page.chain[page.stage + 1];
    const update =
      action === 'remind'
        ? { expression: 'SET remindersSent = remindersSent + :one, lastSweep = :sweep', values: { ':one': 1 } }
        : action === 'escalate' && next
          ? {
              expression: 'SET stage = stage + :one, escalatedAt = :at, lastSweep = :sweep, assigneeId = :next, assignedAt = :at',
              values: { ':one': 1, ':at': at, ':next': next.id },
            }
          : {
              expression: 'SET #s = :closed, notAttestedAt = :at, unanswered = :u, lastSweep = :sweep REMOVE assigneeId, assignedAt',
              values: { ':closed': 'NOT_ATTESTED', ':at': at, ':u': unanswered },
            };
    const made = await this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(page.reviewId), SK: pageSk(page) },
        UpdateExpression: update.expression.replace('lastSweep = :sweep', 'lastSweep = :sweep, lastAction = :action'),
        ConditionExpression: '#s = :open AND lastSweep < :sweep',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ...update.values, ':sweep': sweep, ':open': 'OPEN', ':action': action },
      }),
    );
    // Not attested closes the page: its open marker goes too (a crash before this is cleared by anyOpen).
    if (made && ':closed' in update.values) await this.clearOpen(page);
    return made;
  }

  /**
   * A directory hand-over (adapters/hand-over.ts): the page's reviewer left their post, so it moves
   * on to `stage` in its chain, as an escalation would, once (conditional on the stage it was read at).
   */
  async handOn(page: ReviewPage, stage: number, at: string, reason: string): Promise<boolean> {
    const next = page.chain[stage];
    if (!next) return false;
    return this.conditional(
      new UpdateCommand({
        TableName: this.table,
        Key: { PK: pk(page.reviewId), SK: pageSk(page) },
        UpdateExpression: 'SET stage = :stage, escalatedAt = :at, assigneeId = :next, assignedAt = :at, handedOnReason = :why',
        ConditionExpression: '#s = :open AND stage = :seen',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':stage': stage, ':at': at, ':next': next.id, ':why': reason, ':open': 'OPEN', ':seen': page.stage },
      }),
    );
  }

  async clearOpen(page: ReviewPage): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.table, Key: { PK: pk(page.reviewId), SK: openSk(page) } }));
  }

  /**
   * Whether any page is still open, reading one marker at a time. A marker left behind by a crash
   * between closing a page and clearing its marker is checked against its page and cleared.
   */
  anyOpen(reviewId: string): Promise<boolean> {
    return this.anyOpenMarker(pk(reviewId), async (key) => (await this.pageByKey(reviewId, key))?.status === 'OPEN');
  }

  // What a submitted page changes: each conditional, so applying twice changes nothing twice ----------

  /** Revokes one grant (recorded, not deleted); false when it was no longer active. */
  revokeGrant(g: Pick<Grant, 'accountId' | 'personId' | 'sourceRequestId'>, at: string, reason: string, bySourceId: string): Promise<boolean> {
    return this.revokeGrantItem(g, at, reason, bySourceId);
  }

  /** A new admin's grant, once per review and person (its source id is the review's). */
  putGrant(grant: Grant): Promise<boolean> {
    return this.conditional(new PutCommand({ TableName: this.table, Item: grantItem(grant), ConditionExpression: 'attribute_not_exists(PK)' }));
  }

  /**
   * ACTIVE → RETIRED, as a retirement request retires (retirement-store.ts): the account's index keys
   * moved with it (the registry lists it under Retired), any grant still active revoked, its
   * credential retired and kept until its deletion date; nothing deleted. False when it was not active.
   */
  retireAccount(accountId: string, at: string, reason: string, bySourceId: string): Promise<boolean> {
    return new RetirementStore(this.db, this.table).retire({ accountId, at, reason, bySourceId });
  }

  account(accountId: string) {
    return this.get<Account & { credentialChangedAt?: string }>(`ACCOUNT#${accountId}`, 'PROFILE', true);
  }

  /** A department's active accounts (GSI2 ACCOUNTS_BY_DEPARTMENT#ACTIVE / code#…): one query, paged to the end. */
  departmentAccounts(departmentCode: string) {
    return this.queryAll<Account & { credentialChangedAt?: string }>({ index: 'GSI2', pk: 'ACCOUNTS_BY_DEPARTMENT#ACTIVE', skPrefix: `${departmentCode}#` });
  }

  /** How many active accounts a platform has (GSI1 ACCOUNTS#ACTIVE / platformId#…), counted by the index. */
  async accountsOnPlatform(platformId: string): Promise<number> {
    let count = 0;
    let ExclusiveStartKey: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :sk)',
          ExpressionAttributeValues: { ':pk': 'ACCOUNTS#ACTIVE', ':sk': `${platformId}#` },
          Select: 'COUNT',
          ExclusiveStartKey,
        }),
      );
      count += out.Count ?? 0;
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return count;
  }
}
