import { describe, expect, it } from 'vitest';
import { functions } from '../../../functions/catalogue.ts';
import { undeliverableNotice } from '../../../functions/mail-events/emails.ts';
import type { MailEvent } from '../../../functions/mail-events/notification.ts';
import { aboutOf, dtiNoticeKey, itemPrefixes, matchSent, planFor } from '../../../functions/mail-events/undeliverable.ts';
import { approval, requestId } from '../fixtures.ts';

const dtiEmail = 'dti@example.test';
const bounce = (overrides: Partial<MailEvent> = {}): MailEvent => ({
  kind: 'bounce-permanent',
  messageId: 'm-1',
  ref: { PK: `REQ#${requestId}`, SK: 'APPR#00#0', key: 'first' },
  recipients: ['dbaca@cabq.example'],
  at: '2025-03-04T16:00:00.000Z',
  ...overrides,
});
const onApproval = { kind: 'approval', requestId, step: 0, round: 0 } as const;

describe('what an email’s slot is about', () => {
  it('names the approval, request, offboarding, review or account from the slot’s keys', () => {
    expect(aboutOf({ PK: `REQ#${requestId}`, SK: 'APPR#01#1' })).toEqual({ kind: 'approval', requestId, step: 1, round: 1 });
    expect(aboutOf({ PK: `REQ#${requestId}`, SK: 'MAIL' })).toEqual({ kind: 'request', requestId });
    expect(aboutOf({ PK: 'OFFBOARD#off-E100-20250301', SK: 'MAIL' })).toEqual({ kind: 'offboarding', offboardingId: 'off-E100-20250301' });
    expect(aboutOf({ PK: 'REVIEW#2026', SK: 'MAIL#REPORT' })).toEqual({ kind: 'review', reviewId: '2026' });
    expect(aboutOf({ PK: 'ACCOUNT#acct-1', SK: 'MAIL' })).toEqual({ kind: 'account', accountId: 'acct-1' });
  });

  it('names nothing outside the items emails are sent about (and an archived link is its request’s)', () => {
    expect(aboutOf({ PK: 'RECORD#r-1', SK: 'RECORD' })).toBeUndefined();
    expect(aboutOf({ PK: 'PERSON#E100', SK: 'PROFILE' })).toBeUndefined();
    expect(aboutOf({ PK: 'REQ#', SK: 'MAIL' })).toBeUndefined();
    expect(aboutOf({ PK: `REQ#${requestId}`, SK: 'APPR#00#0#2025-03-04T16:00:00.000Z' })).toEqual({ kind: 'request', requestId });
  });

  it('recordMailBounce may write exactly the prefixes of those items (its catalogue writeKeys)', () => {
    expect(functions.recordMailBounce.access.writeKeys).toEqual(Object.keys(itemPrefixes));
  });
});

describe('whether an event is about the email its slot sent', () => {
  it('matches the slot’s confirmed message, or a slot not confirmed yet or sent twice', () => {
    expect(matchSent({ messageId: 'm-1' }, { attempts: 1, sentAt: 't', messageId: 'm-1' })).toBeUndefined();
    expect(matchSent({ messageId: 'm-1' }, { attempts: 1 })).toBeUndefined();
    expect(matchSent({ messageId: 'm-1' }, { attempts: 2, sentAt: 't', messageId: 'm-2', uncertain: true })).toBeUndefined();
  });

  it('ignores an event for a slot that sent another message, or no email at all', () => {
    expect(matchSent({ messageId: 'm-1' }, { attempts: 1, sentAt: 't', messageId: 'm-2' })).toEqual(expect.objectContaining({ ignored: 'other-message' }));
    expect(matchSent({ messageId: 'm-1' }, undefined)).toEqual(expect.objectContaining({ ignored: 'unknown-email' }));
  });
});

describe('what an undeliverable email changes', () => {
  const pending = { dtiEmail, approval: approval(), requestStatus: 'PENDING' as const };

  it('moves the step at once when the approver’s link (first email or a reminder) bounces for good, and tells DTI', () => {
    expect(planFor(bounce(), onApproval, pending)).toEqual({ escalate: true, tellDti: true });
    expect(planFor(bounce({ ref: { ...bounce().ref, key: 'reminder-1' } }), onApproval, pending)).toEqual({ escalate: true, tellDti: true });
  });

  it('moves nothing for a complaint, a temporary bounce, a decided step, a closed request or the designee’s own link, but tells DTI', () => {
    expect(planFor(bounce({ kind: 'complaint' }), onApproval, pending)).toEqual({ escalate: false, whyNot: 'complaint', tellDti: true });
    expect(planFor(bounce({ kind: 'bounce-transient' }), onApproval, pending)).toEqual({ escalate: false, whyNot: 'not-permanent', tellDti: true });
    const decided = approval({ decision: { outcome: 'APPROVED', decidedAt: 't', decidedById: 'E100', decidedByName: 'Dolores Baca', approvalId: 'a' } });
    expect(planFor(bounce(), onApproval, { ...pending, approval: decided })).toEqual(expect.objectContaining({ escalate: false, whyNot: 'decided' }));
    expect(planFor(bounce(), onApproval, { ...pending, requestStatus: 'EXPIRED' })).toEqual(expect.objectContaining({ whyNot: 'request-closed' }));
    expect(planFor(bounce(), { ...onApproval, round: 1 }, pending)).toEqual(expect.objectContaining({ whyNot: 'designee-link' }));
    expect(planFor(bounce({ recipients: ['someone@else.example'] }), onApproval, pending)).toEqual(expect.objectContaining({ whyNot: 'not-the-approver' }));
  });

  it('asks a superseded link’s escalation to finish (an earlier delivery may have written it and ended before its email)', () => {
    expect(planFor(bounce(), onApproval, { ...pending, approval: approval({ supersededAt: 't' }) })).toEqual({ escalate: true, tellDti: true });
  });

  it('records a request’s, an offboarding’s or a review’s email without moving anything', () => {
    expect(planFor(bounce({ ref: { PK: `REQ#${requestId}`, SK: 'MAIL', key: 'receipt' } }), { kind: 'request', requestId }, { dtiEmail })).toEqual({
      escalate: false,
      whyNot: 'not-a-link',
      tellDti: true,
    });
  });

  it('never tells DTI about its own address, or about a notice that went to DTI (each would bounce in turn)', () => {
    expect(planFor(bounce({ recipients: ['DTI@example.test'.toLowerCase()] }), { kind: 'request', requestId }, { dtiEmail: 'DTI@example.test' }).tellDti).toBe(
      false,
    );
    expect(planFor(bounce({ ref: { ...bounce().ref, key: 'dti-unroutable' } }), onApproval, pending).tellDti).toBe(false);
    expect(planFor(bounce({ ref: { ...bounce().ref, key: dtiNoticeKey(bounce()) } }), onApproval, pending).tellDti).toBe(false);
  });

  it('keys DTI’s notice by the email and the kind: a complaint after a bounce of the same email is told too', () => {
    expect(dtiNoticeKey(bounce())).toBe('dti-bounce-permanent-first');
    expect(dtiNoticeKey(bounce({ kind: 'complaint' }))).toBe('dti-complaint-first');
  });
});

describe('DTI’s notice', () => {
  it('says which address, about which request and step, what the server said and what was done, with the request’s page and no link', () => {
    const notice = undeliverableNotice({
      event: bounce({ subject: 'Decision needed: a new Instagram account', detail: 'General: smtp; 550 5.1.1 user unknown' }),
      about: onApproval,
      outcome: { movedTo: 'Marcus Chavez' },
      stepTitle: 'Department Director (Parks and Recreation)',
      pageUrl: `https://example.test/requests/${requestId}`,
    });
    expect(notice.subject).toBe(`Email not delivered to dbaca@cabq.example: request ${requestId}`);
    expect(notice.text).toContain('the decision link for step 1 (Department Director (Parks and Recreation))');
    expect(notice.text).toContain('Marcus Chavez, the designee');
    expect(notice.text).toContain('550 5.1.1 user unknown');
    expect(notice.text).toContain(`https://example.test/requests/${requestId}`);
    expect(notice.html).not.toContain('/approvals/');
  });

  it('escapes what the receiving server said', () => {
    const notice = undeliverableNotice({
      event: bounce({ detail: '<script>x</script>' }),
      about: onApproval,
      outcome: { whyNot: 'no-designee' },
      pageUrl: 'https://example.test/',
    });
    expect(notice.html).not.toContain('<script>');
    expect(notice.text).toContain('Nobody else can take the step');
  });
});
