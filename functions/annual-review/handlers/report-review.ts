import { InvalidInputError } from '#core/errors';
import type { EmailContent } from '#core/email-layout';
import { metricNames } from '#core/metrics';
import { reviewAlertEmail, reviewSummaryEmail } from '#annual-review/emails';
import { type DepartmentPage, progressOf, reviewIdPattern } from '#annual-review/review';
import { applyPage } from '#annual-review/apply';
import { now } from '#adapters/clock';
import { taskHandler } from '#adapters/handler';
import { logger } from '#adapters/logger';
import { sendOnce } from '#adapters/mail-ledger';
import { countMetric } from '#adapters/metrics';
import { reviewApplyPorts } from '#adapters/review-apply-ports';
import { reviewUrl } from '#adapters/review-mail';
import { ReviewStore } from '#adapters/review-store';
import { GovernanceStore } from '#adapters/store';
import { summaryAudience } from '#adapters/summary-audience';
import * as z from '#core/zod';

const inputSchema = z.strictObject({
  reviewId: z.string().check(z.regex(reviewIdPattern)),
  stage: z.enum(['STARTED', 'FINISHED', 'FAILED']),
  error: z.optional(z.string().check(z.maxLength(300))),
});

let directory: GovernanceStore | undefined;
let store: ReviewStore | undefined;

/**
 * State machine task: the review's summaries to DTI and the Communications Coordinator, each once
 * per recipient. STARTED after every page is open; FINISHED applies whatever a crash left
 * unapplied, closes the review and sends the final summary; FAILED closes it as failed and alerts.
 */
export async function reportReview(input: unknown): Promise<{ status: string }> {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidInputError('The annual review report input is invalid.');
  const { reviewId, stage } = parsed.data;
  directory ??= new GovernanceStore();
  store ??= new ReviewStore();
  const review = await store.review(reviewId);
  const recipients = await summaryAudience(directory);
  const once = (what: string, email: EmailContent) =>
    Promise.all(recipients.map((to) => sendOnce({ PK: `REVIEW#${reviewId}`, SK: 'MAIL#REPORT', key: `${what}-${to}`, ownItem: true }, { to: [to], ...email })));
  const reportUrl = reviewUrl(`/reviews/${reviewId}`);
  if (!review) throw new InvalidInputError(`There is no review ${reviewId}.`);

  if (stage === 'FAILED') {
    await store.finish(reviewId, 'FAILED', now().toISOString(), parsed.data.error);
    await once('failed', reviewAlertEmail({ reviewId, error: parsed.data.error, reportUrl }));
    logger.error('annual review failed', { reviewId, error: parsed.data.error });
    return { status: 'FAILED' };
  }
  let pages = await store.pages(reviewId);
  if (stage === 'FINISHED') {
    const at = now().toISOString();
    const ports = reviewApplyPorts(store, reviewId);
    for (const page of pages) await applyPage(page, ports, at);
    // Finished once: a re-run finds it closed (the conditional write refuses it).
    if (await store.finish(reviewId, 'COMPLETED', at)) countMetric(metricNames.reviewFinished, 'annualReview');
    pages = await store.pages(reviewId);
  }
  const departments = pages.filter((p): p is DepartmentPage => p.kind === 'DEPARTMENT');
  const current = (await store.review(reviewId)) ?? review;
  await once(
    stage.toLowerCase(),
    reviewSummaryEmail({
      review: current,
      stage,
      progress: progressOf(pages),
      reportUrl,
      notAttested: departments.filter((d) => d.status === 'NOT_ATTESTED').map((d) => d.departmentName),
      noDirector: departments.filter((d) => d.noDirector).map((d) => d.departmentName),
      failed: departments.filter((d) => d.status === 'FAILED').map((d) => d.departmentName),
    }),
  );
  logger.info('annual review reported', { reviewId, stage });
  return { status: current.status };
}

export const handler = taskHandler(reportReview);
