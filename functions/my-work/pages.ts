import { dueAt, progressLine, requestProgress } from '#approval-chain/progress';
import { describeRequest, type GovernanceRequest } from '#approval-chain/kinds';
import { stepMode } from '#core/approval';
import { dataTable } from '#core/components';
import { capitalized } from '#core/description';
import { formatDate, html, page, type SafeHtml, statusBadge } from '#core/html';
import type { Approval } from '#core/approval';
import type { AssignedApproval, AssignedReview, AssignedTask } from '#my-work/my-work';
import { missingOnPage, pagePath, pageTitle } from '#annual-review/review';
import type { Viewer } from '#site/navigation';
import { taskKindTitle } from '#offboarding/offboarding';

/*
 * "My work", the home page: what waits for the signed-in person (approval and confirmation links,
 * offboarding tasks) and where their own requests stand. Each item opens the same page its email
 * link opens (/my-work/… rebuilds that link for its own recipient only).
 */

export interface OwnRequest {
  request: GovernanceRequest;
  /** Only for pending requests: its approvals, for the progress line. */
  approvals?: Approval[];
}

export interface MyWork {
  approvals: AssignedApproval[];
  tasks: AssignedTask[];
  reviews: AssignedReview[];
  requests: OwnRequest[];
  /** How many of the person's requests there are in all (the list shows the latest). */
  requestCount: number;
  now: string;
}

const due = (approval: Approval, now: string): SafeHtml => {
  const at = dueAt(approval);
  return at < now ? html`${formatDate(at)} <span class="app-status app-status--expired">overdue</span>` : html`${formatDate(at)}`;
};

function approvalsSection(items: AssignedApproval[], now: string): SafeHtml {
  if (items.length === 0) return html`<p>Nothing waits for your decision.</p>`;
  return dataTable({
    caption: 'Approvals and confirmations waiting for you',
    captionHidden: true,
    headers: ['Request', 'Asked by', 'Waiting since', 'Due', 'Action'],
    rows: items.map(({ approval, request }) => {
      const confirm = stepMode(request.steps[approval.step]) === 'confirm';
      const step = request.steps[approval.step];
      return [
        html`<strong>${capitalized(describeRequest(request).title)}</strong><br><span class="app-hint">${step?.title ?? ''}${approval.round === 1 ? ' (passed to you on escalation)' : ''}</span>`,
        request.requester.name,
        formatDate(approval.createdAt),
        due(approval, now),
        html`<a class="usa-button" href="/my-work/approvals/${approval.approvalId}">${confirm ? 'Confirm it is done' : 'Review and decide'}</a>`,
      ];
    }),
  });
}

function tasksSection(items: AssignedTask[]): SafeHtml {
  if (items.length === 0) return html`<p>No task waits for you.</p>`;
  return dataTable({
    caption: 'Tasks waiting for you',
    captionHidden: true,
    headers: ['Task', 'Account', 'Why', 'Since', 'Action'],
    rows: items.map(({ link, task }) => [
      taskKindTitle[task.kind],
      task.accountLabel,
      task.kind === 'CAPTURE' ? 'a new account' : `${task.employeeName} separated`,
      formatDate(link.createdAt),
      html`<a class="usa-button" href="/my-work/tasks/${link.approvalId}">Open the task</a>`,
    ]),
  });
}

function reviewsSection(items: AssignedReview[], now: string): SafeHtml {
  if (items.length === 0) return html`<p>No review waits for you.</p>`;
  return dataTable({
    caption: 'Annual review questions waiting for you',
    captionHidden: true,
    headers: ['Review', 'Questions left', 'Since', 'Due', 'Action'],
    rows: items.map(({ page, assignedAt }) => [
      html`<strong>${page.reviewId.slice(0, 4)} annual review: ${pageTitle(page)}</strong>${page.stage > 0 ? html`<br><span class="app-hint">(passed to you on escalation)</span>` : ''}`,
      String(missingOnPage(page).length),
      formatDate(assignedAt),
      page.dueAt < now ? html`${formatDate(page.dueAt)} <span class="app-status app-status--expired">overdue</span>` : formatDate(page.dueAt),
      html`<a class="usa-button" href="${pagePath(page)}">Answer the review</a>`,
    ]),
  });
}

function requestsSection(requests: OwnRequest[], total: number): SafeHtml {
  if (requests.length === 0) return html`<p>You have not asked for anything yet. <a href="/requests/new">Ask for a new social media account</a>.</p>`;
  const rows = requests.map(({ request, approvals }) => [
    html`<a href="/requests/${request.requestId}">${capitalized(describeRequest(request).title)}</a>`,
    formatDate(request.createdAt),
    request.status === 'PENDING' && approvals
      ? html`${statusBadge(request.status)}<br>${progressLine(requestProgress(request, approvals))}`
      : html`${statusBadge(request.status)}${request.closedAt ? html`<br><span class="app-hint">${formatDate(request.closedAt)}</span>` : ''}`,
  ]);
  return html`${dataTable({ caption: 'Your requests', captionHidden: true, headers: ['Request', 'Submitted', 'Where it stands'], rows })}
    <p>${total > requests.length ? html`<a href="/requests">All ${total} of your requests</a> · ` : ''}<a href="/requests/new">Ask for a new account</a></p>`;
}

export function myWorkPage(work: MyWork, viewer: Viewer): string {
  const waiting = work.approvals.length + work.tasks.length + work.reviews.length;
  return page({
    title: 'My work',
    viewer,
    path: '/',
    body: html`<div class="card"><h1>My work</h1>
    <p>${waiting === 0 ? 'Nothing is waiting for you.' : `${waiting} ${waiting === 1 ? 'item is' : 'items are'} waiting for you.`} The links in your emails still work; this is where to find one you have lost.</p></div>
    <section class="card" aria-labelledby="approvals-heading"><h2 id="approvals-heading">Waiting for your decision (${work.approvals.length})</h2>${approvalsSection(work.approvals, work.now)}</section>
    <section class="card" aria-labelledby="tasks-heading"><h2 id="tasks-heading">Offboarding tasks (${work.tasks.length})</h2>${tasksSection(work.tasks)}</section>
    <section class="card" aria-labelledby="reviews-heading"><h2 id="reviews-heading">Review questions (${work.reviews.length})</h2>${reviewsSection(work.reviews, work.now)}</section>
    <section class="card" aria-labelledby="requests-heading"><h2 id="requests-heading">Your requests</h2>${requestsSection(work.requests, work.requestCount)}</section>`,
  });
}
