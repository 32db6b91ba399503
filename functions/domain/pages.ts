import type { Approval, LinkState } from '#domain/approval';
import { formatWhen, html, page, type SafeHtml } from '#domain/html';
import type { AccountRequest } from '#domain/new-account';
import { type Department, type Person, type Policy, policy } from '#domain/policy';
import type { Account, Grant } from '#domain/registry';

const statusBadge = (status: string) => html`<span class="status ${status}">${status.toLowerCase()}</span>`;

/** The request as an approver needs to see it: what, for whom, why, and the risks (D.a). */
export function requestSummary(request: AccountRequest): SafeHtml {
  return html`<dl>
    <dt>Request</dt><dd>${request.requestId}</dd>
    <dt>Requested by</dt><dd>${request.requester.name} (${request.requester.email})</dd>
    <dt>Department</dt><dd>${request.departmentName}</dd>
    <dt>Platform</dt><dd>${request.platformName}</dd>
    <dt>Proposed handle</dt><dd>${request.proposedHandle}</dd>
    <dt>Purpose and strategy</dt><dd>${request.purpose}</dd>
    <dt>Audience</dt><dd>${request.audience}</dd>
    <dt>Risk assessment</dt><dd>${request.riskAssessment}</dd>
    <dt>Proposed admins</dt><dd>${request.admins.map((a) => a.name).join(', ')}</dd>
    <dt>Official-site checklist (E)</dt><dd>${request.checklist.length} of ${policy.newAccountApproval.officialSiteChecklist.length} confirmed</dd>
    <dt>Approval chain</dt><dd>${request.steps.map((s) => `${s.title}: ${s.approverName}${s.routedToDesignee ? ' (designee: the requester holds this role)' : ''}`).join('\n')}</dd>
  </dl>`;
}

export interface FormOptions {
  person: Person;
  departments: Department[];
  platforms: { id: string; name: string }[];
  people: Person[];
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  policy?: Policy;
}

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : String(v).split(','));

export function newAccountFormPage(o: FormOptions): string {
  const p = o.policy ?? policy;
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const err = (k: string) => (o.errors?.[k] ? html`<p class="error" id="${k}-error">${o.errors[k]}</p>` : '');
  /** Marks a field invalid for eyes and screen readers, pointing at its message. */
  const invalid = (k: string) => (o.errors?.[k] ? html`aria-invalid="true" aria-describedby="${k}-error"` : '');
  const dept = value('departmentCode') || o.person.departmentCode;
  const admins = asList(v.adminIds);
  const checked = asList(v.checklist);
  return page({
    title: 'New social media account',
    signedInAs: o.person.name,
    body: html`<div class="card"><h1>New Social Media form</h1>
    <p class="hint">Policy D: a new City account needs a strategy and a risk assessment approved by your Department Director and then the Communications Director (APD: the APD Director of Communications). You will get an email at each decision.</p>
    ${o.errors ? html`<div class="banner error" role="alert">Please fix the fields marked below.</div>` : ''}
    <form method="post" action="/requests" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <label for="departmentCode">Department</label>
      <select id="departmentCode" name="departmentCode" ${invalid('departmentCode')}>${o.departments.map(
        (d) => html`<option value="${d.code}" ${d.code === dept ? html`selected` : ''}>${d.name}</option>`,
      )}</select>${err('departmentCode')}
      <label for="platformId">Platform <span class="hint">(approved by DTI, O.a)</span></label>
      <select id="platformId" name="platformId" ${invalid('platformId')}><option value="">Choose…</option>${o.platforms.map(
        (pl) => html`<option value="${pl.id}" ${pl.id === value('platformId') ? html`selected` : ''}>${pl.name}</option>`,
      )}</select>${err('platformId')}
      <label for="proposedHandle">Proposed handle</label>
      <input type="text" id="proposedHandle" name="proposedHandle" value="${value('proposedHandle')}" placeholder="@ABQParks" ${invalid('proposedHandle')}>${err('proposedHandle')}
      <label for="purpose">Purpose and strategy <span class="hint">(D.a)</span></label>
      <textarea id="purpose" name="purpose" ${invalid('purpose')}>${value('purpose')}</textarea>${err('purpose')}
      <label for="audience">Audience</label>
      <textarea id="audience" name="audience" ${invalid('audience')}>${value('audience')}</textarea>${err('audience')}
      <label for="riskAssessment">Risk assessment <span class="hint">(D.a: what could go wrong, and how you will monitor and respond)</span></label>
      <textarea id="riskAssessment" name="riskAssessment" ${invalid('riskAssessment')}>${value('riskAssessment')}</textarea>${err('riskAssessment')}
      <fieldset ${invalid('adminIds')}><legend>Proposed admins <span class="hint">(they receive posting authority when your director approves, B)</span></legend>
      ${[...o.people]
        .sort((a, b) => Number(a.departmentCode !== dept) - Number(b.departmentCode !== dept) || a.name.localeCompare(b.name))
        .map(
          (person) =>
            html`<label class="check"><input type="checkbox" name="adminIds" value="${person.id}" ${admins.includes(person.id) ? html`checked` : ''}> ${person.name} <span class="hint">${person.title ?? ''} · ${person.departmentCode}</span></label>`,
        )}</fieldset>${err('adminIds')}
      <fieldset ${invalid('checklist')}><legend>Official City site checklist (E)</legend>
      ${p.newAccountApproval.officialSiteChecklist.map(
        (c) =>
          html`<label class="check"><input type="checkbox" name="checklist" value="${c.id}" ${checked.includes(c.id) ? html`checked` : ''}> ${c.label}</label>`,
      )}</fieldset>${err('checklist')}
      <button type="submit">Submit for approval</button>
    </form></div>`,
  });
}

function historyRows(request: AccountRequest, approvals: Approval[]): SafeHtml[] {
  const rows: { at: string; what: SafeHtml }[] = [{ at: request.createdAt, what: html`Submitted by ${request.requester.name}` }];
  for (const a of approvals) {
    const step = request.steps[a.step];
    const label = `${step?.title ?? `Step ${a.step + 1}`}${a.round === 1 ? ' (escalated)' : ''}`;
    if (a.emailedAt) rows.push({ at: a.emailedAt, what: html`${label}: decision link emailed to ${a.approverName} (link ${a.approvalId.slice(0, 6)}…)` });
    if (a.lastRemindedAt) rows.push({ at: a.lastRemindedAt, what: html`${label}: reminder ${a.remindersSent} sent to ${a.approverName}` });
    if (a.supersededAt)
      rows.push({ at: a.supersededAt, what: html`${label}: no answer from ${a.approverName}; escalated to ${a.supersededByName ?? 'the designee'}` });
    if (a.decision)
      rows.push({
        at: a.decision.decidedAt,
        what: html`${label}: <strong>${a.decision.outcome.toLowerCase()}</strong> by ${a.decision.decidedByName} from link ${a.approvalId.slice(0, 6)}…${a.decision.reason ? html` — “${a.decision.reason}”` : ''}`,
      });
  }
  if (request.closedAt) rows.push({ at: request.closedAt, what: html`Closed: ${statusBadge(request.status)} ${request.outcomeReason ?? ''}` });
  return rows.sort((x, y) => x.at.localeCompare(y.at)).map((r) => html`<tr><td>${formatWhen(r.at)}</td><td>${r.what}</td></tr>`);
}

/** The request's page: status and the full history (the audit trail). */
export function requestPage(request: AccountRequest, approvals: Approval[], viewer: Person, notice?: string): string {
  return page({
    title: `Request ${request.requestId}`,
    signedInAs: viewer.name,
    body: html`${notice ? html`<div class="banner ok" role="status">${notice}</div>` : ''}
    <div class="card"><h1>New ${request.platformName} account ${request.proposedHandle} ${statusBadge(request.status)}</h1>
    ${requestSummary(request)}
    ${request.accountId ? html`<p><a href="/accounts">In the registry as ${request.accountId}</a></p>` : ''}</div>
    <div class="card"><h2>History</h2><table><thead><tr><th>When (Mountain)</th><th>What</th></tr></thead>
    <tbody>${historyRows(request, approvals)}</tbody></table></div>`,
  });
}

/** The signed-in person's own requests, so nobody has to keep the confirmation email to find one. */
export function myRequestsPage(requests: AccountRequest[], viewer: Person): string {
  return page({
    title: 'My requests',
    signedInAs: viewer.name,
    body: html`<div class="card"><h1>My requests</h1>
    ${
      requests.length === 0
        ? html`<p>You have not asked for anything yet. <a href="/requests/new">Ask for a new account</a>.</p>`
        : html`<table><thead><tr><th>Submitted (Mountain)</th><th>Account</th><th>Department</th><th>Status</th></tr></thead>
    <tbody>${requests.map(
      (r) => html`<tr><td>${formatWhen(r.createdAt)}</td><td><a href="/requests/${r.requestId}">${r.platformName} ${r.proposedHandle}</a></td>
        <td>${r.departmentName}</td><td>${statusBadge(r.status)}</td></tr>`,
    )}</tbody></table>`
    }</div>`,
  });
}

/** What an approval link shows: the request with the form, or why it can no longer be used. */
export function approvalPage(input: {
  request: AccountRequest;
  approval: Approval;
  state: LinkState;
  secret: string;
  errors?: Record<string, string>;
}): string {
  const { request, approval, state } = input;
  let body: SafeHtml;
  switch (state.kind) {
    case 'decided':
      body = html`<div class="banner info" role="status">This request was already ${state.decision.outcome.toLowerCase()} by ${state.decision.decidedByName} on ${formatWhen(state.decision.decidedAt)}. Nothing more is needed from you.</div>`;
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
      body = html`<form method="post" action="/approvals/${approval.approvalId}">
        <input type="hidden" name="s" value="${input.secret}">
        <label for="reason">Reason <span class="hint">(required to reject; sent to the requester)</span></label>
        <textarea id="reason" name="reason"></textarea>
        ${input.errors ? Object.values(input.errors).map((e) => html`<p class="error">${e}</p>`) : ''}
        <button type="submit" name="outcome" value="APPROVED">Approve</button>
        <button type="submit" name="outcome" value="REJECTED" class="reject">Reject</button>
      </form>`;
      break;
  }
  const step = request.steps[approval.step];
  return page({
    title: 'Approval',
    body: html`<div class="card"><h1>${step?.title ?? 'Approval'}: new ${request.platformName} account ${request.proposedHandle}</h1>
    <p>${approval.approverName}, your decision is requested.</p>
    ${state.kind === 'forbidden' ? '' : requestSummary(request)}</div>
    <div class="card" id="decision">${body}</div>`,
  });
}

export function decisionRecordedPage(request: AccountRequest, approval: Approval, outcome: string): string {
  return page({
    title: 'Decision recorded',
    body: html`<div class="card"><h1>Thank you, ${approval.approverName}</h1>
      <div class="banner ok" role="status">Your decision (${outcome.toLowerCase()}) on request ${request.requestId} is recorded.</div>
      <p>${outcome === 'APPROVED' ? 'The request moves to the next approver, or into the registry if yours was the last step.' : 'The requester will be emailed your reason.'}</p></div>`,
  });
}

export function registryPage(accounts: Account[], grants: Grant[], viewer: Person): string {
  const byAccount = (id: string) => grants.filter((g) => g.accountId === id && g.status === 'ACTIVE');
  return page({
    title: 'Registry',
    signedInAs: viewer.name,
    body: html`<div class="card"><h1>Registry of City social media accounts</h1>
    <p class="hint">Kept for DTI (O.b). Credentials are never shown here.</p>
    <table><thead><tr><th>Platform</th><th>Handle</th><th>Department</th><th>Admins (posting authority, B)</th><th>Status</th></tr></thead>
    <tbody>${accounts.map(
      (a) => html`<tr><td>${a.platformName}</td><td>${a.handle}</td><td>${a.departmentName}</td>
        <td>${byAccount(a.accountId).map((g) => html`${g.personName} <span class="hint">(authorized by ${g.authorizedByName})</span><br>`)}</td>
        <td>${statusBadge(a.status)}</td></tr>`,
    )}</tbody></table>
    ${accounts.length === 0 ? html`<p>No accounts yet.</p>` : ''}</div>`,
  });
}

/** The callback could not finish (stale or foreign sign-in, refused code): say so and offer a fresh start. */
export function signInProblemPage(message: string, next: string): string {
  return page({
    title: 'Sign-in did not complete',
    body: html`<div class="card"><h1>Sign-in did not complete</h1>
      <div class="banner error" role="alert">${message}</div>
      <p><a href="/auth/sign-in?next=${encodeURIComponent(next)}">Sign in again</a></p></div>`,
  });
}

export function signedOutPage(): string {
  return page({
    title: 'Signed out',
    body: html`<div class="card"><h1>You are signed out</h1>
      <p><a href="/auth/sign-in">Sign in again</a> with your City account.</p></div>`,
  });
}
