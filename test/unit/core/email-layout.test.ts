import { describe, expect, it } from 'vitest';
import { approvalEmail, failureNoticeEmail, outcomeEmail, receiptEmail } from '#approval-chain/emails';
import type { EmailContent } from '#core/email-layout';
import { formatWhen } from '#core/html';
import { registryNoticeEmail } from '#new-account/emails';
import { offboardingAlertEmail, offboardingSummaryEmail, taskEmail } from '#offboarding/emails';
import { postingAuthorityNoticeEmail } from '#posting-authority/emails';
import { account, accountRequest, approval, grant, postingAuthorityRequest, rotationTask } from '../fixtures.ts';

const base = 'https://governance.example.test';
const link = `${base}/approvals/AbCdEfGhIjKlMnOpQrStUv?s=secret`;
const request = accountRequest();
const summary = {
  accountId: 'a1',
  accountLabel: 'Instagram @ABQParks',
  departmentName: 'Parks and Recreation',
  revoked: 'revoked',
  rotation: 'pending',
  appointment: 'not needed',
  attention: true,
  failed: false,
};
const offboarding = {
  offboardingId: 'off-E102-20260115',
  employee: { id: 'E102', name: 'Ana Gallegos', email: 'agallegos@cabq.example', departmentCode: 'PRD' },
  separationDate: '2026-01-15',
  notBefore: '2026-01-15T07:00:00.000Z',
  status: 'IN_PROGRESS' as const,
  createdAt: '2026-01-14T16:00:00.000Z',
};

/** Every email the workflows send, by name. */
const emails: Record<string, EmailContent> = {
  approval: approvalEmail({ request, approval: approval(), link, kind: 'initial', dueBy: '2025-03-04T16:00:00.000Z', after: 'reminder' }),
  receipt: receiptEmail({ request, firstApprover: 'Dolores Baca', dueBy: '2025-03-04T16:00:05.000Z', requestUrl: `${base}/requests/${request.requestId}` }),
  outcome: outcomeEmail({ request, outcome: 'EXPIRED', requestUrl: `${base}/requests/${request.requestId}` }),
  failure: failureNoticeEmail({ request, reason: 'States.Timeout', requestUrl: `${base}/requests/${request.requestId}` }),
  registry: registryNoticeEmail({ request, account: account(), registryUrl: `${base}/accounts` }),
  postingAuthority: postingAuthorityNoticeEmail({ request: postingAuthorityRequest(), grant: grant(), replaced: [], registryUrl: `${base}/accounts` }),
  task: taskEmail({
    task: rotationTask(),
    recipient: { id: 'E103', name: 'Tom Sandoval', email: 'tsandoval@cabq.example' },
    link,
    kind: 'initial',
    dueBy: '2026-01-18T16:00:00.000Z',
  }),
  summary: offboardingSummaryEmail({ offboarding, summaries: [summary], stage: 'STARTED', recordUrl: `${base}/offboardings/off-E102-20260115` }),
  alert: offboardingAlertEmail({
    employeeId: 'E102',
    separationDate: '2026-01-15',
    problem: 'FAILED',
    error: 'States.TaskFailed',
    recordUrl: `${base}/offboardings/off-E102-20260115`,
    summaries: [summary],
  }),
};

const hrefs = (html: string) => [...html.matchAll(/<a\b[^>]*\bhref="([^"]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));

describe.each(Object.entries(emails))('the %s email', (_name, email) => {
  it('fits a phone: a viewport, one fluid column at most 600 px wide, long words wrapping, no fixed-width table', () => {
    expect(email.html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(email.html).toContain('max-width:600px;');
    expect(email.html).toContain('overflow-wrap:anywhere');
    expect(email.html).not.toMatch(/<table|\bwidth="|[^-]width:\s*\d+px/);
  });

  it('opens every link in a new tab', () => {
    const anchors = [...email.html.matchAll(/<a\b[^>]*>/g)].map((m) => m[0]);
    expect(anchors.length).toBeGreaterThan(0);
    for (const a of anchors) expect(a).toContain('target="_blank" rel="noopener noreferrer"');
  });

  it('carries every link of its html in its plain text too', () => {
    for (const href of hrefs(email.html)) expect(email.text).toContain(href);
  });
});

describe('receiptEmail', () => {
  const email = emails.receipt as EmailContent;

  it('says what was asked, its reference, who decides first and by when, and that the outcome is emailed', () => {
    expect(email.subject).toBe('Received: new Instagram account @ABQParks for Parks and Recreation');
    expect(email.text).toContain(`Your request for a new Instagram account @ABQParks is submitted. Its reference is ${request.requestId}.`);
    expect(email.text).toContain(
      `It goes through 2 steps; the first is decided by Dolores Baca (Department Director (Parks and Recreation)), who is asked to answer by ${formatWhen('2025-03-04T16:00:05.000Z')}.`,
    );
    expect(formatWhen('2025-03-04T16:00:05.000Z')).toBe('Mar 4, 2025, 9:00:05 AM MST');
    expect(email.text).toContain('You will get an email when the request is approved, rejected or expires.');
    expect(email.text).not.toContain('each decision');
    expect(email.text).toContain(`The request: ${base}/requests/${request.requestId}`);
  });

  it('reads as one step for a one-step chain', () => {
    const one = receiptEmail({
      request: postingAuthorityRequest(),
      firstApprover: 'Dolores Baca',
      dueBy: '2025-03-13T16:00:00.000Z',
      requestUrl: `${base}/requests/x`,
    });
    expect(one.text).toContain('It is decided by Dolores Baca (');
  });
});

describe('what an approver is told happens when the wait runs out', () => {
  const told = (a: 'reminder' | 'escalation' | 'expiry') =>
    approvalEmail({ request, approval: approval(), link, kind: 'initial', dueBy: '2025-03-04T16:00:00.000Z', after: a }).text;

  it('names the time with its zone, and the next step the workflow takes', () => {
    expect(told('reminder')).toContain('Please decide by Mar 4, 2025, 9:00:00 AM MST. If there is no decision by then, you will get a reminder.');
    expect(told('escalation')).toContain('If there is no decision by then, it goes to your designee to decide instead, and this link stops working.');
    expect(told('expiry')).toContain('If there is no decision by then, the request expires.');
  });

  it('tells a rotation recipient the reminder policy.waits allows (one), then who it escalates to', () => {
    const first = taskEmail({
      task: rotationTask(),
      recipient: { id: 'E103', name: 'Tom', email: 't@x' },
      link,
      kind: 'initial',
      dueBy: '2026-01-18T16:00:00.000Z',
    });
    expect(first.text).toContain('Please act by Jan 18, 2026, 9:00:00 AM MST. If it is not done by then, you will get a reminder.');
    const reminded = taskEmail({
      task: rotationTask({ remindersSent: 1, escalateTo: { id: 'E100', name: 'Dolores Baca', email: 'dbaca@cabq.example' } }),
      recipient: { id: 'E103', name: 'Tom', email: 't@x' },
      link,
      kind: 'reminder',
      dueBy: '2026-01-21T16:00:00.000Z',
    });
    expect(reminded.text).toContain('If it is not done by then, it goes to Dolores Baca instead, and this link stops working.');
  });
});
