import { InvalidInputError } from '#core/errors';
import type { NamedPerson } from '#core/request';
import { policy } from '#core/policy';
import { yearIn } from '#core/yearly-schedule';
import * as z from '#core/zod';
import { executionNameFor, type ReviewTrigger, reviewIdFor, yearProblem } from '#annual-review/review';

/**
 * Starting a review, the same from every door: the yearly schedule (EventBridge Scheduler in AWS,
 * the local clock locally), DTI's page, and `npm run review -- start`. One execution per review,
 * named `annual-review-<year>` (or `annual-review-<year>-<department>`), so a second start — the
 * schedule's retry, a second click — starts nothing. Pure: the handler reads and starts.
 */

/** The schedule's event: the moment it was due, filled in by the scheduler. */
export const scheduledStartSchema = z.strictObject({
  trigger: z.literal('schedule'),
  scheduledTime: z.iso.datetime(),
});

/** The CLI's (and an operator's `aws lambda invoke`) event. */
export const directStartSchema = z.strictObject({
  trigger: z.literal('cli'),
  year: z.optional(z.number().check(z.int())),
  departmentCode: z.optional(z.string().check(z.regex(/^[A-Z]{2,8}$/, 'a department code such as PRD'))),
});

/** DTI's form. */
export const formStartSchema = z.object({
  year: z.string().check(z.trim(), z.regex(/^\d{4}$/, 'give the year as four digits, e.g. 2027')),
  departmentCode: z.optional(z.string().check(z.trim(), z.regex(/^([A-Z]{2,8})?$/, 'choose a department from the list, or none for the whole City'))),
});

export interface StartPlan {
  reviewId: string;
  executionName: string;
  input: ReviewInput;
}

/** What the state machine is started with (and validates again in its first task). */
export interface ReviewInput {
  reviewId: string;
  year: number;
  departmentCode?: string;
  trigger: ReviewTrigger;
  startedBy?: NamedPerson;
  waitSeconds: number;
}

export function planStart(input: {
  year: number;
  departmentCode?: string;
  trigger: ReviewTrigger;
  startedBy?: NamedPerson;
  now: Date;
  knownDepartment: boolean;
  waitSeconds?: number;
}): StartPlan {
  const problem = yearProblem(input.year, input.now);
  if (problem) throw new InvalidInputError(problem, { year: problem });
  if (input.departmentCode && !input.knownDepartment) {
    throw new InvalidInputError(`There is no department ${input.departmentCode} in the directory.`, { departmentCode: 'choose a department from the list' });
  }
  const reviewId = reviewIdFor(input.year, input.departmentCode);
  return {
    reviewId,
    executionName: executionNameFor(reviewId),
    input: {
      reviewId,
      year: input.year,
      ...(input.departmentCode ? { departmentCode: input.departmentCode } : {}),
      trigger: input.trigger,
      ...(input.startedBy ? { startedBy: input.startedBy } : {}),
      waitSeconds: input.waitSeconds ?? policy.annualReview.reminderEveryDays * 86_400,
    },
  };
}

/** The review year a scheduled run is for: the year of its due moment in the City's time zone. */
export const scheduledYear = (scheduledTime: string) => yearIn(new Date(scheduledTime), policy.annualReview.timeZone);
