import { InvalidInputError } from '#core/errors';
import type { NamedPerson } from '#core/request';
import { type PlatformPage, platformFindings, type Review, reviewIdFor, reviewIdPattern } from '#annual-review/review';
import { now } from '#adapters/clock';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { sendPageEmail } from '#adapters/review-mail';
import { ReviewStore } from '#adapters/review-store';
import { GovernanceStore } from '#adapters/store';
import { policy } from '#core/policy';
import * as z from '#core/zod';

const personSchema = z.object({ id: z.string().check(z.regex(/^[A-Za-z0-9-]{1,20}$/)), name: z.string(), email: z.string() });

export const reviewInputSchema = z.strictObject({
  reviewId: z.string().check(z.regex(reviewIdPattern)),
  year: z.number().check(z.int(), z.minimum(2000), z.maximum(2099)),
  departmentCode: z.optional(z.string().check(z.regex(/^[A-Z]{2,8}$/))),
  trigger: z.enum(['schedule', 'page', 'cli']),
  startedBy: z.optional(personSchema),
  waitSeconds: z.number().check(z.int(), z.minimum(1), z.maximum(20 * 86_400)),
});

let directory: GovernanceStore | undefined;
let store: ReviewStore | undefined;

/**
 * State machine task, the review's first: records it once (a re-run finds it), fixes the list of
 * departments to review, and for the City-wide review opens DTI's page of every approved platform
 * with its findings and emails it. Returns the departments for the Map.
 */
export async function openReview(input: unknown): Promise<{ reviewId: string; departments: string[]; waitSeconds: number }> {
  const parsed = reviewInputSchema.safeParse(input);
  if (!parsed.success || parsed.data.reviewId !== reviewIdFor(parsed.data.year, parsed.data.departmentCode)) {
    throw new InvalidInputError('The annual review input is invalid: reviewId must be the year, or the year and the department (2027, 2027-PRD).');
  }
  const { reviewId, year, departmentCode, trigger, startedBy, waitSeconds } = parsed.data;
  directory ??= new GovernanceStore();
  store ??= new ReviewStore();
  const at = now();
  const startedAt = at.toISOString();
  const dueAt = new Date(at.getTime() + policy.annualReview.dueDays * 86_400_000).toISOString();
  const fresh: Review = {
    reviewId,
    year,
    ...(departmentCode ? { departmentCode } : {}),
    status: 'RUNNING',
    trigger,
    ...(startedBy ? { startedBy: startedBy as NamedPerson } : {}),
    startedAt,
    dueAt,
  };
  await store.createReview(fresh);
  const review = (await store.review(reviewId)) ?? fresh;
  const departments = departmentCode ? [departmentCode] : (await directory.departments()).map((d) => d.code).sort();
  const codes = await store.fixDepartments(reviewId, departments);
  if (!departmentCode) await openPlatformPage(review, waitSeconds);
  logger.info('annual review opened', { reviewId, departments: codes.length });
  return { reviewId, departments: codes, waitSeconds };
}

/** DTI's page: every platform approved when the review opens, its findings and how many accounts it has. */
async function openPlatformPage(review: Review, waitSeconds: number): Promise<void> {
  const d = directory as GovernanceStore;
  const s = store as ReviewStore;
  const [platforms, dti, roleHolders] = await Promise.all([d.approvedPlatforms(), d.department('DTI'), d.roleHolders()]);
  const at = now();
  const lines = await Promise.all(platforms.map(async (p) => platformFindings(p, await s.accountsOnPlatform(p.id), at)));
  // DTI's director, then the designee, then (as for every page) the Communications Director.
  const comms = roleHolders.find((r) => r.role === 'COMMUNICATIONS_DIRECTOR');
  const ids = [dti?.directorId, dti?.designeeId, comms?.holderId].filter((id, i, all): id is string => Boolean(id) && all.indexOf(id) === i);
  const people = await Promise.all(ids.map((id) => d.person(id)));
  const chain = people.filter((p) => p && !p.separatedOn).map((p) => ({ id: p?.id ?? '', name: p?.name ?? '', email: p?.email ?? '' }));
  const page: PlatformPage = {
    kind: 'PLATFORMS',
    reviewId: review.reviewId,
    status: lines.length && chain.length ? 'OPEN' : 'NOTHING_TO_REVIEW',
    chain,
    stage: 0,
    remindersSent: 0,
    lastSweep: 0,
    createdAt: at.toISOString(),
    dueAt: review.dueAt,
    platforms: lines,
    answers: {},
  };
  const stored = (await s.putPage(page)).page;
  if (stored.status === 'OPEN' && stored.stage === 0) await sendPageEmail(review, stored, 'initial', 0, waitSeconds);
}

export const handler = taskHandler(openReview);
