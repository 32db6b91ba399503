import { type Approval, type LinkState, stepMode } from '#core/approval';
import { formatWhen, html, page, type SafeHtml, statusBadge, fieldMarks } from '#core/html';
import type { GovernanceRequest } from '#approval-chain/kinds';
import type { AccountRequest } from '#new-account/new-account';
import { type PostRemovalRequest, removalConfirmation, supervisorApproval } from '#post-removal/post-removal';
import { credentialWords, type PostingAuthorityRequest, ticked } from '#posting-authority/posting-authority';
import { type Department, type Person, type Policy, policy } from '#core/policy';
import { type GovernanceRecord, recordIntact } from '#core/records';
import { type Account, type Grant, grantRoles, isActive } from '#core/registry';

export const capitalized = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

/** What a request is, in words: every page and email about a request reads it from here. */
export interface RequestDescription {
  /** What is asked for, as a heading reads after its first letter: "new Instagram account @ABQParks". */
  title: string;
  /** The title with what tells requests apart in an inbox: "new Instagram account @ABQParks for Parks and Recreation". */
  subject: string;
  /** The article `subject` takes in running text ("a new … account"), or none. */
  article: string;
  /** The request's outcome is about this: "Instagram account @ABQParks". */
  outcomeTitle: string;
  /** The policy rules the approval rests on, e.g. "D, S.a". */
  rules: string;
  /** What approval did, told to the requester (and the person it was for). */
  approvedNote: string;
  /** What the approver reads before deciding: label and value, the same on a page and in an email. */
  facts: [label: string, value: string][];
  /** What a "Decision needed:" subject asks, where it reads better than `subject` ("remove a post from …"). */
  ask?: string;
  /** Told first to someone other than the requester who hears of the approval; default: who asked on their behalf. */
  behalfNote?: string;
  /** What the requester is told when the request expires; default: nobody decided in time. */
  expiredNote?: string;
  /** What happens after an approval of each step, shown to the approver who gave it. */
  afterApproval?: string[];
  /** How a confirm step (stepMode 'confirm') asks the requester to do what was approved and say so. */
  confirmation?: {
    heading: string;
    subject: string;
    reminderSubject: string;
    /** What to do now, in the email and on the page. */
    instruction: string;
    /** The email's link label and the page's one button. */
    link: string;
    button: string;
    /** A confirmation in the history: "confirmed removed". */
    done: string;
    /** What the person is told once their confirmation is recorded. */
    recorded: string;
  };
}

/** What describing a request may need besides the request: a removal's preserved record (H) and its decisions so far. */
export interface DescribeContext {
  record?: GovernanceRecord;
  approvals?: Approval[];
}

/** Reads the context a request's description needs (nothing for most kinds), from whatever store the caller has. */
export async function describeContext(
  request: GovernanceRequest,
  read: { record(recordId: string): Promise<GovernanceRecord | undefined>; approvals(requestId: string): Promise<Approval[]> },
  known: DescribeContext = {},
): Promise<DescribeContext> {
  if (request.kind !== 'POST_REMOVAL') return known;
  const [record, approvals] = await Promise.all([known.record ?? read.record(request.recordId), known.approvals ?? read.approvals(request.requestId)]);
  return { record, approvals };
}

/** Who decides each step; a step routed to the designee says why (nobody decides their own request). */
const chainFact = (request: GovernanceRequest, interested: string): [string, string] => [
  'Approval chain',
  request.steps.map((s) => `${s.title}: ${s.approverName}${s.routedToDesignee ? ` (designee: ${interested} holds this role)` : ''}`).join('\n'),
];

function describeNewAccount(request: AccountRequest): RequestDescription {
  const title = `new ${request.platformName} account ${request.proposedHandle}`;
  return {
    title,
    subject: `${title} for ${request.departmentName}`,
    article: 'a ',
    outcomeTitle: `${request.platformName} account ${request.proposedHandle}`,
    rules: `D${request.departmentCode === 'APD' ? ', S.a' : ''}`,
    approvedNote: 'Your request is approved. The account is in the City registry and your named admins hold posting authority (B). DTI has been told (O.b).',
    facts: [
      ['Request', request.requestId],
      ['Requested by', `${request.requester.name} (${request.requester.email})`],
      ['Department', request.departmentName],
      ['Platform', request.platformName],
      ['Proposed handle', request.proposedHandle],
      ['Purpose and strategy', request.purpose],
      ['Audience', request.audience],
      ['Risk assessment', request.riskAssessment],
      ['Proposed admins', request.admins.map((a) => a.name).join(', ')],
      ['Official-site checklist (E)', `${request.checklist.length} of ${policy.newAccountApproval.officialSiteChecklist.length} confirmed`],
      chainFact(request, 'the requester'),
    ],
  };
}

function describePostingAuthority(request: PostingAuthorityRequest): RequestDescription {
  const account = `${request.platformName} ${request.handle}`;
  const title = `posting authority for ${request.grantee.name} on ${account} (${request.role.toLowerCase()}, ${credentialWords(request.receivesCredential)})`;
  return {
    title,
    subject: capitalized(title),
    article: '',
    outcomeTitle: capitalized(title),
    rules: 'B',
    approvedNote: `${request.grantee.name} may now post for ${account} as ${request.role.toLowerCase()} (B). DTI has been told (O.b)${
      request.receivesCredential ? ' and will arrange the shared credential' : '; the shared credential is not to be given'
    }.`,
    facts: [
      ['Request', request.requestId],
      ['Requested by', `${request.requester.name} (${request.requester.email})`],
      ['For', `${request.grantee.name} (${request.grantee.email})`],
      ['Account', account],
      ['Department', request.departmentName],
      ['Role', request.role === 'ADMIN' ? 'Admin (manages the account and posts)' : 'Poster (posts for the account)'],
      ['Shared credential', request.receivesCredential ? 'Receives the shared credential (from DTI, O.b)' : 'Does not receive the shared credential'],
      ['Reason', request.reason],
      chainFact(request, request.grantee.id === request.requester.id ? 'the requester' : 'the requester or the person it is for'),
    ],
  };
}

const removalVerb = (request: PostRemovalRequest) => request.action.toLowerCase();

function describePostRemoval(request: PostRemovalRequest, context: DescribeContext): RequestDescription {
  const account = request.accountLabel;
  const actionLabel = policy.postRemoval.actions[request.action] ?? request.action;
  const approved = context.approvals ? supervisorApproval(request, context.approvals) : undefined;
  const approvedBy = approved?.decision.decidedByName ?? request.steps[0]?.approverName ?? 'Your supervisor';
  const removal = context.approvals ? removalConfirmation(request, context.approvals) : undefined;
  const content = context.record?.preserved?.content;
  const target = request.action === 'MERGE' && request.mergeTargetRef ? `, into ${request.mergeTargetRef}` : '';
  const title = `removal of a post from ${account} (${removalVerb(request)})`;
  const preserved: [string, string][] = content
    ? [
        ['Post text, as it stands', content.text || '(no text)'],
        ['Author', content.author],
        ['Published', content.publishedAt],
        ['Media links', content.mediaLinks.join('\n') || 'none'],
        ['Preserved as record (H)', request.recordId],
      ]
    : [['Preserved as record (H)', request.recordId]];
  return {
    title,
    subject: `removal of a post from ${account}`,
    article: 'the ',
    ask: `remove a post from ${account}`,
    outcomeTitle: `Removal of a post from ${account}`,
    rules: 'M.c, H',
    approvedNote: `${
      removal
        ? `${removal.removedByName} confirmed on ${formatWhen(removal.removedAt)} (Mountain) that the post ${request.postRef} is removed from ${account} (${removalVerb(request)})`
        : `The post ${request.postRef} is confirmed removed from ${account} (${removalVerb(request)})`
    }, as ${approvedBy} approved (M.c). Its content as it stood is kept as public record ${request.recordId} (H).`,
    behalfNote: 'You approved this removal (M.c). ',
    expiredNote: approved
      ? `${approvedBy} approved removing the post, but it was never confirmed removed, so the request has expired and the approval has lapsed. If the post is still up and is to come down, ask again.`
      : `Nobody decided it in time (your supervisor${request.steps[0]?.escalateToId ? ', then their supervisor' : ''}), so it has expired. Do not remove the post without approval (M.c); you can ask again.`,
    afterApproval: [`${request.requester.name} will be asked to remove the post now and confirm it. Both of you will hear when it is done.`],
    confirmation: {
      heading: `Approved by ${approvedBy}: remove it now, then confirm`,
      subject: `Approved by ${approvedBy}: remove it now, then confirm — ${account}`,
      reminderSubject: `Reminder: remove the post from ${account}, then confirm`,
      instruction: `${approvedBy} approved your request (M.c): ${actionLabel} — ${request.postRef} on ${account}${target}. Do it on ${request.platformName} now, then press “I have removed it” so that when, and by whom, is recorded.`,
      link: 'Confirm the removal',
      button: 'I have removed it',
      done: 'confirmed removed',
      recorded: `Your confirmation that the post is removed is recorded. You and ${approvedBy} will be emailed that it is done; the request page keeps its history.`,
    },
    facts: [
      ['Request', request.requestId],
      ['Requested by', `${request.requester.name} (${request.requester.email})`],
      ['Account', account],
      ['Department', request.departmentName],
      ['Action', actionLabel],
      ['Post', request.postRef],
      ...(request.action === 'MERGE' && request.mergeTargetRef ? ([['Merged into', request.mergeTargetRef]] as [string, string][]) : []),
      ['Reason', request.reason],
      ...preserved,
      ...(request.retention ? ([['Retention (I)', `${request.retention.label}: kept until ${request.retention.retainUntil}`]] as [string, string][]) : []),
      chainFact(request, 'the requester'),
    ],
  };
}

/** The one place a request's kind decides how it reads. */
export function describeRequest(request: GovernanceRequest, context: DescribeContext = {}): RequestDescription {
  switch (request.kind) {
    case 'POSTING_AUTHORITY':
      return describePostingAuthority(request);
    case 'POST_REMOVAL':
      return describePostRemoval(request, context);
    default:
      return describeNewAccount(request);
  }
}

/** The request as an approver needs to see it: what, for whom, why (for a new account the risks, D.a; for a removal the post as it stood, H). */
export function requestSummary(request: GovernanceRequest, context: DescribeContext = {}): SafeHtml {
  return html`<dl>${describeRequest(request, context).facts.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

/** How a person refers to a recorded decision: "approved", "rejected", or a confirm step's "confirmed removed". */
export function decisionWords(request: GovernanceRequest, step: number, outcome: string, context: DescribeContext = {}): string {
  const confirmation = stepMode(request.steps[step]) === 'confirm' ? describeRequest(request, context).confirmation : undefined;
  return confirmation && outcome === 'APPROVED' ? confirmation.done : outcome.toLowerCase();
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
  const { err, invalid } = fieldMarks(o.errors);
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

/**
 * A removal's records copy (H): the record's id, who preserved it when, its checksum and whether the
 * content still matches it, its retention (I), and when and by whom the post was confirmed removed.
 */
function removalRecordCard(request: PostRemovalRequest, approvals: Approval[], record: GovernanceRecord | undefined): SafeHtml {
  const removal = removalConfirmation(request, approvals);
  const removed = removal
    ? html`<strong>Removed</strong>: confirmed by ${removal.removedByName} on ${formatWhen(removal.removedAt)} (Mountain)`
    : request.status === 'PENDING'
      ? 'Not removed yet: it waits for the supervisor’s approval, then the requester’s confirmation.'
      : 'Not confirmed removed.';
  const integrity = record
    ? recordIntact(record)
      ? html`<span class="status APPROVED">intact</span> the content matches the checksum taken when it was preserved`
      : html`<span class="status FAILED">changed</span> the content does not match the checksum taken when it was preserved`
    : html`<span class="status FAILED">missing</span> the record could not be read`;
  return html`<div class="card"><h2>Public record (H)</h2><dl>
    <dt>Removal</dt><dd>${removed}</dd>
    <dt>Record</dt><dd>${request.recordId}</dd>
    ${record ? html`<dt>Preserved</dt><dd>${formatWhen(record.recordedAt)} (Mountain) by ${record.recordedByName}, before any step of the removal</dd><dt>SHA-256</dt><dd><code>${record.sha256}</code></dd>` : ''}
    <dt>Integrity</dt><dd>${integrity}</dd>
    ${record?.retention ? html`<dt>Retention (I)</dt><dd>${record.retention.label}: kept until ${record.retention.retainUntil}</dd>` : ''}
  </dl></div>`;
}

/** The request's page: status and the full history (the audit trail); for a removal, its public record (H). */
export function requestPage(request: GovernanceRequest, approvals: Approval[], viewer: Person, notice?: string, record?: GovernanceRecord): string {
  const context: DescribeContext = { approvals, record };
  const inRegistry =
    request.kind === 'NEW_ACCOUNT'
      ? request.accountId && html`<p><a href="/accounts">In the registry as ${request.accountId}</a></p>`
      : request.kind === 'POSTING_AUTHORITY'
        ? request.status === 'APPROVED' && html`<p><a href="/accounts">In the registry: ${request.grantee.name} holds this posting authority</a></p>`
        : '';
  return page({
    title: `Request ${request.requestId}`,
    signedInAs: viewer.name,
    body: html`${notice ? html`<div class="banner ok" role="status">${notice}</div>` : ''}
    <div class="card"><h1>${capitalized(describeRequest(request, context).title)} ${statusBadge(request.status)}</h1>
    ${requestSummary(request, context)}
    ${inRegistry}</div>
    ${request.kind === 'POST_REMOVAL' ? removalRecordCard(request, approvals, record) : ''}
    <div class="card"><h2>History</h2><table><thead><tr><th>When (Mountain)</th><th>What</th></tr></thead>
    <tbody>${historyRows(request, approvals)}</tbody></table></div>`,
  });
}

/** The signed-in person's own requests, so nobody has to keep the confirmation email to find one. */
export function myRequestsPage(requests: GovernanceRequest[], viewer: Person): string {
  return page({
    title: 'My requests',
    signedInAs: viewer.name,
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

/** One line per active grant: who, their role and credential, and who authorized them (B). */
const grantLine = (g: Grant) =>
  html`${g.personName} <span class="hint">(authorized by ${g.authorizedByName})</span> <span class="role">${g.role.toLowerCase()}${
    g.receivesCredential ? ', shared credential' : ''
  }</span><br>`;

export function registryPage(accounts: Account[], grants: Grant[], viewer: Person): string {
  const active = (id: string) =>
    grants
      .filter((g) => g.accountId === id && isActive(g))
      .sort((a, b) => grantRoles.indexOf(a.role) - grantRoles.indexOf(b.role) || a.personName.localeCompare(b.personName));
  return page({
    title: 'Registry',
    signedInAs: viewer.name,
    body: html`<div class="card"><h1>Registry of City social media accounts</h1>
    <p class="hint">Kept for DTI (O.b). Credentials are never shown here. Posting authority (B) is authorized by the account department's director; a post is removed only with the requester's supervisor's prior approval (M.c), corrections say what changed (M.b), and moderation removals name their rule K category.</p>
    <table><thead><tr><th>Platform</th><th>Handle</th><th>Department</th><th>Admins and posters (posting authority, B)</th><th>Status</th></tr></thead>
    <tbody>${accounts.map(
      (a) => html`<tr><td>${a.platformName}</td><td>${a.handle}</td><td>${a.departmentName}</td>
        <td>${active(a.accountId).map(grantLine)}<a href="/accounts/${encodeURIComponent(a.accountId)}/authority/new">Request posting authority</a>
        <br><a href="/accounts/${encodeURIComponent(a.accountId)}/removals/new">Request a post removal</a>
        · <a href="/accounts/${encodeURIComponent(a.accountId)}/edits/new">Record a correction</a>
        · <a href="/accounts/${encodeURIComponent(a.accountId)}/moderation/new">Record a moderation removal</a></td>
        <td>${statusBadge(a.status)}</td></tr>`,
    )}</tbody></table>
    ${accounts.length === 0 ? html`<p>No accounts yet.</p>` : ''}</div>`,
  });
}

export interface PostingAuthorityFormOptions {
  person: Person;
  account: Account;
  /** The account's grants (active ones are listed for the requester to see who already posts). */
  grants: Grant[];
  people: Person[];
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

/** The posting-authority form (B) for one account: who, which role, the shared credential, and why. */
export function postingAuthorityFormPage(o: PostingAuthorityFormOptions): string {
  const v = o.values ?? {};
  const value = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : '');
  const { err, invalid } = fieldMarks(o.errors);
  const grantee = value('granteeId') || o.person.id;
  const role = value('role');
  const credential = ticked(v.receivesCredential);
  const current = o.grants.filter((g) => isActive(g) && g.accountId === o.account.accountId);
  const dept = o.account.departmentCode;
  return page({
    title: 'Request posting authority',
    signedInAs: o.person.name,
    body: html`<div class="card"><h1>Request posting authority</h1>
    <p class="hint">Policy B: the department director authorizes each employee to post before they receive the credentials. You can ask for yourself; an admin of the account can ask for anyone. The director of ${o.account.departmentName} decides by email.</p>
    <dl><dt>Account</dt><dd>${o.account.platformName} ${o.account.handle}</dd><dt>Department</dt><dd>${o.account.departmentName}</dd>
    <dt>Posting authority now</dt><dd>${current.length ? current.map(grantLine) : 'Nobody'}</dd></dl></div>
    <div class="card">${o.errors ? html`<div class="banner error" role="alert">Please fix the fields marked below.</div>` : ''}
    <form method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/authority" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <label for="granteeId">Person <span class="hint">(who is to post)</span></label>
      <select id="granteeId" name="granteeId" ${invalid('granteeId')}>${o.people
        .filter((p) => !p.separatedOn)
        .sort((a, b) => Number(a.departmentCode !== dept) - Number(b.departmentCode !== dept) || a.name.localeCompare(b.name))
        .map(
          (p) => html`<option value="${p.id}" ${p.id === grantee ? html`selected` : ''}>${p.name} — ${p.title ?? ''} (${p.departmentCode})</option>`,
        )}</select>${err('granteeId')}
      <fieldset ${invalid('role')}><legend>Role</legend>
      <label class="check"><input type="radio" name="role" value="POSTER" ${role === 'POSTER' ? html`checked` : ''}> Poster <span class="hint">posts for the account</span></label>
      <label class="check"><input type="radio" name="role" value="ADMIN" ${role === 'ADMIN' ? html`checked` : ''}> Admin <span class="hint">manages the account and posts; may ask for others</span></label>
      </fieldset>${err('role')}
      <label class="check"><input type="checkbox" id="receivesCredential" name="receivesCredential" value="on" ${credential ? html`checked` : ''} ${invalid('receivesCredential')}> Receives the account's shared credential <span class="hint">(DTI keeps it, O.b; it is rotated when they leave, C)</span></label>${err('receivesCredential')}
      <label for="reason">Reason <span class="hint">(what they will post, and why they need to)</span></label>
      <textarea id="reason" name="reason" ${invalid('reason')}>${value('reason')}</textarea>${err('reason')}
      <button type="submit">Ask the director</button>
    </form></div>`,
  });
}

export interface PostRemovalFormOptions {
  person: Person;
  account: Account;
  /** The requester's supervisor from the HR directory (who decides), when the directory names one. */
  supervisor?: Person;
  submissionId: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  policy?: Policy;
}

/**
 * The removal form (M.c) for one account: which post, what to do with it and why, and the post as
 * it stands, which is preserved as a public record before anything else happens (H).
 */
export function postRemovalFormPage(o: PostRemovalFormOptions): string {
  const p = o.policy ?? policy;
  const v = o.values ?? {};
  const content = v.content && typeof v.content === 'object' ? (v.content as Record<string, unknown>) : {};
  const value = (k: string): string => {
    const raw = k.startsWith('content.') ? (content[k.slice(8)] ?? v[k]) : v[k];
    return Array.isArray(raw) ? raw.map(String).join('\n') : typeof raw === 'string' ? raw : '';
  };
  const { err, invalid } = fieldMarks(o.errors);
  const action = value('action');
  const account = `${o.account.platformName} ${o.account.handle}`;
  const decides = o.supervisor
    ? html`Your supervisor in the HR directory, <strong>${o.supervisor.name}</strong>, decides by email; then you remove the post and confirm it.`
    : html`<strong>The HR directory names no supervisor for you</strong>: ask HR to record one before you ask.`;
  return page({
    title: 'Request a post removal',
    signedInAs: o.person.name,
    body: html`<div class="card"><h1>Request a post removal</h1>
    <p class="hint">Policy M.c: a City post is deleted, merged or unpublished only with prior approval from a supervisor. Its content may be a public record (H), so what you enter below is preserved, unchangeable, before anything else happens. ${decides}</p>
    <dl><dt>Account</dt><dd>${account}</dd><dt>Department</dt><dd>${o.account.departmentName}</dd></dl></div>
    <div class="card">${o.errors ? html`<div class="banner error" role="alert">Please fix the fields marked below.</div>` : ''}
    <form method="post" action="/accounts/${encodeURIComponent(o.account.accountId)}/removals" novalidate>
      <input type="hidden" name="submissionId" value="${o.submissionId}">
      <label for="postRef">Post <span class="hint">(its web address, or its id on ${o.account.platformName})</span></label>
      <input type="text" id="postRef" name="postRef" value="${value('postRef')}" ${invalid('postRef')}>${err('postRef')}
      <fieldset ${invalid('action')}><legend>What is to happen to it</legend>
      ${(Object.entries(p.postRemoval.actions) as [string, string][]).map(
        ([id, label]) => html`<label class="check"><input type="radio" name="action" value="${id}" ${id === action ? html`checked` : ''}> ${label}</label>`,
      )}</fieldset>${err('action')}
      <label for="mergeTargetRef">Merged into <span class="hint">(for a merge only: the post it is merged into)</span></label>
      <input type="text" id="mergeTargetRef" name="mergeTargetRef" value="${value('mergeTargetRef')}" ${invalid('mergeTargetRef')}>${err('mergeTargetRef')}
      <label for="reason">Reason <span class="hint">(your supervisor reads it before deciding)</span></label>
      <textarea id="reason" name="reason" ${invalid('reason')}>${value('reason')}</textarea>${err('reason')}
      <fieldset><legend>The post as it stands now <span class="hint">(preserved as a public record, H)</span></legend>
      <label for="content.text">Text <span class="hint">(exactly as published)</span></label>
      <textarea id="content.text" name="content.text" ${invalid('content.text')}>${value('content.text')}</textarea>${err('content.text')}
      <label for="content.author">Author <span class="hint">(as the post shows it)</span></label>
      <input type="text" id="content.author" name="content.author" value="${value('content.author')}" ${invalid('content.author')}>${err('content.author')}
      <label for="content.publishedAt">Published <span class="hint">(date and time, as the platform shows it)</span></label>
      <input type="text" id="content.publishedAt" name="content.publishedAt" value="${value('content.publishedAt')}" ${invalid('content.publishedAt')}>${err('content.publishedAt')}
      <label for="content.mediaLinks">Media links <span class="hint">(images, video: one web address per line, at most 20)</span></label>
      <textarea id="content.mediaLinks" name="content.mediaLinks" ${invalid('content.mediaLinks')}>${value('content.mediaLinks')}</textarea>${err('content.mediaLinks')}
      </fieldset>
      <label for="retentionSchedule">Retention schedule <span class="hint">(I: most social media content has none; a press or news release does)</span></label>
      <select id="retentionSchedule" name="retentionSchedule" ${invalid('retentionSchedule')}><option value="">None</option>${Object.entries(
        p.records.retentionSchedules,
      ).map(
        ([id, s]) => html`<option value="${id}" ${id === value('retentionSchedule') ? html`selected` : ''}>${s.label}</option>`,
      )}</select>${err('retentionSchedule')}
      <button type="submit">Ask my supervisor</button>
    </form></div>`,
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
