import { type Approval, type LinkState, stepMode } from '#core/approval';
import { capitalized, type DescribeContext } from '#core/description';
import { formatWhen, html, page, type SafeHtml, statusBadge } from '#core/html';
import type { Person } from '#core/policy';
import { describeRequest, type GovernanceRequest, kindOf } from '#approval-chain/kinds';
import type { Viewer } from '#site/navigation';

/*
 * The approval chain's pages, for every kind of request: a request and its history, one's own
 * requests, an approval link and what it recorded. What a request says comes from its kind's module.
 */

/** The request as an approver needs to see it: what, for whom, why (for a new account the risks, D.a; for a removal the post as it stood, H). */
export function requestSummary(request: GovernanceRequest, context: DescribeContext = {}): SafeHtml {
  return html`<dl>${describeRequest(request, context).facts.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

/** How a person refers to a recorded decision: "approved", "rejected", or a confirm step's "confirmed removed". */
export function decisionWords(request: GovernanceRequest, step: number, outcome: string, context: DescribeContext = {}): string {
  const confirmation = stepMode(request.steps[step]) === 'confirm' ? describeRequest(request, context).confirmation : undefined;
  return confirmation && outcome === 'APPROVED' ? confirmation.done : outcome.toLowerCase();
}

function historyRows(request: GovernanceRequest, approvals: Approval[]): SafeHtml[] {
  const rows: { at: string; what: SafeHtml }[] = [{ at: request.createdAt, what: html`Submitted by ${request.requester.name}` }];
  for (const a of approvals) {
    const step = request.steps[a.step];
    const label = `${step?.title ?? `Step ${a.step + 1}`}${a.round === 1 ? ' (escalated)' : ''}`;
    const linkKind = stepMode(step) === 'confirm' ? 'confirmation' : 'decision';
    if (a.emailedAt) rows.push({ at: a.emailedAt, what: html`${label}: ${linkKind} link emailed to ${a.approverName} (link ${a.approvalId.slice(0, 6)}…)` });
    if (a.lastRemindedAt) rows.push({ at: a.lastRemindedAt, what: html`${label}: reminder ${a.remindersSent} sent to ${a.approverName}` });
    if (a.supersededAt)
      rows.push({ at: a.supersededAt, what: html`${label}: no answer from ${a.approverName}; escalated to ${a.supersededByName ?? 'the designee'}` });
    if (a.decision)
      rows.push({
        at: a.decision.decidedAt,
        what: html`${label}: <strong>${decisionWords(request, a.step, a.decision.outcome, { approvals })}</strong> by ${a.decision.decidedByName} from link ${a.approvalId.slice(0, 6)}…${a.decision.reason ? html` — “${a.decision.reason}”` : ''}`,
      });
  }
  if (request.closedAt) rows.push({ at: request.closedAt, what: html`Closed: ${statusBadge(request.status)} ${request.outcomeReason ?? ''}` });
  return rows.sort((x, y) => x.at.localeCompare(y.at)).map((r) => html`<tr><td>${formatWhen(r.at)}</td><td>${r.what}</td></tr>`);
}

/** The request's page: status and the full history (the audit trail), with what its kind adds (a removal's public record, H). */
export function requestPage(request: GovernanceRequest, approvals: Approval[], viewer: Viewer, notice?: string, known: DescribeContext = {}): string {
  const context: DescribeContext = { ...known, approvals };
  const extras = kindOf(request).pageExtras(request, context);
  return page({
    title: `Request ${request.requestId}`,
    viewer: viewer,
    body: html`${notice ? html`<div class="banner ok" role="status">${notice}</div>` : ''}
    <div class="card"><h1>${capitalized(describeRequest(request, context).title)} ${statusBadge(request.status)}</h1>
    ${requestSummary(request, context)}
    ${extras.summary ?? ''}</div>
    ${extras.card ?? ''}
    <div class="card"><h2>History</h2><table><thead><tr><th>When (Mountain)</th><th>What</th></tr></thead>
    <tbody>${historyRows(request, approvals)}</tbody></table></div>`,
  });
}

/** The signed-in person's own requests, so nobody has to keep the confirmation email to find one. */
export function myRequestsPage(requests: GovernanceRequest[], viewer: Viewer): string {
  return page({
    title: 'My requests',
    viewer: viewer,
    body: html`<div class="card"><h1>My requests</h1>
    ${
      requests.length === 0
        ? html`<p>You have not asked for anything yet. <a href="/requests/new">Ask for a new account</a>.</p>`
        : html`<table><thead><tr><th>Submitted (Mountain)</th><th>Request</th><th>Department</th><th>Status</th></tr></thead>
    <tbody>${requests.map(
      (r) => html`<tr><td>${formatWhen(r.createdAt)}</td><td><a href="/requests/${r.requestId}">${capitalized(describeRequest(r).title)}</a></td>
        <td>${r.departmentName}</td><td>${statusBadge(r.status)}</td></tr>`,
    )}</tbody></table>`
    }</div>`,
  });
}

/** What an approval link shows: the request with the form, or why it can no longer be used. */
export function approvalPage(input: {
  request: GovernanceRequest;
  approval: Approval;
  state: LinkState;
  secret: string;
  errors?: Record<string, string>;
  context?: DescribeContext;
}): string {
  const { request, approval, state } = input;
  const described = describeRequest(request, input.context);
  const step = request.steps[approval.step];
  // A confirm step (the requester says it is done) has one button and nothing to reject.
  const confirmation = stepMode(step) === 'confirm' ? described.confirmation : undefined;
  let body: SafeHtml;
  switch (state.kind) {
    case 'decided':
      body = html`<div class="banner info" role="status">This request was already ${decisionWords(request, approval.step, state.decision.outcome, input.context)} by ${state.decision.decidedByName} on ${formatWhen(state.decision.decidedAt)}. Nothing more is needed from you.</div>`;
      break;
    case 'superseded':
      body = html`<div class="banner info" role="status">This link no longer works: the decision was passed to ${state.to} on ${formatWhen(state.at)} because it was not answered in time.</div>`;
      break;
    case 'closed':
      body = html`<div class="banner info" role="status">This request is ${state.status.toLowerCase()}; it can no longer be decided.</div>`;
      break;
    case 'forbidden':
      body = html`<div class="banner error" role="alert">This link is not valid. Open it again from the email you received.</div>`;
      break;
    case 'open':
      body = confirmation
        ? html`<form method="post" action="/approvals/${approval.approvalId}">
        <input type="hidden" name="s" value="${input.secret}">
        <p>${confirmation.instruction}</p>
        ${input.errors ? Object.values(input.errors).map((e) => html`<p class="error">${e}</p>`) : ''}
        <button type="submit" name="outcome" value="APPROVED">${confirmation.button}</button>
      </form>`
        : html`<form method="post" action="/approvals/${approval.approvalId}">
        <input type="hidden" name="s" value="${input.secret}">
        <label for="reason">Reason <span class="hint">(required to reject; sent to the requester)</span></label>
        <textarea id="reason" name="reason"></textarea>
        ${input.errors ? Object.values(input.errors).map((e) => html`<p class="error">${e}</p>`) : ''}
        <button type="submit" name="outcome" value="APPROVED">Approve</button>
        <button type="submit" name="outcome" value="REJECTED" class="reject">Reject</button>
      </form>`;
      break;
  }
  return page({
    title: confirmation ? 'Confirmation' : 'Approval',
    body: html`<div class="card"><h1>${confirmation ? confirmation.heading : `${step?.title ?? 'Approval'}: ${described.title}`}</h1>
    <p>${approval.approverName}, ${confirmation ? 'the removal is approved: please do it, then confirm here.' : 'your decision is requested.'}</p>
    ${state.kind === 'forbidden' ? '' : requestSummary(request, input.context)}</div>
    <div class="card" id="decision">${body}</div>`,
  });
}

export function decisionRecordedPage(request: GovernanceRequest, approval: Approval, outcome: string, context: DescribeContext = {}): string {
  const described = describeRequest(request, context);
  const confirmation = stepMode(request.steps[approval.step]) === 'confirm' ? described.confirmation : undefined;
  const next = confirmation
    ? confirmation.recorded
    : outcome === 'APPROVED'
      ? (described.afterApproval?.[approval.step] ?? 'The request moves to the next approver, or into the registry if yours was the last step.')
      : 'The requester will be emailed your reason.';
  return page({
    title: confirmation ? 'Confirmation recorded' : 'Decision recorded',
    body: html`<div class="card"><h1>Thank you, ${approval.approverName}</h1>
      <div class="banner ok" role="status">Your ${confirmation ? 'confirmation' : 'decision'} (${decisionWords(request, approval.step, outcome, context)}) on request ${request.requestId} is recorded.</div>
      <p>${next}</p></div>`,
  });
}
