import { InvalidInputError } from '#core/errors';
import { metricNames } from '#core/metrics';
import { missingOnPage, pageAction, pageKey, type ReviewPage, reviewIdPattern } from '#annual-review/review';
import { applyPage } from '#annual-review/apply';
import { checkpoint } from '#adapters/checkpoints';
import { now } from '#adapters/clock';
import { taskHandler } from '#adapters/handler';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { countMetric } from '#adapters/metrics';
import { reviewApplyPorts } from '#adapters/review-apply-ports';
import { sendPageEmail } from '#adapters/review-mail';
import { ReviewStore } from '#adapters/review-store';
import { sfnCallbacks } from '#adapters/step-functions';
import * as z from '#core/zod';

const inputSchema = z.strictObject({
  reviewId: z.string().check(z.regex(reviewIdPattern)),
  sweep: z.number().check(z.int(), z.minimum(0), z.maximum(100)),
  waitSeconds: z.number().check(z.int(), z.minimum(1)),
  taskToken: z.optional(z.string().check(z.minLength(1), z.maxLength(8192))),
});

let store: ReviewStore | undefined;

/** What a sweep's move of a page is: a reminder, the next reviewer, or its due date passed unsubmitted. */
const chaseMetric = { remind: metricNames.reminderSent, escalate: metricNames.escalated, 'not-attested': metricNames.expired } as const;

/**
 * State machine task, two calls (as offboarding's follow-up):
 * - with a task token (AwaitAnswers): parks the token, sealed, on the review, so the submit that
 *   closes the last open page can resume the execution; settles it at once when nothing is open.
 * - without (ChaseAnswers, after a wait ran out): moves each open page one stage, once per sweep —
 *   a reminder (same page), the designee, the Communications Director, then at the due date "not
 *   attested" with what was left unanswered — and applies any submitted page whose changes a crash
 *   interrupted.
 */
export async function trackReview(input: unknown): Promise<{ open: number }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The annual review follow-up input is invalid.');
  const { reviewId, sweep, waitSeconds, taskToken } = parsed.data;
  store ??= new ReviewStore();
  if (taskToken) {
    await checkpoint('trackReview:before-rearm', { reviewId });
    await store.storeToken(reviewId, await linkKeys().sealToken(taskToken, reviewId));
    // Checked after the token is stored: a page closed in between finds this token, or is seen here.
    const open = await store.anyOpen(reviewId);
    if (!open) await sfnCallbacks.succeed(taskToken, { open: 0 });
    return { open: open ? 1 : 0 };
  }

  const review = await store.review(reviewId);
  if (!review) throw new InvalidInputError(`There is no review ${reviewId}.`);
  const at = now().toISOString();
  const ports = reviewApplyPorts(store, reviewId);
  let open = 0;
  for (const page of await store.pages(reviewId)) {
    const action = pageAction(page, sweep);
    let current: ReviewPage | undefined = page;
    if (action !== 'none') {
      const unanswered = action === 'not-attested' ? missingOnPage(page).map((m) => m.text) : [];
      if (await store.chase(page, action, sweep, at, unanswered)) {
        // Once per page and sweep: only the sweep whose conditional write moved the page counts it.
        countMetric(chaseMetric[action], 'annualReview');
        current = await store.pageByKey(reviewId, pageKey(page));
      }
    }
    // A submitted page a crash left unapplied, or the policy's default decision for a non-answer (if on).
    if (current && !current.appliedAt) await applyPage(current, ports, at);
    if (current?.status !== 'OPEN') continue;
    open += 1;
    // The email this sweep owes, also when an earlier attempt of this sweep moved the page and then
    // stopped: its key names the sweep and the stage, so it goes out once.
    if (current.lastSweep === sweep && current.lastAction) {
      await sendPageEmail(review, current, current.lastAction === 'escalate' ? 'escalation' : 'reminder', sweep, waitSeconds);
    }
  }
  logger.info('annual review chased', { reviewId, sweep, open });
  return { open };
}

export const handler = taskHandler(trackReview);
