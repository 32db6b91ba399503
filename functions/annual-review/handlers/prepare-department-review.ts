import { InvalidInputError } from '#core/errors';
import { accountFailure } from '#offboarding/offboarding';
import type { Person } from '#core/policy';
import type { Platform } from '#core/platform';
import { accountFindings, type AccountLine, type DepartmentPage, reviewChain, reviewIdPattern } from '#annual-review/review';
import { now } from '#adapters/clock';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { sendPageEmail } from '#adapters/review-mail';
import { RegistryStore } from '#adapters/registry-store';
import { ReviewStore } from '#adapters/review-store';
import { StandingStore } from '#adapters/standing-store';
import type { FiledItem } from '#registry/registry-query';
import { GovernanceStore } from '#adapters/store';
import * as z from '#core/zod';

const inputSchema = z.strictObject({
  reviewId: z.string().check(z.regex(reviewIdPattern)),
  departmentCode: z.string().check(z.regex(/^[A-Z]{2,8}$/)),
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
  /** Set by the Map's catch: this department's preparation failed for good (Step Functions' { Error, Cause }). */
  failure: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});

/** Accounts read at once: their grants and standings (one Query) and newest activity in parallel, a batch at a time. */
const BATCH = 25;

let directory: GovernanceStore | undefined;
let store: ReviewStore | undefined;
let registry: RegistryStore | undefined;
let holdings: StandingStore | undefined;

/** When the newest item filed under an account (a record or a request) was filed: its last activity besides grant changes. */
const filedAt = (item: FiledItem | undefined) => (item?.type === 'record' ? item.record.recordedAt : item?.request.createdAt);

/**
 * State machine task, one per department (the Map's iteration): reads every active account of the
 * department with its grants and standings, the people holding them, its platform and its newest activity, in
 * batches; computes each account's findings; opens the department's one review page and emails its
 * reviewer once. A department with no accounts gets no page to answer and no email. A re-run finds
 * the page made the first time and the email already sent.
 */
export async function prepareDepartmentReview(input: unknown): Promise<{ departmentCode: string; status: string; accounts: number }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The department review input is invalid.');
  const { reviewId, departmentCode, waitSeconds, failure } = parsed.data;
  directory ??= new GovernanceStore();
  store ??= new ReviewStore();
  registry ??= new RegistryStore();
  holdings ??= new StandingStore();
  if (failure) return recordFailure(reviewId, departmentCode, failure);
  const [review, department, roleHolders, accounts] = await Promise.all([
    store.review(reviewId),
    directory.department(departmentCode),
    directory.roleHolders(),
    store.departmentAccounts(departmentCode),
  ]);
  if (!review) throw new InvalidInputError(`There is no review ${reviewId}.`);
  if (!department) throw new InvalidInputError(`There is no department ${departmentCode} in the directory.`);
  const at = now();

  const lines: AccountLine[] = [];
  const people = new Map<string, Person>();
  const platforms = new Map<string, Platform | undefined>();
  for (let i = 0; i < accounts.length; i += BATCH) {
    const batch = accounts.slice(i, i + BATCH);
    const read = await Promise.all(
      batch.map(async (a) => {
        // One Query of the account's partition gives its grants and its standings (exceptions F.d, displays Q).
        const [held, newest] = await Promise.all([holdings?.holdingsOf(a.accountId), registry?.newestFiled(a.accountId, 1)]);
        return { account: a, grants: held?.grants, standings: held?.standings, filed: filedAt(newest?.[0]) };
      }),
    );
    const wanted = [...new Set(read.flatMap((r) => (r.grants ?? []).map((g) => g.personId)))].filter((id) => !people.has(id));
    const found = await Promise.all(wanted.map((id) => directory?.person(id)));
    for (const p of found) if (p) people.set(p.id, p);
    const platformIds = [...new Set(batch.map((a) => a.platformId))].filter((id) => !platforms.has(id));
    const foundPlatforms = await Promise.all(platformIds.map((id) => directory?.platform(id)));
    for (const [n, id] of platformIds.entries()) platforms.set(id, foundPlatforms[n] as Platform | undefined);
    for (const { account, grants = [], standings = [], filed } of read) {
      const changes = grants.flatMap((g) => [g.authorizedAt, g.revokedAt ?? '']).filter(Boolean);
      const lastActivityAt = [filed ?? '', ...changes].sort().at(-1) || undefined;
      lines.push(accountFindings({ account, grants, standings, people, platform: platforms.get(account.platformId), lastActivityAt, now: at }));
    }
  }

  const comms = roleHolders.find((r) => r.role === 'COMMUNICATIONS_DIRECTOR');
  const deciders = [department.directorId, department.designeeId, comms?.holderId, comms?.designeeId].filter(
    (id): id is string => Boolean(id) && !people.has(id as string),
  );
  for (const p of await Promise.all(deciders.map((id) => directory?.person(id)))) if (p) people.set(p.id, p);
  const { chain, noDirector } = reviewChain(department, people, roleHolders);

  const page: DepartmentPage = {
    kind: 'DEPARTMENT',
    reviewId,
    departmentCode,
    departmentName: department.name,
    status: lines.length ? 'OPEN' : 'NOTHING_TO_REVIEW',
    chain,
    stage: 0,
    remindersSent: 0,
    lastSweep: 0,
    createdAt: at.toISOString(),
    dueAt: review.dueAt,
    accounts: lines,
    answers: {},
    ...(noDirector ? { noDirector } : {}),
  };
  const stored = (await store.putPage(page)).page;
  // The first email, once; a re-run after an escalation leaves it to the follow-up (the page is with someone else now).
  if (stored.status === 'OPEN' && stored.stage === 0) await sendPageEmail(review, stored, 'initial', 0, waitSeconds);
  logger.info('department review opened', { reviewId, departmentCode, accounts: lines.length, status: stored.status });
  return { departmentCode, status: stored.status, accounts: lines.length };
}

/**
 * The department's page as FAILED, with the reason, unless a page was already made (the failure
 * came after it: its reviewer has it, and the follow-up keeps chasing it).
 */
async function recordFailure(reviewId: string, departmentCode: string, caught: { Error?: string; Cause?: string }) {
  const s = store as ReviewStore;
  const review = await s.review(reviewId);
  const department = await directory?.department(departmentCode);
  const { reason } = accountFailure(caught, now().toISOString());
  const page: DepartmentPage = {
    kind: 'DEPARTMENT',
    reviewId,
    departmentCode,
    departmentName: department?.name ?? departmentCode,
    status: 'FAILED',
    chain: [],
    stage: 0,
    remindersSent: 0,
    lastSweep: 0,
    createdAt: now().toISOString(),
    dueAt: review?.dueAt ?? now().toISOString(),
    accounts: [],
    answers: {},
    failure: reason,
  };
  const stored = (await s.putPage(page)).page;
  logger.error('department review could not be prepared', { reviewId, departmentCode, error: caught.Error });
  return { departmentCode, status: stored.status, accounts: 0 };
}

export const handler = taskHandler(prepareDepartmentReview);
