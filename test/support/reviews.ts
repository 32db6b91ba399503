import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../infra/local/stack.ts';
import type { Account } from '#core/registry';
import { accountItem } from '../../functions/adapters/registry-store.ts';
import { as, type SentEmail, waitForEmail, waitUntilWaiting } from './harness.ts';
import { type SeedGrant, seedAccounts } from './offboarding.ts';

/** A review's state as its report answers it (JSON). */
export interface ReviewJson {
  review: { reviewId: string; status: string; departmentCodes?: string[]; trigger: string; dueAt: string };
  progress: {
    departments: number;
    done: number;
    submitted: number;
    notAttested: number;
    nothingToReview: number;
    accounts: number;
    answered: number;
    changesApplied: number;
  };
  pages: {
    kind: 'DEPARTMENT' | 'PLATFORMS';
    departmentCode?: string;
    status: string;
    stage: number;
    remindersSent: number;
    chain: { id: string }[];
    unanswered?: string[];
    noDirector?: boolean;
    accounts?: { accountId: string; findings: { code: string; personId?: string }[]; grants: { personId: string; role: string }[] }[];
    platforms?: { platformId: string; findings: { code: string }[]; accounts: number }[];
  }[];
}

export async function reviewReport(stack: LocalStack, reviewId: string, viewer = 'E400'): Promise<ReviewJson> {
  const res = await as(stack, viewer).get(`/reviews/${reviewId}`);
  if (res.status !== 200) throw new Error(`report ${reviewId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as ReviewJson;
}

/** Polls the report until `ready` holds (the review runs in the background). */
export async function reviewWhen(stack: LocalStack, reviewId: string, ready: (r: ReviewJson) => boolean, timeoutMs = 15_000): Promise<ReviewJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await as(stack, 'E400').get(`/reviews/${reviewId}`);
    if (res.status === 200) {
      const body = (await res.json()) as ReviewJson;
      if (ready(body)) return body;
    }
    if (Date.now() > deadline) throw new Error(`review ${reviewId} did not reach the expected state`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function startReview(stack: LocalStack, body: Record<string, unknown>, personId = 'E400') {
  return as(stack, personId).post('/reviews', body);
}

/** The department page's email to `to` (one per department and stage). */
export function reviewEmailTo(stack: LocalStack, to: string, reviewId: string, subject: RegExp = /annual review/): Promise<SentEmail> {
  return waitForEmail(stack, (e) => e.to.includes(to) && subject.test(e.subject) && e.text.includes(`/reviews/${reviewId}/`));
}

/** Answers a department's page in one JSON POST (submit, confirmed), as the signed-in `personId`. */
export function submitDepartment(stack: LocalStack, personId: string, reviewId: string, code: string, answers: Record<string, string>) {
  return as(stack, personId).post(`/reviews/${reviewId}/departments/${code}`, { action: 'submit', confirmed: true, ...answers });
}

/** Every question of an account answered "keep" (in use, every grant kept, E and J shown). */
export function keepAll(accountId: string, personIds: string[]): Record<string, string> {
  return {
    [`a.${accountId}.inUse`]: 'yes',
    [`a.${accountId}.officialSite`]: 'yes',
    [`a.${accountId}.purposeNotice`]: 'yes',
    ...Object.fromEntries(personIds.map((id) => [`a.${accountId}.keep.${id}`, 'yes'])),
  };
}

/** Starts one department's review as DTI and waits until its execution waits for the answers; returns its id. */
export async function openDepartmentReview(stack: LocalStack, year: number, departmentCode: string): Promise<string> {
  const reviewId = `${year}-${departmentCode}`;
  const res = await startReview(stack, { year: String(year), departmentCode });
  if (res.status !== 202) throw new Error(`start ${reviewId}: ${res.status} ${await res.text()}`);
  await waitUntilWaiting(stack, executionOf(reviewId));
  return reviewId;
}

export const executionOf = (reviewId: string) => `annual-review-${reviewId}`;

/** A department page as its JSON answers a GET (what the answer handler shows). */
export interface ReviewPageJson {
  reviewId: string;
  status: string;
  reviewer?: string;
  dueAt: string;
  departmentCode: string;
  accounts: { accountId: string; label: string; platformId: string; grants: { personId: string }[]; findings: { code: string; text: string }[] }[];
  answers: Record<string, unknown>;
}

export async function departmentPage(stack: LocalStack, personId: string, reviewId: string, code: string): Promise<ReviewPageJson> {
  const res = await as(stack, personId).get(`/reviews/${reviewId}/departments/${code}`);
  if (res.status !== 200) throw new Error(`page ${reviewId}/${code} as ${personId}: ${res.status} ${await res.text()}`);
  return (await res.json()) as ReviewPageJson;
}

/**
 * One follow-up sweep of one review: waits until its execution waits for the answers, then ends
 * that wait as if its days had passed. Other reviews running in the same stack are not chased.
 */
export async function sweepReview(stack: LocalStack, reviewId: string): Promise<void> {
  const execution = executionOf(reviewId);
  await waitUntilWaiting(stack, execution);
  if (stack.sfn.expireWaits(execution) !== 1) throw new Error(`${execution} had no wait to end`);
}

/** One registry account on `platform` (seedAccounts seeds Facebook ones), with these grants. */
export async function seedAccountOn(
  stack: LocalStack,
  platform: { id: string; name: string },
  grants: SeedGrant[],
  department: { code: string; name: string },
): Promise<{ accountId: string; handle: string }> {
  const [seeded] = await seedAccounts(stack, 1, grants, department);
  if (!seeded) throw new Error('no account seeded');
  const db = DynamoDBDocumentClient.from(stack.client);
  const { Item } = await db.send(new GetCommand({ TableName: stack.tableName, Key: { PK: `ACCOUNT#${seeded.accountId}`, SK: 'PROFILE' } }));
  const account = { ...(Item as Account), platformId: platform.id, platformName: platform.name };
  await db.send(new PutCommand({ TableName: stack.tableName, Item: accountItem(account) }));
  return seeded;
}
