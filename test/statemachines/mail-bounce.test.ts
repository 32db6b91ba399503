import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policy } from '../../functions/core/policy.ts';
import { mailTags } from '../../functions/mail-events/mail-tags.ts';
import { sesNotification } from '../../infra/local/mail-events.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { approvalLinkIn, as, decide, mailbox, type SentEmail, startTestStack, submit, waitForEmail, waitUntilWaiting } from '../support/harness.ts';

/**
 * Bounces and complaints on the local stack: a real new-account approval, its approver's link
 * email "bounced" by a notification shaped as SES publishes it (the sent message's id and the
 * tags the mailer sent it with), delivered through the local events topic to recordMailBounce.
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const dti = 'dti-social-registry@cabq.example';
const approver = 'dbaca@cabq.example';
const designee = 'mchavez@cabq.example';

/** A new account request waiting on its first step's link, and that link's email. */
async function waitingRequest(): Promise<{ requestId: string; email: SentEmail }> {
  const requestId = await submit(stack, 'E102');
  const email = await waitForEmail(stack, (e) => e.to.includes(approver) && e.subject.startsWith('Decision needed') && e.text.includes(requestId));
  await waitUntilWaiting(stack, requestId);
  return { requestId, email };
}

/** What SES would publish for this email: the tags name the slot it was sent from (the approval's first email). */
const notificationFor = (requestId: string, email: SentEmail, eventType: 'Bounce' | 'Complaint', bounceType?: 'Permanent' | 'Transient') =>
  sesNotification({
    eventType,
    ...(bounceType ? { bounceType } : {}),
    messageId: email.messageId,
    to: email.to,
    subject: email.subject,
    tags: mailTags({ PK: `REQ#${requestId}`, SK: 'APPR#00#0', key: 'first' }),
  });

const outcomeOf = (answers: unknown[]) => (answers[0] as { outcomes: unknown[] }).outcomes[0];

const requestJson = async (requestId: string) =>
  (await (await as(stack, 'E400').get(`/requests/${requestId}`)).json()) as {
    request: { status: string };
    approvals: {
      step: number;
      round: number;
      approverId: string;
      supersededAt?: string;
      supersededReason?: string;
      decision?: { outcome: string };
      undeliverable?: { kind: string; mailKey: string; recipients: string[]; messageId: string }[];
    }[];
  };

const dtiNotices = async (requestId: string) =>
  (await mailbox(stack)).filter((e) => e.to.includes(dti) && /^(Email not delivered|Spam complaint)/.test(e.subject) && e.text.includes(requestId));

describe('an approver’s link email that bounces (SES notification through the local events topic)', () => {
  it('records the bounce once, escalates the step to the designee at once, and tells DTI once, when SNS delivers it twice', async () => {
    const { requestId, email } = await waitingRequest();
    const notification = notificationFor(requestId, email, 'Bounce', 'Permanent');

    expect(outcomeOf(await stack.mailEvents.publish(notification))).toEqual({ recorded: true, step: { movedTo: 'Marcus Chavez' }, dti: 'sent' });
    expect(outcomeOf(await stack.mailEvents.publish(notification))).toEqual({ recorded: false, step: { movedTo: 'Marcus Chavez' }, dti: 'skipped' });

    // The designee has the step now, with a link of their own that ends the wait that is running.
    const moved = await waitForEmail(stack, (e) => e.to.includes(designee) && e.subject.startsWith('Moved to you') && e.text.includes(requestId));
    expect(moved.text).toContain(`could not be delivered to ${approver}`);
    const { approvals } = await requestJson(requestId);
    const [first, escalation] = [approvals.find((a) => a.round === 0), approvals.find((a) => a.round === 1)];
    expect(first?.undeliverable).toEqual([
      expect.objectContaining({ kind: 'bounce-permanent', mailKey: 'first', recipients: [approver], messageId: email.messageId }),
    ]);
    expect(first?.supersededAt).toBeDefined();
    expect(first?.supersededReason).toContain('could not be delivered');
    expect(escalation?.approverId).toBe('E101');
    // The first link no longer decides; the designee's does, and the request moves on to its second step.
    expect((await decide(stack, approvalLinkIn(email), 'APPROVED')).status).not.toBe(200);
    expect((await decide(stack, approvalLinkIn(moved), 'APPROVED')).status).toBe(200);
    await waitForEmail(stack, (e) => e.to.includes('emartinez@cabq.example') && e.subject.startsWith('Decision needed') && e.text.includes(requestId));
    expect((await requestJson(requestId)).approvals.find((a) => a.round === 1)?.decision?.outcome).toBe('APPROVED');

    const notices = await dtiNotices(requestId);
    expect(notices.map((n) => n.subject)).toEqual([`Email not delivered to ${approver}: request ${requestId}`]);
    expect(notices[0]?.text).toContain('Marcus Chavez');
    // No link or secret in DTI's notice: it names the request page only.
    expect(notices[0]?.text).not.toMatch(/\/approvals\//);
  });

  it('when the running wait runs out, the workflow carries on with the designee’s link: reminders go to the designee, then the request expires', async () => {
    const { requestId, email } = await waitingRequest();
    await stack.mailEvents.publish(notificationFor(requestId, email, 'Bounce', 'Permanent'));
    const moved = approvalLinkIn(
      await waitForEmail(stack, (e) => e.to.includes(designee) && e.subject.startsWith('Moved to you') && e.text.includes(requestId)),
    );
    const expire = async () => {
      await waitUntilWaiting(stack, requestId);
      expect(stack.sfn.expireWaits(requestId)).toBe(1);
    };
    await expire();
    const reminder = await waitForEmail(stack, (e) => e.to.includes(designee) && e.subject.startsWith('Reminder') && e.text.includes(requestId));
    expect(approvalLinkIn(reminder).approvalId).toBe(moved.approvalId);
    // The escalation the wait would have made is there already: nobody new is asked, and the step ends when its
    // waits do (the first round's remaining reminders, then the escalated round's wait and reminders).
    const reminders = policy.waits.remindersBeforeEscalation;
    for (let wait = 1; wait < 2 * reminders + 2; wait += 1) await expire();
    expect((await stack.sfn.result(requestId))?.status).toBe('SUCCEEDED');
    expect((await requestJson(requestId)).request.status).toBe('EXPIRED');
    const askedAbout = (await mailbox(stack)).filter((e) => e.text.includes(requestId) && /^(Decision needed|Reminder|Escalated|Moved)/.test(e.subject));
    expect([...new Set(askedAbout.flatMap((e) => e.to))].sort()).toEqual([approver, designee]);
  });

  it('records a complaint and tells DTI once, and moves nothing', async () => {
    const { requestId, email } = await waitingRequest();
    const notification = notificationFor(requestId, email, 'Complaint');
    expect(outcomeOf(await stack.mailEvents.publish(notification))).toEqual({ recorded: true, step: { whyNot: 'complaint' }, dti: 'sent' });
    expect(outcomeOf(await stack.mailEvents.publish(notification))).toEqual({ recorded: false, step: { whyNot: 'complaint' }, dti: 'skipped' });
    const { approvals } = await requestJson(requestId);
    expect(approvals.map((a) => [a.round, a.approverId, a.supersededAt])).toEqual([[0, 'E100', undefined]]);
    expect(approvals[0]?.undeliverable?.map((u) => u.kind)).toEqual(['complaint']);
    expect((await dtiNotices(requestId)).map((n) => n.subject)).toEqual([`Spam complaint from ${approver} about request ${requestId}`]);
    // The approver's link still decides.
    expect((await decide(stack, approvalLinkIn(email), 'APPROVED')).status).toBe(200);
  });

  it('ignores, with its reason and nothing changed, a message that is not SES’s and a bounce of a message its slot did not send', async () => {
    const { requestId, email } = await waitingRequest();
    expect(outcomeOf(await stack.mailEvents.publish('not json'))).toEqual(expect.objectContaining({ ignored: 'not-json' }));
    expect(outcomeOf(await stack.mailEvents.publish({ eventType: 'Delivery', mail: {} }))).toEqual(
      expect.objectContaining({ ignored: 'unhandled-event-type' }),
    );
    const stale = { ...email, messageId: '010001-not-the-message-this-slot-sent' };
    expect(outcomeOf(await stack.mailEvents.publish(notificationFor(requestId, stale, 'Bounce', 'Permanent')))).toEqual(
      expect.objectContaining({ ignored: 'other-message' }),
    );
    const { approvals } = await requestJson(requestId);
    expect(approvals.map((a) => [a.round, a.supersededAt, a.undeliverable])).toEqual([[0, undefined, undefined]]);
    expect(await dtiNotices(requestId)).toEqual([]);
  });
});
