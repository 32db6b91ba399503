import { describe, expect, it } from 'vitest';
import type { Approval, Decision } from '#core/approval';
import { hashSecret } from '#core/approval-link';
import { approvalEmail, outcomeEmail } from '#approval-chain/emails';
import { approvalPage, confirmDecisionPage, decisionRecordedPage, myRequestsPage, requestPage } from '#approval-chain/pages';
import { progressLine, requestProgress } from '#approval-chain/progress';
import type { PostRemovalRequest } from '#post-removal/post-removal';
import { viewerFor } from '#site/navigation';
import { accountRequest, approval, person, roleHolders } from '../fixtures.ts';

const attack = '<img src=x onerror=alert(1)>';
const escapedAttack = '&lt;img src=x onerror=alert(1)&gt;';

const secret = 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t';
const hostileRequest = accountRequest({
  purpose: `Promote programs ${attack}`,
  audience: `Families "quoted" & ${attack}`,
  proposedHandle: '@ABQ<b>Parks</b>',
  requester: { id: 'E102', name: `Ana ${attack}`, email: 'agallegos@cabq.example' },
});
const storedApproval = approval({ secretHash: hashSecret(secret) });
const viewer = (id: string) => viewerFor(person(id), roleHolders);

const decided = (outcome: Decision['outcome'], overrides: Partial<Decision> = {}): Decision => ({
  outcome,
  decidedAt: '2025-03-02T16:00:07.000Z',
  decidedById: 'E100',
  decidedByName: 'Dolores Baca',
  approvalId: storedApproval.approvalId,
  ...overrides,
});

/** The main content of a page: what follows the header's navigation. */
const mainOf = (page: string) => page.slice(page.indexOf('<main'), page.indexOf('</main>'));

/** A post removal asking a supervisor, its post given as `postRef`. */
function removalRequest(postRef: string): PostRemovalRequest {
  return {
    requestId: 'pr-20250520-0123456789abcdef',
    kind: 'POST_REMOVAL',
    status: 'PENDING',
    requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
    accountId: 'acct-20250301-0123456789abcdef',
    accountLabel: 'Instagram @ABQParks',
    platformId: 'instagram',
    platformName: 'Instagram',
    handle: '@ABQParks',
    departmentCode: 'PRD',
    departmentName: 'Parks and Recreation',
    postRef,
    action: 'DELETE',
    reason: 'The post gave the wrong date for the pool opening.',
    recordId: 'rec-20250520-0123456789abcdef',
    steps: [
      { role: 'SUPERVISOR', title: 'Supervisor', approverId: 'E101', approverName: 'Marcus Chavez', escalateToId: 'E100', routedToDesignee: false },
      {
        role: 'REQUESTER',
        title: 'Removal, confirmed by the requester',
        approverId: 'E102',
        approverName: 'Ana Gallegos',
        escalateToId: null,
        routedToDesignee: false,
      },
    ],
    createdAt: '2025-05-20T16:00:00.000Z',
  } as PostRemovalRequest;
}

describe('approvalPage', () => {
  const open = approvalPage({ request: hostileRequest, approval: storedApproval, state: { kind: 'open' }, secret });

  it('escapes user-supplied text', () => {
    expect(open).not.toContain(attack);
    expect(open).not.toContain('<b>Parks</b>');
    expect(open).toContain(`Promote programs ${escapedAttack}`);
    expect(open).toContain('Families &quot;quoted&quot; &amp; ');
  });

  it('carries the secret only in the hidden form field, never in the form action', () => {
    expect(open).toContain(`<form class="usa-form usa-form--large" method="post" action="/approvals/${storedApproval.approvalId}">`);
    expect(open).toContain(`<input type="hidden" name="s" value="${secret}">`);
    expect(open.split(secret)).toHaveLength(2);
  });

  it('asks for a decision with Approve, and Reject as the secondary button, in a USWDS form', () => {
    expect(mainOf(open)).toContain('Dolores Baca, your decision is requested.');
    expect(open).toContain('<button class="usa-button" type="submit" name="outcome" value="APPROVED">Approve</button>');
    expect(open).toContain('<button class="usa-button usa-button--secondary" type="submit" name="outcome" value="REJECTED">Reject</button>');
    expect(open).toContain('<label class="usa-label" for="reason">Reason</label>');
    expect(open).toContain('<textarea class="usa-textarea" id="reason" name="reason" maxlength="2000" aria-describedby="reason-hint"></textarea>');
    expect(open).toContain('<dl class="app-facts">');
  });

  it('says when the decision is due, to the second with the zone', () => {
    // Made at 16:00:05 UTC on Mar 1; due three days later (policy.waits.decisionWaitSeconds).
    expect(open).toContain('Please decide by Mar 4, 2025, 9:00:05 AM MST.');
  });

  it('shows no form and no secret once the link is decided, and asks for nothing', () => {
    const page = approvalPage({
      request: hostileRequest,
      approval: storedApproval,
      state: { kind: 'decided', decision: decided('REJECTED', { reason: 'dup' }) },
      secret,
    });
    expect(page).not.toContain('<form');
    expect(page).not.toContain(secret);
    expect(page).not.toContain('your decision is requested');
    expect(page).toContain('<h1>New Instagram account @ABQ&lt;b&gt;Parks&lt;/b&gt;: already rejected</h1>');
    expect(page).toContain('This request was already rejected by Dolores Baca on Mar 2, 2025, 9:00:07 AM MST. Nothing more is needed from you.');
  });

  it('says a superseded link went to the designee, escaped, and asks for nothing', () => {
    const page = approvalPage({
      request: hostileRequest,
      approval: storedApproval,
      state: { kind: 'superseded', to: attack, at: '2025-03-04T16:00:00.000Z' },
      secret,
    });
    expect(page).not.toContain(attack);
    expect(page).not.toContain('<form');
    expect(page).not.toContain('your decision is requested');
    expect(page).toContain(`<h1>New Instagram account @ABQ&lt;b&gt;Parks&lt;/b&gt;: passed to ${escapedAttack}</h1>`);
    expect(page).toContain(`the decision was passed to ${escapedAttack} on Mar 4, 2025, 9:00:00 AM MST because it was not answered in time.`);
  });

  it('says a closed request can no longer be decided, and asks for nothing', () => {
    const page = approvalPage({
      request: { ...hostileRequest, status: 'EXPIRED' },
      approval: storedApproval,
      state: { kind: 'closed', status: 'EXPIRED' },
      secret,
    });
    expect(page).not.toContain('<form');
    expect(page).not.toContain('your decision is requested');
    expect(page).toContain('<h1>New Instagram account @ABQ&lt;b&gt;Parks&lt;/b&gt;: expired</h1>');
    expect(page).toContain('This request is expired; it can no longer be decided. Nothing more is needed from you.');
  });

  it('shows neither the request nor the form for a forbidden link', () => {
    const forbidden = approvalPage({ request: hostileRequest, approval: storedApproval, state: { kind: 'forbidden' }, secret: 'guess' });
    expect(forbidden).not.toContain('<form');
    expect(forbidden).not.toContain('Promote programs');
    expect(forbidden).toContain('<h1>This link is not valid</h1>');
  });

  it('puts an escaped error summary first in main, linked to the reason, and ties the error to the field', () => {
    const page = approvalPage({
      request: hostileRequest,
      approval: storedApproval,
      state: { kind: 'open' },
      secret,
      errors: { reason: attack },
      reason: `ab ${attack}`,
    });
    expect(mainOf(page)).toMatch(
      /^<main id="main-content" class="grid-container app-main" tabindex="-1"><div class="usa-alert usa-alert--error" role="alert" id="error-summary"/,
    );
    expect(page).toContain(`<li><a href="#reason">${escapedAttack}</a></li>`);
    expect(page).toContain(`<span class="usa-error-message" id="reason-error">${escapedAttack}</span>`);
    expect(page).toContain(`aria-invalid="true" aria-describedby="reason-error reason-hint">ab ${escapedAttack}</textarea>`);
    expect(page).toContain('<div class="usa-form-group usa-form-group--error">');
    expect(page).toContain('<title>Error: Approval · City of Albuquerque social media</title>');
  });

  it('lists the official-site checklist item by item, each marked confirmed', () => {
    expect(open).toContain(
      '<dt>Official-site checklist (E)</dt><dd><ul class="usa-list usa-list--unstyled"><li>The account name identifies it as the City of Albuquerque (or the department / program) (E): confirmed</li>',
    );
    expect(open).not.toContain('5 of 5 confirmed');
  });

  it('makes an http(s) post address a link that opens in a new tab, and says so to screen readers', () => {
    const url = 'https://www.instagram.com/p/abc/?q="x"&y=<b>';
    const page = approvalPage({
      request: removalRequest(url),
      approval: approval({ requestId: 'pr-20250520-0123456789abcdef' }),
      state: { kind: 'open' },
      secret,
    });
    expect(page).toContain(
      '<dt>Post</dt><dd><a class="usa-link" href="https://www.instagram.com/p/abc/?q=&quot;x&quot;&amp;y=&lt;b&gt;" target="_blank" rel="noopener noreferrer" aria-describedby="opens-in-new-tab">https://www.instagram.com/p/abc/?q=&quot;x&quot;&amp;y=&lt;b&gt;</a></dd>',
    );
    expect(page).toContain('<span id="opens-in-new-tab" hidden>opens in a new tab</span>');
  });

  it.each([
    ['a javascript: address', 'javascript:alert(1)'],
    ['a data: address', 'data:text/html,<b>x</b>'],
    ['a platform id', '1234567890'],
    ['a relative path', '/p/abc'],
  ])('leaves %s as text, not a link', (_what, postRef) => {
    const page = approvalPage({
      request: removalRequest(postRef),
      approval: approval({ requestId: 'pr-20250520-0123456789abcdef' }),
      state: { kind: 'open' },
      secret,
    });
    expect(page).toContain(`<dt>Post</dt><dd>${postRef.replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</dd>`);
    expect(page).not.toContain('target="_blank"');
    expect(page).not.toContain('opens-in-new-tab');
  });
});

describe('confirmDecisionPage', () => {
  it('asks before a final rejection, showing the escaped reason, and posts the same fields with confirmed=yes', () => {
    const page = confirmDecisionPage({ request: hostileRequest, approval: storedApproval, secret, outcome: 'REJECTED', reason: `Duplicate ${attack}` });
    expect(page).not.toContain(attack);
    expect(page).toContain('<h1>Reject this request?</h1>');
    expect(page).toContain(`<p>This is final; the requester will be emailed your reason:</p><blockquote><p>Duplicate ${escapedAttack}</p></blockquote>`);
    expect(page).toContain(`<form method="post" action="/approvals/${storedApproval.approvalId}">`);
    expect(page).toContain('<input type="hidden" name="outcome" value="REJECTED">');
    expect(page).toContain(`<input type="hidden" name="reason" value="Duplicate ${escapedAttack}">`);
    expect(page).toContain('<button class="usa-button usa-button--secondary" type="submit" name="confirmed" value="yes">Yes, reject</button>');
    expect(page).toContain('<button class="usa-button usa-button--outline" type="submit" name="confirmed" value="no">Go back</button>');
    expect(page.split(secret)).toHaveLength(2);
    expect(page).not.toContain(`?s=`);
  });

  it('asks before a final approval, saying what it starts', () => {
    const page = confirmDecisionPage({ request: hostileRequest, approval: storedApproval, secret, outcome: 'APPROVED' });
    expect(page).toContain('<h1>Approve this request?</h1>');
    expect(page).toContain('<p>This is final. The request moves to the next approver, or is closed approved if yours is the last step.</p>');
    expect(page).toContain('<button class="usa-button" type="submit" name="confirmed" value="yes">Yes, approve</button>');
  });
});

describe('decisionRecordedPage', () => {
  it('says what was recorded and what happens next, with links to the request and My work', () => {
    const page = decisionRecordedPage(hostileRequest, storedApproval, 'REJECTED');
    expect(page).toContain('<h1>Thank you, Dolores Baca</h1>');
    expect(page).toContain(`Your decision (rejected) on request ${hostileRequest.requestId} is recorded.`);
    expect(page).toContain('<p>The requester will be emailed your reason, and the request is closed as rejected.</p>');
    expect(page).toContain(`<a class="usa-link" href="/requests/${hostileRequest.requestId}">See the request and its history</a>`);
    expect(page).toContain('<a class="usa-link" href="/">Go to My work</a>');
  });
});

describe('requestPage', () => {
  const rejected = approval({ decision: decided('REJECTED', { reason: `No ${attack}` }) });
  const page = requestPage(hostileRequest, [rejected], viewer('E400'), `Saved ${attack}`);

  it('escapes user-supplied text in the summary, the history and the notice', () => {
    expect(page).not.toContain(attack);
    expect(page).toContain(`Promote programs ${escapedAttack}`);
    expect(page).toContain(`“No ${escapedAttack}”`);
    expect(page).toContain(`Saved ${escapedAttack}`);
  });

  it('never shows a link secret hash, a link id or an approval id', () => {
    expect(page).not.toContain(rejected.secretHash);
    expect(page).not.toContain(rejected.approvalId);
    expect(page).not.toContain(rejected.approvalId.slice(0, 6));
    expect(page).not.toContain('from link');
    expect(page).not.toContain('(link ');
  });

  it('gives every time in the history to the second, in Mountain time with the zone named', () => {
    expect(page).toContain('<td data-label="When"><time datetime="2025-03-01T16:00:00.000Z">Mar 1, 2025, 9:00:00 AM MST</time></td>');
    expect(page).toContain('<td data-label="When"><time datetime="2025-03-01T16:00:06.000Z">Mar 1, 2025, 9:00:06 AM MST</time></td>');
    expect(page).toContain('<td data-label="When"><time datetime="2025-03-02T16:00:07.000Z">Mar 2, 2025, 9:00:07 AM MST</time></td>');
    expect(page).toContain('<table class="usa-table usa-table--borderless usa-table--stacked width-full">');
  });

  it('shows where a pending request stands: step, with whom since when, due when', () => {
    const waiting = requestPage(accountRequest(), [approval()], viewer('E102'));
    expect(waiting).toContain('<div class="usa-step-indicator usa-step-indicator--counters-sm" aria-label="Approval progress">');
    expect(waiting).toContain(
      '<p>Step 1 of 2, Department Director (Parks and Recreation): with Dolores Baca since Mar 1, 2025 · due Mar 4, 2025, 9:00:05 AM MST</p>',
    );
    expect(waiting).toContain('aria-current="page">My requests</a>');
  });

  it('links the account a request created', () => {
    const approved = requestPage(accountRequest({ status: 'APPROVED', accountId: 'acct-20250301-0123456789abcdef' }), [], viewer('E102'));
    expect(approved).toContain('<a class="usa-link" href="/accounts/acct-20250301-0123456789abcdef">Instagram account @ABQParks in the registry</a>');
    expect(requestPage(accountRequest(), [], viewer('E102'))).not.toContain('href="/accounts/acct-');
  });
});

describe('myRequestsPage', () => {
  it('gives each request its status and, for a pending one, where it stands, in a stacked table', () => {
    const closed = accountRequest({ requestId: 'na-20250302-0123456789abcdef', status: 'REJECTED', proposedHandle: '@ABQPools' });
    const page = myRequestsPage([accountRequest(), closed], viewer('E102'), { [accountRequest().requestId]: [approval()] as Approval[] });
    expect(page).toContain('<table class="usa-table usa-table--borderless usa-table--stacked width-full">');
    expect(page).toContain(`<a class="usa-link" href="/requests/${accountRequest().requestId}">New Instagram account @ABQParks</a>`);
    expect(page).toContain(
      '<span class="app-hint">Step 1 of 2, Department Director (Parks and Recreation): with Dolores Baca since Mar 1, 2025 · due Mar 4, 2025, 9:00:05 AM MST</span>',
    );
    expect(page).toContain('<td data-label="Status"><span class="app-status app-status--rejected">rejected</span></td>');
    expect(page).toContain('<td data-label="Submitted">Mar 1, 2025</td>');
  });
});

describe('progressLine', () => {
  it('names the step when no link is out yet', () => {
    expect(progressLine(requestProgress(accountRequest(), []))).toBe(
      'Step 1 of 2, Department Director (Parks and Recreation): the approval email is on its way',
    );
  });
});

describe('approvalEmail', () => {
  const link = `https://example.test/approvals/${storedApproval.approvalId}?s=${secret}`;
  const email = approvalEmail({ request: hostileRequest, approval: storedApproval, link, kind: 'initial', dueBy: '2025-03-04T16:00:00.000Z' });

  it('carries the link in both the html and the text', () => {
    expect(email.html).toContain(`href="${link}"`);
    expect(email.text).toContain(`Review and decide: ${link}`);
  });

  it('never contains the stored secret hash', () => {
    expect(email.html).not.toContain(storedApproval.secretHash);
    expect(email.text).not.toContain(storedApproval.secretHash);
    expect(email.subject).not.toContain(storedApproval.secretHash);
  });

  it('escapes user text in the html', () => {
    expect(email.html).not.toContain(attack);
    expect(email.html).not.toContain('<b>Parks</b>');
    expect(email.html).toContain(`Promote programs ${escapedAttack}`);
  });

  it('asks the step’s approver by title', () => {
    expect(email.subject).toBe('Decision needed: new Instagram account @ABQ<b>Parks</b> for Parks and Recreation');
    expect(email.text).toContain('as Department Director (Parks and Recreation)');
  });

  it('says who the escalation comes from', () => {
    const escalation = approvalEmail({
      request: hostileRequest,
      approval: { ...storedApproval, round: 1 },
      link,
      kind: 'escalation',
      dueBy: '2025-03-04T16:00:00.000Z',
      escalatedFrom: 'Dolores Baca',
    });
    expect(escalation.subject).toMatch(/^Escalated to you:/);
    expect(escalation.text).toContain('Dolores Baca did not answer in time');
  });
});

describe('outcomeEmail', () => {
  it('gives the requester the rejection reason, escaped in the html', () => {
    const email = outcomeEmail({
      request: hostileRequest,
      outcome: 'REJECTED',
      reason: `Duplicate ${attack}`,
      decidedBy: 'Dolores Baca',
      requestUrl: 'https://example.test/requests/x',
    });
    expect(email.text).toContain(`Dolores Baca rejected your request. Reason: Duplicate ${attack}`);
    expect(email.html).toContain(`Reason: Duplicate ${escapedAttack}`);
    expect(email.html).not.toContain(attack);
  });
});
