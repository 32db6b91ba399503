import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../infra/local/stack.ts';
import { checkpoints } from '../support/checkpoints.ts';
import { mailbox, restartTestStack, startTestStack, waitUntilWaiting } from '../support/harness.ts';
import { grantFor, type Hire, hire, seedAccounts } from '../support/offboarding.ts';
import { keepAll, reviewWhen, startReview, submitDepartment } from '../support/reviews.ts';

/**
 * The annual review's submit racing what else moves a review, in the orders a crash or a timeout
 * can make: the host stopped between a submit's write and the changes it makes; the last page
 * submitted while the follow-up re-arms its wait. Each test holds one side at a checkpoint
 * (functions/adapters/checkpoints.ts), runs the other, then lets it go: the real ASL on the local
 * engine, DynamoDB Local, the SES emulator. Each uses a department review of its own.
 */
let stack: LocalStack;
let gates: ReturnType<typeof checkpoints>;

beforeAll(async () => {
  stack = await startTestStack();
});
afterEach(() => gates?.uninstall());
afterAll(async () => {
  await stack?.stop();
});

const year = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/Denver', year: 'numeric' }).format(new Date()));
const db = () => DynamoDBDocumentClient.from(stack.client);
const grantOf = async (accountId: string, personId: string) =>
  (
    await db().send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :g)',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':g': `GRANT#${personId}#` },
        ConsistentRead: true,
      }),
    )
  ).Items?.[0];
const page = async (reviewId: string, code: string) =>
  (await db().send(new GetCommand({ TableName: stack.tableName, Key: { PK: `REVIEW#${reviewId}`, SK: `PAGE#DEPT#${code}` }, ConsistentRead: true }))).Item;
const notices = async (poster: Hire) =>
  (await mailbox(stack)).filter((e) => e.to.includes(poster.email) && e.subject.startsWith('Your posting authority')).length;
const finishedSummaries = async (reviewId: string) =>
  (await mailbox(stack)).filter(
    (e) => e.to.includes('dti-social-registry@cabq.example') && e.subject.includes('is finished') && e.text.includes(`/reviews/${reviewId}`),
  ).length;

/** A POST whose connection a restart may cut: the handler runs on in-process either way. */
const inFlight = (p: Promise<Response>) => p.then((r) => r.status).catch(() => 'cut' as const);

/** A department review with one account: two admins and a poster, the answers that revoke the poster. */
async function openReview(code: string, name: string, director: string, reviewYear: number) {
  const poster = await hire(stack, code, 'Poster');
  const [account] = await seedAccounts(stack, 1, [{ personId: 'E102', role: 'ADMIN' }, { personId: 'E103', role: 'ADMIN' }, grantFor(poster, 'POSTER')], {
    code,
    name,
  });
  const accountId = account?.accountId as string;
  expect((await startReview(stack, { year: String(reviewYear), departmentCode: code })).status).toBe(202);
  const reviewId = `${reviewYear}-${code}`;
  await waitUntilWaiting(stack, `annual-review-${reviewId}`);
  const answers = { ...keepAll(accountId, ['E102', 'E103']), [`a.${accountId}.keep.${poster.id}`]: 'no' };
  return { reviewId, accountId, poster, submit: () => submitDepartment(stack, director, reviewId, code, answers) };
}

describe('an annual review submit racing a crash or a timeout', () => {
  it('applies a submit the host stopped between its write and its changes, once, after the restart', async () => {
    gates = checkpoints();
    const review = await openReview('PRD', 'Parks and Recreation', 'E100', year);
    const held = gates.holdAt('answerReview:before-apply', (d) => d.reviewId === review.reviewId);
    const submitted = inFlight(review.submit());
    await held.reached;
    // Submitted, and nothing of what it decided made yet.
    expect(await page(review.reviewId, 'PRD')).toMatchObject({ status: 'SUBMITTED' });
    expect((await page(review.reviewId, 'PRD'))?.appliedAt).toBeUndefined();
    expect((await grantOf(review.accountId, review.poster.id))?.status).toBe('ACTIVE');

    stack = await restartTestStack(stack);
    // The re-run finds every page closed and finishes, applying what the stopped submit had not.
    const done = await reviewWhen(stack, review.reviewId, (r) => r.review.status === 'COMPLETED');
    expect(done.progress).toMatchObject({ submitted: 1, changesApplied: 1 });
    expect(await grantOf(review.accountId, review.poster.id)).toMatchObject({ status: 'REVOKED', revokedBySourceId: `rev-${year}-PRD` });
    held.release();
    await submitted;
    // The held submit goes on and changes nothing twice: one revocation, one notice.
    expect(await notices(review.poster)).toBe(1);
    expect((await page(review.reviewId, 'PRD'))?.appliedAt).toBeDefined();
  });

  it('finishes the review once when its last page is submitted while the follow-up re-arms its wait', async () => {
    gates = checkpoints();
    const review = await openReview('LIB', 'Albuquerque Public Library', 'E200', year + 1);
    const held = gates.holdAt('trackReview:before-rearm', (d) => d.reviewId === review.reviewId);
    stack.advanceClock(); // the wait runs out: a reminder, then the follow-up waits again
    await held.reached;
    // Submitted while the new token is not yet stored: the submit resumes the old, dead token.
    expect((await review.submit()).status).toBe(200);
    held.release();
    expect((await stack.sfn.result(`annual-review-${review.reviewId}`))?.status).toBe('SUCCEEDED');
    expect(await finishedSummaries(review.reviewId)).toBe(1);
    expect(await notices(review.poster)).toBe(1);
  });
});
