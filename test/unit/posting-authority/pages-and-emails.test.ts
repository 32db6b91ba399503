import { describe, expect, it } from 'vitest';
import { hashSecret } from '#core/approval-link';
import { approvalEmail, failureNoticeEmail, outcomeEmail } from '#approval-chain/emails';
import { approvalPage, myRequestsPage, requestPage } from '#approval-chain/pages';
import { account, accountRequest, approval, grant, paRequestId, person, postingAuthorityRequest, roleHolders } from '../fixtures.ts';
import { viewerFor } from '#site/navigation';
import { postingAuthorityNoticeEmail } from '#posting-authority/emails';
import { describeRequest } from '#approval-chain/kinds';
import { postingAuthorityFormPage } from '#posting-authority/form-page';

const attack = '<img src=x onerror=alert(1)>';
const escapedAttack = '&lt;img src=x onerror=alert(1)&gt;';
const secret = 'S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t';

describe('posting-authority requests in pages and emails', () => {
  const request = postingAuthorityRequest({
    requester: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example' },
    grantee: { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
    platformName: 'Facebook',
    handle: '@abqparks',
  });
  const hostile = postingAuthorityRequest({
    grantee: { id: 'E103', name: `Tom ${attack}`, email: 'tsandoval@cabq.example' },
    reason: `Schedules ${attack}`,
    handle: '@abq<b>parks</b>',
  });
  const paApproval = approval({ requestId: paRequestId, secretHash: hashSecret(secret) });
  const link = `https://example.test/approvals/${paApproval.approvalId}?s=${secret}`;

  it('names who, which account, the role and the credential', () => {
    expect(describeRequest(request).subject).toBe('Posting authority for Tom Sandoval on Facebook @abqparks (poster, receives the shared credential)');
    expect(describeRequest({ ...request, role: 'ADMIN', receivesCredential: false }).subject).toBe(
      'Posting authority for Tom Sandoval on Facebook @abqparks (admin, without the shared credential)',
    );
  });

  it('asks the director by policy B in the approval email, with the reason', () => {
    const email = approvalEmail({ request, approval: paApproval, link, kind: 'initial', dueBy: '2025-03-13T16:00:00.000Z' });
    expect(email.subject).toBe('Decision needed: Posting authority for Tom Sandoval on Facebook @abqparks (poster, receives the shared credential)');
    expect(email.text).toContain('Ana Gallegos asks for your approval as Department Director (Parks and Recreation) (policy B).');
    expect(email.text).toContain(`Reason: ${request.reason}`);
    expect(email.text).toContain('Shared credential: Receives the shared credential (from DTI, O.b)');
    const reminder = approvalEmail({ request, approval: paApproval, link, kind: 'reminder', dueBy: '2025-03-13T16:00:00.000Z' });
    expect(reminder.subject).toBe(
      'Reminder: your decision is needed on Posting authority for Tom Sandoval on Facebook @abqparks (poster, receives the shared credential)',
    );
  });

  it('escapes the grantee, the handle and the reason in the approval email and page', () => {
    const email = approvalEmail({ request: hostile, approval: paApproval, link, kind: 'initial', dueBy: '2025-03-13T16:00:00.000Z' });
    const open = approvalPage({ request: hostile, approval: paApproval, state: { kind: 'open' }, secret });
    for (const out of [email.html, open]) {
      expect(out).not.toContain(attack);
      expect(out).not.toContain('<b>parks</b>');
      expect(out).toContain(`Schedules ${escapedAttack}`);
      expect(out).toContain(`Tom ${escapedAttack}`);
    }
  });

  it('heads the approval and request pages with what is asked', () => {
    const open = approvalPage({ request, approval: paApproval, state: { kind: 'open' }, secret });
    expect(open).toContain(
      '<h1>Department Director (Parks and Recreation): posting authority for Tom Sandoval on Facebook @abqparks (poster, receives the shared credential)</h1>',
    );
    const shown = requestPage({ ...request, status: 'APPROVED' }, [], viewerFor(person('E102'), roleHolders));
    expect(shown).toContain(
      '<h1>Posting authority for Tom Sandoval on Facebook @abqparks (poster, receives the shared credential) <span class="app-status app-status--approved">approved</span></h1>',
    );
    expect(shown).toContain('Tom Sandoval holds this posting authority');
  });

  it('tells the grantee who asked on their behalf, and both the rejection reason', () => {
    const rejected = {
      request: hostile,
      outcome: 'REJECTED' as const,
      reason: `No ${attack}`,
      decidedBy: 'Dolores Baca',
      requestUrl: 'https://example.test/requests/x',
    };
    const toRequester = outcomeEmail(rejected);
    const toGrantee = outcomeEmail({ ...rejected, request: { ...hostile, requester: person('E102') }, to: hostile.grantee });
    expect(toRequester.text).toContain(`Dolores Baca rejected your request. Reason: No ${attack}`);
    expect(toGrantee.text).toContain(`Dolores Baca rejected the request Ana Gallegos made for you. Reason: No ${attack}`);
    expect(toGrantee.text.startsWith(`Tom ${attack},`)).toBe(true);
    expect(toGrantee.html).not.toContain(attack);
    const approved = outcomeEmail({ request, to: request.grantee, outcome: 'APPROVED', requestUrl: 'https://example.test/requests/x' });
    expect(approved.subject).toBe('Approved: Posting authority for Tom Sandoval on Facebook @abqparks (poster, receives the shared credential)');
    expect(approved.text).toContain('Ana Gallegos asked for this on your behalf. Tom Sandoval may now post for Facebook @abqparks as poster (B).');
  });

  it('tells DTI whether the person is to receive the shared credential, and to rotate it when they lose it', () => {
    const given = postingAuthorityNoticeEmail({
      request,
      grant: grant({ personId: 'E103', role: 'POSTER' }),
      replaced: [],
      registryUrl: 'https://example.test/accounts',
    });
    expect(given.text).toContain('Tom Sandoval is to receive the shared credential of Facebook @abqparks.');
    expect(given.text).not.toContain('rotate');
    const lost = postingAuthorityNoticeEmail({
      request: { ...request, receivesCredential: false },
      grant: grant({ personId: 'E103', role: 'POSTER', receivesCredential: false }),
      replaced: [grant({ personId: 'E103', status: 'REVOKED' })],
      registryUrl: 'https://example.test/accounts',
    });
    expect(lost.text).toContain('Tom Sandoval is not to receive the shared credential of Facebook @abqparks.');
    expect(lost.text).toContain('had the shared credential before: rotate it (C)');
    expect(lost.text).toContain(`Replaces: admin, receives the shared credential (from ${accountRequest().requestId})`);
  });

  it('escapes user text in DTI’s notice and the failure notice', () => {
    const notice = postingAuthorityNoticeEmail({
      request: hostile,
      grant: grant({ personName: `Tom ${attack}` }),
      replaced: [],
      registryUrl: 'https://example.test/accounts',
    });
    expect(notice.html).not.toContain(attack);
    expect(notice.html).toContain(`Tom ${escapedAttack}`);
    const failure = failureNoticeEmail({ request: hostile, reason: 'x' });
    expect(failure.html).not.toContain(attack);
    expect(failure.html).toContain(`Posting authority for Tom ${escapedAttack}`);
  });

  it('lists both kinds on My requests', () => {
    const mine = myRequestsPage([accountRequest(), request], viewerFor(person('E102'), roleHolders));
    expect(mine).toContain('>New Instagram account @ABQParks</a>');
    expect(mine).toContain(
      `<a class="usa-link" href="/requests/${paRequestId}">Posting authority for Tom Sandoval on Facebook @abqparks (poster, receives the shared credential)</a>`,
    );
  });
});

describe('postingAuthorityFormPage', () => {
  const options = { viewer: viewerFor(person('E103'), roleHolders), account: account(), grants: [grant()], submissionId: 'sub-12345678' };

  it('opens with the requester in the person field, the hints and required marks, and the one-time submission id', () => {
    const form = postingAuthorityFormPage(options);
    expect(form).toContain('id="grantee" name="grantee" value="tsandoval@cabq.example"');
    expect(form).toContain('data-people-search list="grantee-people"');
    expect(form).toContain('<span class="usa-hint" id="reason-hint">What they will post, and why they need to: at least 10 characters.</span>');
    expect(form).toContain('<label class="usa-label" for="reason">Reason <abbr title="required"');
    expect(form).toContain('<input type="hidden" name="submissionId" value="sub-12345678">');
    expect(form).toContain(`<form class="usa-form usa-form--large" method="post" action="/accounts/${account().accountId}/authority" novalidate>`);
    expect(form).not.toContain('<select');
    expect(form).not.toContain('style=');
  });

  it('marks invalid fields, links them from the error summary, and keeps what was entered, escaped', () => {
    const form = postingAuthorityFormPage({
      ...options,
      values: { grantee: 'iromero@cabq.example', role: 'ADMIN', receivesCredential: 'on', reason: attack },
      errors: { reason: 'say why this person needs to post for the account (at least 10 characters)' },
    });
    expect(form).toContain('<a href="#reason">say why this person needs to post for the account (at least 10 characters)</a>');
    expect(form).toContain('aria-invalid="true" aria-describedby="reason-error reason-hint"');
    expect(form).toContain('<span class="usa-error-message" id="reason-error">say why');
    expect(form).toContain('id="grantee" name="grantee" value="iromero@cabq.example"');
    expect(form).toContain('value="ADMIN" checked');
    expect(form).toContain('value="on" checked');
    expect(form).not.toContain(attack);
    expect(form).toContain(escapedAttack);
  });
});
