import { ForbiddenError, InvalidInputError } from '#core/errors';
import { fieldErrors } from '#core/request';
import { canReadReport, canStartReview, type ReviewTrigger } from '#annual-review/review';
import { reviewsPage } from '#annual-review/pages';
import { directStartSchema, formStartSchema, planStart, scheduledStartSchema, scheduledYear } from '#annual-review/start';
import { now } from '#adapters/clock';
import { httpHandler, taskHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, parseBody, redirect, signedInViewer, wantsHtml } from '#adapters/http';
import { logger } from '#adapters/logger';
import { ReviewStore } from '#adapters/review-store';
import { startWorkflow } from '#adapters/step-functions';
import { GovernanceStore } from '#adapters/store';
import type { NamedPerson } from '#core/request';
import { yearIn } from '#core/yearly-schedule';
import { policy } from '#core/policy';

let directory: GovernanceStore | undefined;
let reviews: ReviewStore | undefined;

export interface StartResult {
  reviewId: string;
  executionName: string;
  /** started: this call started it; exists: it was already running or done (nothing started). */
  outcome: 'started' | 'exists';
}

/** Starts a review once: an existing review (or execution) of that id is the answer, never a second one. */
async function start(input: { year: number; departmentCode?: string; trigger: ReviewTrigger; startedBy?: NamedPerson }): Promise<StartResult> {
  directory ??= new GovernanceStore();
  reviews ??= new ReviewStore();
  const knownDepartment = input.departmentCode ? Boolean(await directory.department(input.departmentCode)) : true;
  const plan = planStart({ ...input, now: now(), knownDepartment });
  // A review on record (running or done) is never started again, even once its execution name could be reused.
  if (await reviews.review(plan.reviewId)) return { reviewId: plan.reviewId, executionName: plan.executionName, outcome: 'exists' };
  const outcome = await startWorkflow('annualReview', plan.executionName, plan.input);
  logger.info('annual review start', { reviewId: plan.reviewId, trigger: input.trigger, outcome });
  return { reviewId: plan.reviewId, executionName: plan.executionName, outcome };
}

/** The schedule's and the CLI's invocation (not HTTP). */
export async function startReviewTask(event: unknown): Promise<StartResult> {
  const scheduled = scheduledStartSchema.safeParse(event);
  if (scheduled.success) return start({ year: scheduledYear(scheduled.data.scheduledTime), trigger: 'schedule' });
  const direct = directStartSchema.safeParse(event);
  if (!direct.success)
    throw new InvalidInputError('Send { trigger: "schedule", scheduledTime } or { trigger: "cli", year?, departmentCode? }.', fieldErrors(direct.error));
  const year = direct.data.year ?? yearIn(now(), policy.annualReview.timeZone);
  return start({ year, departmentCode: direct.data.departmentCode, trigger: 'cli' });
}

/** GET /reviews: every review, and DTI's form to start one. POST /reviews: DTI starts one (or is shown the one running). */
export async function startReviewHttp(event: HttpEvent): Promise<HttpResult> {
  directory ??= new GovernanceStore();
  reviews ??= new ReviewStore();
  const viewer = await signedInViewer(event, directory);
  const mayStart = canStartReview(viewer.person);
  if (!mayStart && !canReadReport(viewer.person, viewer.roleHolders)) {
    throw new ForbiddenError(
      'Annual reviews are run by DTI and read by DTI and the Communications Director and Coordinator. Your own review pages are listed under My work.',
    );
  }
  const list = async (values?: Record<string, unknown>, errors?: Record<string, string>, status = 200) => {
    const [all, departments] = await Promise.all([(reviews as ReviewStore).reviews(), (directory as GovernanceStore).departments()]);
    // The sealed task token stays in the table: nobody's client needs it.
    if (!wantsHtml(event))
      return jsonResponse(status, errors ? { error: 'InvalidInputError', fields: errors } : { reviews: all.map(({ sealedToken, ...r }) => r) });
    return htmlResponse(
      status,
      reviewsPage({ viewer, reviews: all, departments, mayStart, values, errors, currentYear: yearIn(now(), policy.annualReview.timeZone) }),
    );
  };
  if (event.requestContext.http.method !== 'POST') return list();
  if (!mayStart) throw new ForbiddenError('Only DTI starts an annual review (O.a). The yearly one starts by itself.');
  const body = parseBody(event);
  const parsed = formStartSchema.safeParse(body);
  if (!parsed.success) return list(body, fieldErrors(parsed.error), 400);
  let result: StartResult;
  try {
    result = await start({
      year: Number(parsed.data.year),
      departmentCode: parsed.data.departmentCode || undefined,
      trigger: 'page',
      startedBy: { id: viewer.person.id, name: viewer.person.name, email: viewer.person.email },
    });
  } catch (error) {
    if (error instanceof InvalidInputError) return list(body, error.fields ?? { year: error.message }, 400);
    throw error;
  }
  if (!wantsHtml(event)) return jsonResponse(result.outcome === 'started' ? 202 : 200, result);
  return redirect(`/reviews/${result.reviewId}${result.outcome === 'exists' ? '?already=1' : ''}`);
}

const http = httpHandler(startReviewHttp);
const task = taskHandler(startReviewTask);

/** One function for both doors: an HTTP API event has requestContext.http; the schedule's and the CLI's do not. */
export const handler = (event: unknown, context: Parameters<typeof http>[1]) =>
  (event as { requestContext?: { http?: unknown } })?.requestContext?.http ? http(event as HttpEvent, context) : task(event, context);
