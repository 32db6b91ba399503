import { ForbiddenError, NotFoundError } from '#core/errors';
import { canReadReport, progressOf, reviewIdPattern, withRetiredPlatforms } from '#annual-review/review';
import { reportPage } from '#annual-review/pages';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, signedInViewer, wantsHtml } from '#adapters/http';
import { PlatformStore } from '#adapters/platform-store';
import { ReviewStore } from '#adapters/review-store';
import { GovernanceStore } from '#adapters/store';

let directory: GovernanceStore | undefined;
let store: ReviewStore | undefined;
let platforms: PlatformStore | undefined;

/**
 * GET /reviews/{reviewId}: progress while the review runs (departments done of total, answers,
 * findings, changes applied) and the report when it is done. DTI and the Communications Director
 * and Coordinator read all of it; a reviewer reads the pages they were asked to review.
 */
export async function showReview(event: HttpEvent): Promise<HttpResult> {
  directory ??= new GovernanceStore();
  store ??= new ReviewStore();
  const viewer = await signedInViewer(event, directory);
  const reviewId = event.pathParameters?.reviewId ?? '';
  if (!reviewIdPattern.test(reviewId))
    throw new NotFoundError('There is no such review: a review is named by its year (2027) or its year and department (2027-PRD).');
  platforms ??= new PlatformStore();
  const [review, stored, allPlatforms] = await Promise.all([store.review(reviewId), store.pages(reviewId), platforms.platforms()]);
  // While it runs, a platform DTI retires shows on the accounts on it; once done, the report is as it was answered.
  const pages = review?.status === 'RUNNING' ? stored.map((p) => withRetiredPlatforms(p, allPlatforms)) : stored;
  const full = canReadReport(viewer.person, viewer.roleHolders);
  const own = pages.filter((p) => p.chain.some((person) => person.id === viewer.person.id));
  if (!full && own.length === 0) {
    throw new ForbiddenError(
      'A review\u2019s report is for DTI and the Communications Director and Coordinator; reviewers see the pages they were asked to review.',
    );
  }
  if (!review && !full) throw new NotFoundError(`There is no review ${reviewId}.`);
  const visible = full ? pages : own;
  if (!wantsHtml(event)) {
    if (!review) throw new NotFoundError(`There is no review ${reviewId} yet: it may still be starting.`);
    return jsonResponse(200, { review: { ...review, sealedToken: undefined }, progress: progressOf(visible), pages: visible });
  }
  return htmlResponse(200, reportPage({ viewer, reviewId, review, pages: visible, already: event.queryStringParameters?.already === '1', partial: !full }));
}

export const handler = httpHandler(showReview);
