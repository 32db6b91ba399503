import { ForbiddenError, InvalidInputError, NotFoundError } from '#core/errors';
import type { html } from '#core/html';
import { alert } from '#core/components';
import { metricNames } from '#core/metrics';
import {
  type AccountAnswer,
  answerRefusal,
  canReadReport,
  changesOf,
  changeText,
  type DepartmentPage,
  mergeDepartmentAnswers,
  missingOnPage,
  parseDepartmentAnswers,
  parsePlatformAnswers,
  type PlatformPage,
  type Review,
  type ReviewPage,
  reviewIdPattern,
  withRetiredPlatforms,
} from '#annual-review/review';
import { applyPage } from '#annual-review/apply';
import { answerPage, confirmPage, refusalPage, submittedPage } from '#annual-review/pages';
import type { Viewer } from '#site/navigation';
import { checkpoint } from '#adapters/checkpoints';
import { now } from '#adapters/clock';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, signedInViewer, wantsHtml } from '#adapters/http';
import { linkKeys } from '#adapters/link-keys';
import { logger } from '#adapters/logger';
import { countMetric } from '#adapters/metrics';
import { reviewApplyPorts } from '#adapters/review-apply-ports';
import { PlatformStore } from '#adapters/platform-store';
import { ReviewStore } from '#adapters/review-store';
import { sfnCallbacks } from '#adapters/step-functions';
import { GovernanceStore } from '#adapters/store';

let directory: GovernanceStore | undefined;
let store: ReviewStore | undefined;
let platforms: PlatformStore | undefined;

interface Context {
  event: HttpEvent;
  viewer: Viewer;
  review: Review;
  page: ReviewPage;
}

/**
 * GET shows a review page (the questions to its current reviewer, what was answered to the other
 * people it concerns) and changes nothing. POST, by the reviewer it is with, before its due date:
 * `save` keeps partial answers, `submit` saves them and shows every change they make, `confirm`
 * submits once and makes the changes (JSON clients may submit with `confirmed: true` in one POST).
 */
export async function answerReview(event: HttpEvent): Promise<HttpResult> {
  directory ??= new GovernanceStore();
  store ??= new ReviewStore();
  const viewer = await signedInViewer(event, directory);
  const reviewId = event.pathParameters?.reviewId ?? '';
  const code = event.pathParameters?.departmentCode;
  if (!reviewIdPattern.test(reviewId) || (code !== undefined && !/^[A-Z]{2,8}$/.test(code))) throw new NotFoundError('There is no such review page.');
  platforms ??= new PlatformStore();
  const [review, stored, allPlatforms] = await Promise.all([
    store.review(reviewId),
    store.pageByKey(reviewId, code ? `DEPT#${code}` : 'PLATFORMS'),
    platforms.platforms(),
  ]);
  if (!review || !stored) throw new NotFoundError('There is no such review page.');
  const page = withRetiredPlatforms(stored, allPlatforms);
  const ctx: Context = { event, viewer, review, page };
  const refusal = answerRefusal(page, viewer.person.id, now());
  if (event.requestContext.http.method !== 'POST') {
    if (!refusal) return show(ctx, 200, { open: true });
    if (!concerns(ctx)) throw new ForbiddenError(refusal.message);
    return show(ctx, 200, { open: false, notice: alert('info', refusal.message, { slim: true }) });
  }
  if (refusal) return refuse(ctx, refusal);
  const body = parseBody(event);
  const action = body.action;
  if (action === 'confirm' || (action === 'submit' && body.confirmed === true && !wantsHtml(event)))
    return confirm(ctx, typeof body.savedAt === 'string' ? body.savedAt : undefined, body);
  if (action !== 'save' && action !== 'submit') throw new InvalidInputError('Choose save or submit.', { action: 'save, submit or confirm' });

  const { answers, errors } = await parsed(ctx, body);
  if (Object.keys(errors).length) return show(ctx, 400, { open: true, answers, errors });
  const at = now().toISOString();
  if (!(await store.saveAnswers(page, answers, at))) return latest(ctx);
  const saved = { ...page, answers, savedAt: at } as ReviewPage;
  if (action === 'save')
    return show({ ...ctx, page: saved }, 200, {
      open: true,
      notice: alert('success', 'Your answers are saved. Come back to them any time before the due date.', { role: 'status' }),
    });
  const missing = missingOnPage(saved);
  if (missing.length) {
    const fields = Object.fromEntries(missing.map((m) => [m.field, m.text]));
    return show({ ...ctx, page: saved }, 400, {
      open: true,
      errors: fields,
      notice: alert('info', 'Your answers are saved. Answer the questions listed above to submit.', { slim: true }),
    });
  }
  if (!wantsHtml(event))
    return jsonResponse(200, { reviewId, status: 'OPEN', savedAt: at, changes: changeLines(saved), next: 'POST action=confirm with this savedAt' });
  return htmlResponse(200, confirmPage({ viewer, review, page: saved }));
}

/** The posted answers merged over the saved ones, a named admin resolved in the directory. */
async function parsed(ctx: Context, body: Record<string, unknown>): Promise<{ answers: ReviewPage['answers']; errors: Record<string, string> }> {
  if (ctx.page.kind === 'PLATFORMS') {
    const { answers, errors } = parsePlatformAnswers(ctx.page, body);
    const merged = { ...ctx.page.answers };
    for (const [id, a] of Object.entries(answers)) merged[id] = { ...merged[id], ...a };
    return { answers: merged, errors };
  }
  const { answers, errors } = parseDepartmentAnswers(ctx.page, body);
  const merged = mergeDepartmentAnswers(ctx.page.answers, answers);
  for (const [accountId, answer] of Object.entries(merged) as [string, AccountAnswer][]) {
    if (!answer.newAdminEmail || answer.newAdminId) continue;
    const field = `a.${accountId}.newAdminEmail`;
    const person = await (directory as GovernanceStore).personByEmail(answer.newAdminEmail);
    if (!person) errors[field] = `Nobody in the City directory has the email ${answer.newAdminEmail}.`;
    else if (person.separatedOn) errors[field] = `${person.name} has separated from the City; name someone else.`;
    else Object.assign(answer, { newAdminId: person.id, newAdminName: person.name });
  }
  return { answers: merged, errors };
}

async function confirm(ctx: Context, savedAt: string | undefined, body: Record<string, unknown>): Promise<HttpResult> {
  const s = store as ReviewStore;
  let page = ctx.page;
  if (body.confirmed === true) {
    // JSON in one POST: the answers come with it, and are saved as a save would (kept if some are missing).
    const { answers, errors } = await parsed(ctx, body);
    if (Object.keys(errors).length) return show(ctx, 400, { open: true, answers, errors });
    const savedAt = now().toISOString();
    if (!(await s.saveAnswers(page, answers, savedAt))) return latest(ctx);
    page = { ...page, answers, savedAt } as ReviewPage;
  } else if ((savedAt ?? '') !== (page.savedAt ?? '')) {
    // The answers changed since the confirmation was shown (another tab): show it again as it is now.
    return htmlResponse(409, confirmPage({ viewer: ctx.viewer, review: ctx.review, page }));
  }
  const missing = missingOnPage(page);
  if (missing.length) return show({ ...ctx, page }, 400, { open: true, errors: Object.fromEntries(missing.map((m) => [m.field, m.text])) });
  const by = { id: ctx.viewer.person.id, name: ctx.viewer.person.name, email: ctx.viewer.person.email };
  const at = now().toISOString();
  if (!(await s.submit(page, page.answers, by, at))) return latest(ctx);
  const submitted = { ...page, status: 'SUBMITTED', submittedAt: at, submittedBy: by } as ReviewPage;
  logger.info('review page submitted', { reviewId: page.reviewId, page: page.kind === 'PLATFORMS' ? 'PLATFORMS' : page.departmentCode });
  // Once per page: only the conditional write that submitted it gets here.
  countMetric(metricNames.reviewPageSubmitted, 'annualReview');
  await checkpoint('answerReview:before-apply', { reviewId: page.reviewId });
  await applyPage(submitted, reviewApplyPorts(s, page.reviewId), at);
  await resumeIfSettled(page.reviewId);
  const changes = changeLines(submitted);
  if (!wantsHtml(ctx.event)) return jsonResponse(200, { reviewId: page.reviewId, status: 'SUBMITTED', changes });
  return htmlResponse(
    200,
    submittedPage({
      viewer: ctx.viewer,
      review: ctx.review,
      page: submitted,
      changes,
      canReadReport: canReadReport(ctx.viewer.person, ctx.viewer.roleHolders),
    }),
  );
}

const changeLines = (page: ReviewPage) =>
  page.kind === 'PLATFORMS'
    ? (page as PlatformPage).platforms.map((l) => `${l.name}: ${(page.answers[l.platformId]?.decision ?? 'KEEP').toLowerCase()}`)
    : changesOf(page as DepartmentPage).map(changeText);

/** Whether the viewer may see a page they cannot answer: its reviewers at any stage, and the report's readers. */
const concerns = (ctx: Context) => ctx.page.chain.some((p) => p.id === ctx.viewer.person.id) || canReadReport(ctx.viewer.person, ctx.viewer.roleHolders);

function show(
  ctx: Context,
  status: number,
  o: { open: boolean; answers?: ReviewPage['answers']; errors?: Record<string, string>; notice?: ReturnType<typeof html> },
): HttpResult {
  if (!wantsHtml(ctx.event)) {
    const { page } = ctx;
    return jsonResponse(status, {
      reviewId: page.reviewId,
      status: page.status,
      reviewer: page.chain[page.stage]?.name,
      dueAt: page.dueAt,
      ...(page.kind === 'PLATFORMS' ? { platforms: page.platforms } : { departmentCode: page.departmentCode, accounts: page.accounts }),
      answers: o.answers ?? page.answers,
      ...(o.errors ? { error: 'InvalidInputError', fields: o.errors } : {}),
    });
  }
  return htmlResponse(status, answerPage({ viewer: ctx.viewer, review: ctx.review, page: ctx.page, ...o }));
}

function refuse(ctx: Context, refusal: { status: number; message: string }): HttpResult {
  if (!wantsHtml(ctx.event))
    return jsonResponse(refusal.status, { error: refusal.status === 403 ? 'ForbiddenError' : 'ConflictError', message: refusal.message });
  return htmlResponse(refusal.status, refusalPage({ viewer: ctx.viewer, title: 'This review cannot be changed now', message: refusal.message }));
}

/** Again from the stored page, after a conditional write lost (a second tab, the due date, an escalation). */
async function latest(ctx: Context): Promise<HttpResult> {
  const page =
    (await (store as ReviewStore).pageByKey(ctx.page.reviewId, ctx.page.kind === 'PLATFORMS' ? 'PLATFORMS' : `DEPT#${ctx.page.departmentCode}`)) ?? ctx.page;
  const refusal = answerRefusal(page, ctx.viewer.person.id, now()) ?? {
    status: 409,
    message: 'Someone changed this review page at the same moment; look at it again.',
  };
  return refuse({ ...ctx, page }, refusal);
}

/** When the last open page is closed, resumes the waiting execution (a stale token is harmless: the next follow-up finishes by itself). */
async function resumeIfSettled(reviewId: string): Promise<void> {
  const s = store as ReviewStore;
  if (await s.anyOpen(reviewId)) return;
  await checkpoint('answerReview:before-resume', { reviewId });
  const sealed = (await s.review(reviewId))?.sealedToken;
  if (!sealed) return;
  try {
    await sfnCallbacks.succeed(await linkKeys().openToken(sealed, reviewId), { open: 0 });
  } catch (error) {
    logger.warn('every review page is closed; the execution will see it on its next follow-up', { error: (error as Error).name });
  }
}

export const handler = httpHandler(answerReview);
