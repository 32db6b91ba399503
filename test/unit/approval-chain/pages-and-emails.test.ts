import { describe, expect, it } from 'vitest';
import type { Decision } from '#core/approval';
import { hashSecret } from '#core/approval-link';
import { approvalEmail, failureNoticeEmail, outcomeEmail } from '#approval-chain/emails';
import { escapeHtml, html } from '#core/html';
import { approvalPage, myRequestsPage, requestPage } from '#approval-chain/pages';
import { account, accountRequest, approval, grant, paRequestId, people, person, postingAuthorityRequest } from '../fixtures.ts';
import { postingAuthorityNoticeEmail } from '#posting-authority/emails';
import { describeRequest } from '#approval-chain/kinds';
import { postingAuthorityFormPage } from '#posting-authority/form-page';
import { registryPage } from '#registry/pages';

const attack = '<img src=x onerror=alert(1)>';
const escapedAttack = '&lt;img src=x onerror=alert(1)&gt;';

describe('approvalPage', () => {
  const open = approvalPage({ request: hostileRequest, approval: storedApproval, state: { kind: 'open' }, secret });

  it('escapes user-supplied text', () => {
    expect(open).not.toContain(attack);
    expect(open).not.toContain('<b>Parks</b>');
    expect(open).toContain(`Promote programs ${escapedAttack}`);
    expect(open).toContain('Families &quot;quoted&quot; &amp; ');
  });

  it('carries the secret only in the hidden form field, never in the form action', () => {
    expect(open).toContain(`<form method="post" action="/approvals/${storedApproval.approvalId}">`);
    expect(open).toContain(`<input type="hidden" name="s" value="${secret}">`);
    expect(open.split(secret)).toHaveLength(2);
  });

  it('offers Approve and Reject on an open link', () => {
    expect(open).toContain('name="outcome" value="APPROVED"');
    expect(open).toContain('name="outcome" value="REJECTED"');
  });

  it('shows no form and no secret once the link is decided', () => {
    const decision: Decision = {
      outcome: 'REJECTED',
      reason: 'dup',
      decidedAt: '2025-03-02T16:00:00.000Z',
      decidedById: 'E100',
      decidedByName: 'Dolores Baca',
      approvalId: storedApproval.approvalId,
    };
    const decided = approvalPage({ request: hostileRequest, approval: storedApproval, state: { kind: 'decided', decision }, secret });
    expect(decided).not.toContain('<form');
    expect(decided).not.toContain(secret);
    expect(decided).toContain('already rejected by Dolores Baca');
  });

  it('shows neither the request nor the form for a forbidden link', () => {
    const forbidden = approvalPage({ request: hostileRequest, approval: storedApproval, state: { kind: 'forbidden' }, secret: 'guess' });
    expect(forbidden).not.toContain('<form');
    expect(forbidden).not.toContain('Promote programs');
    expect(forbidden).toContain('This link is not valid');
  });

  it('escapes the superseding designee’s name', () => {
    const superseded = approvalPage({
      request: hostileRequest,
      approval: storedApproval,
      state: { kind: 'superseded', to: attack, at: '2025-03-04T16:00:00.000Z' },
      secret,
    });
    expect(superseded).not.toContain(attack);
    expect(superseded).toContain(`passed to ${escapedAttack}`);
  });

  it('escapes validation messages shown on the form', () => {
    const page = approvalPage({ request: hostileRequest, approval: storedApproval, state: { kind: 'open' }, secret, errors: { reason: attack } });
    expect(page).toContain(`<p class="error">${escapedAttack}</p>`);
  });
});

describe('requestPage', () => {
  const decided = approval({
    decision: {
      outcome: 'REJECTED',
      reason: `No ${attack}`,
      decidedAt: '2025-03-02T16:00:00.000Z',
      decidedById: 'E100',
      decidedByName: 'Dolores Baca',
      approvalId: storedApproval.approvalId,
    },
  });
  const page = requestPage(hostileRequest, [decided], person('E400'), `Saved ${attack}`);

  it('escapes user-supplied text in the summary, the history and the notice', () => {
    expect(page).not.toContain(attack);
    expect(page).toContain(`Promote programs ${escapedAttack}`);
    expect(page).toContain(`“No ${escapedAttack}”`);
    expect(page).toContain(`Saved ${escapedAttack}`);
  });

  it('never shows a link secret hash', () => {
    expect(page).not.toContain(decided.secretHash);
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
