import { type Approval, type LinkState, type Outcome, stepMode } from '#core/approval';
import { alert, dataTable, errorSummary, facts, stepIndicator } from '#core/components';
import { capitalized, type DescribeContext, type FactShape, isWebAddress, type RequestDescription } from '#core/description';
import { fieldMarks, formatDate, formatWhen, html, page, type SafeHtml, statusBadge } from '#core/html';
import { describeRequest, type GovernanceRequest, kindOf } from '#approval-chain/kinds';
import { dueAt, progressLine, requestProgress } from '#approval-chain/progress';
import type { Viewer } from '#site/navigation';

/*
 * The approval chain's pages, for every kind of request: a request and its history, one's own
 * requests, an approval link, the confirmation of a final decision, and what it recorded. What a
 * request says comes from its kind's module. Every user value goes through the `html` template.
 */

/** The id of the one hidden "opens in a new tab" text that every such link points screen readers at. */
const newTabNote = 'opens-in-new-tab';

/** A web address as a link that opens in a new tab, when it is http(s); anything else stays text. */
function webLink(value: string): SafeHtml | string {
  return isWebAddress(value)
    ? html`<a class="usa-link" href="${value.trim()}" target="_blank" rel="noopener noreferrer" aria-describedby="${newTabNote}">${value}</a>`
    : value;
}

/** A fact's value as its kind asks a page to show it (no whitespace between tags: the value keeps its own). */
function factValue(value: string, shape: FactShape | undefined): SafeHtml | string {
  if (shape === 'link') return webLink(value);
  if (shape === 'list' || shape === 'links') {
    return html`<ul class="usa-list usa-list--unstyled">${value.split('\n').map((item) => html`<li>${shape === 'links' ? webLink(item) : item}</li>`)}</ul>`;
  }
  return value;
}

/** The request as an approver needs to see it: what, for whom, why (for a new account the risks, D.a; for a removal the post as it stood, H). */
export function requestSummary(
  request: GovernanceRequest,
  context: DescribeContext = {},
  described: RequestDescription = describeRequest(request, context),
): SafeHtml {
  const shapes = described.factShapes ?? {};
  const rows = described.facts.map(([label, value]) => [label, factValue(value, shapes[label])] as const);
  const links = described.facts.some(([label, value]) => {
    const shape = shapes[label];
    return (shape === 'link' || shape === 'links') && value.split('\n').some(isWebAddress);
  });
  return html`${facts(rows)}${links ? html`<span id="${newTabNote}" hidden>opens in a new tab</span>` : ''}`;
}

/** How a person refers to a recorded decision: "approved", "rejected", or a confirm step's "confirmed removed". */
export function decisionWords(request: GovernanceRequest, step: number, outcome: string, context: DescribeContext = {}): string {
  const confirmation = stepMode(request.steps[step]) === 'confirm' ? describeRequest(request, context).confirmation : undefined;
  return confirmation && outcome === 'APPROVED' ? confirmation.done : outcome.toLowerCase();
}

/** The history, oldest first: what happened, when to the second, and never an internal id (link or approval). */
function historyRows(request: GovernanceRequest, approvals: Approval[]): SafeHtml[][] {
  const rows: { at: string; what: SafeHtml }[] = [{ at: request.createdAt, what: html`Submitted by ${request.requester.name}` }];
  for (const a of approvals) {
    const step = request.steps[a.step];
    const label = `${step?.title ?? `Step ${a.step + 1}`}${a.round === 1 ? ' (escalated)' : ''}`;
    const linkKind = stepMode(step) === 'confirm' ? 'confirmation' : 'decision';
    if (a.emailedAt) rows.push({ at: a.emailedAt, what: html`${label}: ${linkKind} link emailed to ${a.approverName}` });
    if (a.lastRemindedAt) rows.push({ at: a.lastRemindedAt, what: html`${label}: reminder ${a.remindersSent} sent to ${a.approverName}` });
    if (a.supersededAt)
      rows.push({
        at: a.supersededAt,
        what: a.supersededReason
          ? html`${label}: moved from ${a.approverName} to ${a.supersededByName ?? 'the post’s holder'}: ${a.supersededReason}`
          : html`${label}: no answer from ${a.approverName}; escalated to ${a.supersededByName ?? 'the designee'}`,
      });
    if (a.decision)
      rows.push({
        at: a.decision.decidedAt,
        what: html`${label}: <strong>${decisionWords(request, a.step, a.decision.outcome, { approvals })}</strong> by ${a.decision.decidedByName}${a.decision.reason ? html` — “${a.decision.reason}”` : ''}`,
      });
  }
  if (request.closedAt) rows.push({ at: request.closedAt, what: html`Closed: ${statusBadge(request.status)} ${request.outcomeReason ?? ''}` });
  return rows.sort((x, y) => x.at.localeCompare(y.at)).map((r) => [html`<time datetime="${r.at}">${formatWhen(r.at)}</time>`, r.what]);
}

/** Links to the records a request created or concerns (the account's page), from its kind's description. */
function relatedLinks(described: RequestDescription): SafeHtml | '' {
  const related = described.related ?? [];
  if (related.length === 0) return '';
  return html`<h2>Related records</h2><ul class="usa-list">${related.map((r) => html`<li><a class="usa-link" href="${r.href}">${r.label}</a></li>`)}</ul>`;
}

/** The request's page: where it stands, what it asks, what it links to, and the full history (the audit trail). */
export function requestPage(request: GovernanceRequest, approvals: Approval[], viewer: Viewer, notice?: string, known: DescribeContext = {}): string {
  const context: DescribeContext = { ...known, approvals };
  const described = describeRequest(request, context);
  const extras = kindOf(request).pageExtras(request, context);
  const progress = request.status === 'PENDING' ? requestProgress(request, approvals) : undefined;
  return page({
    title: `${capitalized(described.title)} (request ${request.requestId})`,
    viewer,
    path: '/requests',
    body: html`${notice ? alert('success', notice, { role: 'status' }) : ''}
    <div class="card"><h1>${capitalized(described.title)} ${statusBadge(request.status)}</h1>
    <p>Request ${request.requestId}, submitted by ${request.requester.name} on ${formatDate(request.createdAt)}${
      request.closedAt ? html`, closed on ${formatDate(request.closedAt)}` : ''
    }.</p>
    ${progress ? html`${stepIndicator(progress.steps, 'Approval progress')}<p>${progressLine(progress)}</p>` : ''}
    <h2>The request</h2>
    ${requestSummary(request, context, described)}
    ${relatedLinks(described)}
    ${extras.summary ?? ''}</div>
    ${extras.card ?? ''}
    <div class="card"><h2>History</h2>${dataTable({ caption: 'What happened to this request, oldest first (Mountain time)', captionHidden: true, headers: ['When', 'What'], rows: historyRows(request, approvals) })}</div>`,
  });
}

/** The signed-in person's own requests, so nobody has to keep the confirmation email to find one; a pending one says where it stands. */
export function myRequestsPage(requests: GovernanceRequest[], viewer: Viewer, approvalsOf: Record<string, Approval[]> = {}): string {
  return page({
    title: 'My requests',
    viewer,
    path: '/requests',
    body: html`<div class="card"><h1>My requests</h1>
    ${
      requests.length === 0
        ? html`<p>You have not asked for anything yet. <a class="usa-link" href="/requests/new">Ask for a new account</a>.</p>`
        : dataTable({
            caption: 'Your requests, newest first',
            captionHidden: true,
            headers: ['Submitted', 'Request', 'Department', 'Status'],
            rows: requests.map((r) => {
              const approvals = approvalsOf[r.requestId];
              const where = r.status === 'PENDING' && approvals ? html`<br><span class="app-hint">${progressLine(requestProgress(r, approvals))}</span>` : '';
              return [
                formatDate(r.createdAt),
                html`<a class="usa-link" href="/requests/${r.requestId}">${capitalized(describeRequest(r).title)}</a>`,
                r.departmentName,
                html`${statusBadge(r.status)}${where}`,
              ];
            }),
          })
    }</div>`,
  });
}

/** What the link's state says, as the page's heading and its first line: only an open link asks for anything. */
function linkHeading(input: { request: GovernanceRequest; approval: Approval; state: LinkState; described: RequestDescription; context?: DescribeContext }) {
  const { request, approval, state, described } = input;
  const step = request.steps[approval.step];
  const confirmation = stepMode(step) === 'confirm' ? described.confirmation : undefined;
  const title = capitalized(described.title);
  const nothingNeeded = 'Nothing more is needed from you.';
  switch (state.kind) {
    case 'open':
      return {
        h1: confirmation ? confirmation.heading : `${step?.title ?? 'Approval'}: ${described.title}`,
        lead: html`<p class="usa-intro">${approval.approverName}, ${confirmation ? 'the removal is approved: please do it, then confirm here.' : 'your decision is requested.'}</p>
        <p>Please ${confirmation ? 'confirm' : 'decide'} by ${formatWhen(dueAt(approval))}.</p>`,
      };
    case 'decided': {
      const words = decisionWords(request, approval.step, state.decision.outcome, input.context);
      return {
        h1: `${title}: already ${words}`,
        lead: alert(
          'info',
          `This request was already ${words} by ${state.decision.decidedByName} on ${formatWhen(state.decision.decidedAt)}. ${nothingNeeded}`,
          {
            role: 'status',
          },
        ),
      };
    }
    case 'superseded':
      return {
        h1: `${title}: passed to ${state.to}`,
        lead: alert(
          'info',
          `This link no longer works: the decision was passed to ${state.to} on ${formatWhen(state.at)} because ${state.reason ?? 'it was not answered in time'}. ${nothingNeeded}`,
          { role: 'status' },
        ),
      };
    case 'closed':
      return {
        h1: `${title}: ${state.status.toLowerCase()}`,
        lead: alert('info', `This request is ${state.status.toLowerCase()}; it can no longer be decided. ${nothingNeeded}`, { role: 'status' }),
      };
    case 'forbidden':
      return { h1: 'This link is not valid', lead: alert('error', 'This link is not valid. Open it again from the email you received.', { role: 'alert' }) };
  }
}

/** What an approval link shows: the request with the form, or what happened and that nothing more is needed. */
export function approvalPage(input: {
  request: GovernanceRequest;
  approval: Approval;
  state: LinkState;
  secret: string;
  errors?: Record<string, string>;
  /** What the approver typed, kept when the form is shown again (an error, or "Go back"). */
  reason?: string;
  context?: DescribeContext;
}): string {
  const { request, approval, state, errors } = input;
  const described = describeRequest(request, input.context);
  const step = request.steps[approval.step];
  // A confirm step (the requester says it is done) has one button and nothing to reject.
  const confirmation = stepMode(step) === 'confirm' ? described.confirmation : undefined;
  const { h1, lead } = linkHeading({ ...input, described });
  const { err, invalid, group } = fieldMarks(errors);
  const action = `/approvals/${approval.approvalId}`;
  let form: SafeHtml | '' = '';
  if (state.kind === 'open') {
    form = confirmation
      ? html`<div class="card" id="decision"><h2>Your confirmation</h2>
      <form class="usa-form usa-form--large" method="post" action="${action}">
        <input type="hidden" name="s" value="${input.secret}">
        <p>${confirmation.instruction}</p>
        <div class="${group('outcome')}">${err('outcome')}
        <button class="usa-button" type="submit" name="outcome" value="APPROVED" id="outcome">${confirmation.button}</button></div>
      </form></div>`
      : html`<div class="card" id="decision"><h2>Your decision</h2>
      <form class="usa-form usa-form--large" method="post" action="${action}">
        <input type="hidden" name="s" value="${input.secret}">
        <div class="${group('reason')}">
          <label class="usa-label" for="reason">Reason</label>
          <span class="usa-hint" id="reason-hint">Required to reject (at least 5 characters): the requester is emailed it. Optional to approve.</span>
          ${err('reason')}
          <textarea class="usa-textarea${errors?.reason ? ' usa-input--error' : ''}" id="reason" name="reason" maxlength="2000" ${invalid('reason', true)}>${input.reason ?? ''}</textarea>
        </div>
        <div class="${group('outcome')}">${err('outcome')}
        <div class="app-actions" id="outcome">
          <button class="usa-button" type="submit" name="outcome" value="APPROVED">Approve</button>
          <button class="usa-button usa-button--secondary" type="submit" name="outcome" value="REJECTED">Reject</button>
        </div></div>
        <p class="usa-hint">Either one asks you to confirm before anything is recorded. A decision is final.</p>
      </form></div>`;
  }
  return page({
    title: `${errors ? 'Error: ' : ''}${state.kind === 'open' ? (confirmation ? 'Confirmation' : 'Approval') : 'Approval link'}`,
    body: html`${errorSummary(errors, { reason: 'reason', outcome: 'outcome' })}<div class="card"><h1>${h1}</h1>
    ${lead}
    ${state.kind === 'forbidden' ? '' : html`<h2>The request</h2>${requestSummary(request, input.context, described)}`}</div>
    ${form}`,
  });
}

/**
 * Asks once more before a final decision is recorded: what it does (the reason the requester will
 * be emailed, or what approval starts), "Yes, …" posting the same fields with confirmed=yes, and
 * "Go back" (confirmed=no) showing the form again with the reason kept. The secret stays in the form.
 */
export function confirmDecisionPage(input: {
  request: GovernanceRequest;
  approval: Approval;
  secret: string;
  outcome: Outcome;
  reason?: string;
  context?: DescribeContext;
}): string {
  const { request, approval, outcome, reason } = input;
  const described = describeRequest(request, input.context);
  const rejecting = outcome === 'REJECTED';
  const next = described.afterApproval?.[approval.step] ?? 'The request moves to the next approver, or is closed approved if yours is the last step.';
  return page({
    title: rejecting ? 'Reject this request?' : 'Approve this request?',
    body: html`<div class="card"><h1>${rejecting ? 'Reject this request?' : 'Approve this request?'}</h1>
    <p class="usa-intro">${capitalized(described.title)} (request ${request.requestId}).</p>
    ${
      rejecting
        ? html`<p>This is final; the requester will be emailed your reason:</p><blockquote><p>${reason ?? ''}</p></blockquote>`
        : html`<p>This is final. ${next}</p>${reason ? html`<p>Your note, kept with the decision:</p><blockquote><p>${reason}</p></blockquote>` : ''}`
    }
    <form method="post" action="/approvals/${approval.approvalId}">
      <input type="hidden" name="s" value="${input.secret}">
      <input type="hidden" name="outcome" value="${outcome}">
      <input type="hidden" name="reason" value="${reason ?? ''}">
      <div class="app-actions">
        <button class="usa-button${rejecting ? ' usa-button--secondary' : ''}" type="submit" name="confirmed" value="yes">${rejecting ? 'Yes, reject' : 'Yes, approve'}</button>
        <button class="usa-button usa-button--outline" type="submit" name="confirmed" value="no">Go back</button>
      </div>
    </form></div>`,
  });
}

export function decisionRecordedPage(request: GovernanceRequest, approval: Approval, outcome: string, context: DescribeContext = {}): string {
  const described = describeRequest(request, context);
  const confirmation = stepMode(request.steps[approval.step]) === 'confirm' ? described.confirmation : undefined;
  const next = confirmation
    ? confirmation.recorded
    : outcome === 'APPROVED'
      ? (described.afterApproval?.[approval.step] ??
        'The request moves to the next approver, or is closed approved if yours was the last step. The requester is emailed when it closes.')
      : 'The requester will be emailed your reason, and the request is closed as rejected.';
  return page({
    title: confirmation ? 'Confirmation recorded' : 'Decision recorded',
    body: html`<div class="card"><h1>Thank you, ${approval.approverName}</h1>
      ${alert('success', `Your ${confirmation ? 'confirmation' : 'decision'} (${decisionWords(request, approval.step, outcome, context)}) on request ${request.requestId} is recorded.`, { role: 'status' })}
      <h2>What happens next</h2>
      <p>${next}</p>
      <ul class="usa-list">
        <li><a class="usa-link" href="/requests/${request.requestId}">See the request and its history</a> (you may be asked to sign in)</li>
        <li><a class="usa-link" href="/">Go to My work</a></li>
      </ul></div>`,
  });
}
