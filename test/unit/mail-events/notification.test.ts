import { describe, expect, it } from 'vitest';
import { mailTags } from '../../../functions/mail-events/mail-tags.ts';
import { type MailEvent, parseSesEvent, snsMessages } from '../../../functions/mail-events/notification.ts';
import { sesNotification } from '../../../infra/local/mail-events.ts';

const ref = { PK: 'REQ#na-20250301-0123456789abcdef', SK: 'APPR#00#0', key: 'first' };
const base = { messageId: '0101019a-aaaa-bbbb', to: ['DBaca@cabq.example'], subject: 'Decision needed: a new Instagram account', tags: mailTags(ref) };
const at = '2025-03-04T16:00:00.000Z';

describe('SES event notifications (SNS → recordMailBounce)', () => {
  it('reads the messages of an SNS invocation, and names what is not one', () => {
    expect(snsMessages({ Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'n-1', Message: '{}' } }] })).toEqual(['{}']);
    expect(snsMessages({ Records: [] })).toEqual(expect.objectContaining({ ignored: 'not-an-sns-notification' }));
    expect(snsMessages({ Records: [{ eventSource: 'aws:sqs', body: '{}' }] })).toEqual(expect.objectContaining({ ignored: 'not-an-sns-notification' }));
    expect(snsMessages(undefined)).toEqual(expect.objectContaining({ ignored: 'not-an-sns-notification' }));
  });

  it('reads a permanent bounce: its email’s slot, message id, bounced addresses (lower case) and the server’s answer', () => {
    const event = parseSesEvent(JSON.stringify(sesNotification({ ...base, eventType: 'Bounce', bounceType: 'Permanent', at }))) as MailEvent;
    expect(event).toEqual({
      kind: 'bounce-permanent',
      messageId: base.messageId,
      ref,
      recipients: ['dbaca@cabq.example'],
      at,
      feedbackId: expect.any(String),
      detail: 'General: smtp; 550 5.1.1 user unknown',
      subject: base.subject,
    });
  });

  it('tells a temporary bounce and a complaint apart from a permanent bounce', () => {
    expect(parseSesEvent(JSON.stringify(sesNotification({ ...base, eventType: 'Bounce', bounceType: 'Transient' })))).toEqual(
      expect.objectContaining({ kind: 'bounce-transient' }),
    );
    expect(parseSesEvent(JSON.stringify(sesNotification({ ...base, eventType: 'Complaint' })))).toEqual(
      expect.objectContaining({ kind: 'complaint', recipients: ['dbaca@cabq.example'], detail: 'abuse' }),
    );
  });

  it('ignores, naming why, what is not JSON, another event type, a malformed event and an email sent without tags', () => {
    expect(parseSesEvent('<html>')).toEqual(expect.objectContaining({ ignored: 'not-json' }));
    expect(parseSesEvent(JSON.stringify({ eventType: 'Delivery', mail: { messageId: 'm' } }))).toEqual(
      expect.objectContaining({ ignored: 'unhandled-event-type' }),
    );
    expect(parseSesEvent(JSON.stringify({ notificationType: 'Bounce' }))).toEqual(expect.objectContaining({ ignored: 'not-an-ses-event' }));
    expect(parseSesEvent(JSON.stringify({ eventType: 'Bounce', mail: { messageId: 'm' }, bounce: { bounceType: 'Soft' } }))).toEqual(
      expect.objectContaining({ ignored: 'not-an-ses-event' }),
    );
    expect(parseSesEvent(JSON.stringify(sesNotification({ ...base, tags: [], eventType: 'Bounce' })))).toEqual({
      ignored: 'untagged-email',
      detail: expect.any(String),
      messageId: base.messageId,
    });
  });

  it('keeps a receiving server’s long answer short (it goes in an email to DTI)', () => {
    const notification = sesNotification({ ...base, eventType: 'Bounce' }) as { bounce: { bouncedRecipients: { diagnosticCode: string }[] } };
    for (const r of notification.bounce.bouncedRecipients) r.diagnosticCode = 'x'.repeat(5000);
    expect((parseSesEvent(JSON.stringify(notification)) as MailEvent).detail?.length).toBe(500);
  });
});
