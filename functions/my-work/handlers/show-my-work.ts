import { approvalIdPattern, approvalLink, secretMatches, taskLink } from '#core/approval-link';
import { ForbiddenError, NotFoundError } from '#core/errors';
import { httpHandler } from '#adapters/handler';
import { type HttpEvent, type HttpResult, htmlResponse, jsonResponse, redirect, signedInViewer, wantsHtml } from '#adapters/http';
import { linkKeys } from '#adapters/link-keys';
import { MyWorkStore } from '#adapters/my-work-store';
import { pagePath } from '#annual-review/review';
import { OffboardingStore } from '#adapters/offboarding-store';
import { GovernanceStore } from '#adapters/store';
import { myWorkPage, type OwnRequest } from '#my-work/pages';

let store: GovernanceStore | undefined;
let work: MyWorkStore | undefined;
let offboardings: OffboardingStore | undefined;

/** The latest of one's own requests shown on the home page; the rest are one link away (/requests). */
const OWN_REQUESTS_SHOWN = 10;

/**
 * GET /: "My work" for the signed-in person — what is assigned to them (the ByAssignee index) and
 * their own requests (GSI2 REQUESTER#), nothing of anyone else's.
 * GET /my-work/approvals/{id} and /my-work/tasks/{id}: the person's own open link, rebuilt (its
 * secret is a MAC of its id) and followed, so the page it opens is the emailed link's page. The
 * secret goes only into that redirect, as in the email; it is never written into a page.
 */
export async function showMyWork(event: HttpEvent): Promise<HttpResult> {
  store ??= new GovernanceStore();
  const viewer = await signedInViewer(event, store);
  const me = viewer.person;
  if (event.pathParameters?.approvalId !== undefined) return followApproval(event.pathParameters.approvalId, me.id);
  if (event.pathParameters?.taskId !== undefined) return followTask(event.pathParameters.taskId, me.id);

  work ??= new MyWorkStore();
  const s = store;
  const [assigned, mine] = await Promise.all([work.assignedTo(me.id), s.requestsBy(me.id)]);
  const latest = mine.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, OWN_REQUESTS_SHOWN);
  const requests: OwnRequest[] = await Promise.all(
    latest.map(async (request) =>
      request.status === 'PENDING' ? { request, approvals: (await s.requestWithApprovals(request.requestId)).approvals } : { request },
    ),
  );
  const now = new Date().toISOString();
  if (wantsHtml(event)) return htmlResponse(200, myWorkPage({ ...assigned, requests, requestCount: mine.length, now }, viewer));
  return jsonResponse(200, {
    approvals: assigned.approvals.map(({ approval, request }) => ({
      approvalId: approval.approvalId,
      requestId: request.requestId,
      kind: request.kind,
      step: approval.step,
      stepTitle: request.steps[approval.step]?.title,
      requester: request.requester.name,
      since: approval.createdAt,
    })),
    tasks: assigned.tasks.map(({ link, task }) => ({
      taskId: link.approvalId,
      offboardingId: task.offboardingId,
      kind: task.kind,
      account: task.accountLabel,
      since: link.createdAt,
    })),
    reviews: assigned.reviews.map(({ page, assignedAt }) => ({
      reviewId: page.reviewId,
      page: page.kind === 'PLATFORMS' ? 'PLATFORMS' : page.departmentCode,
      path: pagePath(page),
      dueAt: page.dueAt,
      since: assignedAt,
    })),
    requests: requests.map(({ request }) => ({ requestId: request.requestId, kind: request.kind, status: request.status, createdAt: request.createdAt })),
  });
}

async function followApproval(approvalId: string, personId: string): Promise<HttpResult> {
  const approval = approvalIdPattern.test(approvalId) ? await (store as GovernanceStore).approvalById(approvalId) : undefined;
  if (!approval) throw new NotFoundError('There is no such approval. Open My work again to see what waits for you.');
  if (approval.approverId !== personId) throw new ForbiddenError('This approval was sent to someone else; only they can open it.');
  const secret = await linkKeys().linkSecret(approvalId);
  // The stored hash is of the MAC the email carried: a mismatch means the keys changed, not the person.
  if (!secretMatches(secret, approval.secretHash)) throw new Error('The rebuilt approval link does not match the one emailed.');
  return redirect(approvalLink('', approvalId, secret));
}

async function followTask(taskId: string, personId: string): Promise<HttpResult> {
  offboardings ??= new OffboardingStore();
  const link = approvalIdPattern.test(taskId) ? await offboardings.linkById(taskId) : undefined;
  if (!link) throw new NotFoundError('There is no such task. Open My work again to see what waits for you.');
  if (link.recipient.id !== personId) throw new ForbiddenError('This task was sent to someone else; only they can open it.');
  const secret = await linkKeys().linkSecret(taskId);
  if (!secretMatches(secret, link.secretHash)) throw new Error('The rebuilt task link does not match the one emailed.');
  return redirect(taskLink('', taskId, secret));
}

export const handler = httpHandler(showMyWork);
